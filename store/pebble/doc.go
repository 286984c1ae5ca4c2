// Package pebble is amigo's default readings store (store.Store), embedded
// in the process on one Pebble database: one compressed block per
// meter-channel-day, a header summary per block so that month totals over
// many meters read headers rather than samples, and a write-ahead record
// per Append so that an acknowledged batch survives kill -9.
//
// # Life of a reading
//
// Append validates and sorts the batch (by meter, channel, time; readings
// of one key keep their batch order), merges it into the head — the
// decoded blocks appended to recently, kept in memory, where store.Merge
// decides each reading against what is stored and conflicts are collected
// — and writes it as one write-ahead record under 'w'+seq with Pebble's
// WAL synced (Options.NoSync aside) before it returns. A flush encodes the
// changed blocks and writes them, the new conflicts and the deletion of the
// write-ahead records they cover in one atomic Pebble batch: on Close, and
// from Append once Options.FlushReadings readings have arrived and they
// are at least half of the samples the flush would encode (at the latest
// after 8 × FlushReadings), so that a day block filling minute by minute
// is not re-encoded every few readings. Blocks not appended to since the
// previous flush then leave the head. Open replays the write-ahead records
// left, in sequence order, onto the stored blocks, which rebuilds the head
// exactly. Queries read the head's copy of a block when it has one, else
// the stored block. ScanSamples decodes stored blocks straight into the
// caller's buffer through an iterator bounded to the series' days, with
// its options and bounds pooled: a scan allocates nothing but what Pebble
// allocates for an iterator.
//
// Memory: the head holds each open block decoded, 24 bytes a reading: a
// day of 10 000 meters × 4 channels is 92 MB at 15 minutes and 1.4 GB at
// 1 minute, which bounds the fleet one process serves at 1-minute
// resolution (beyond it, ClickHouse). Options.HeadReadings caps what stays
// after a flush, for loads that touch many days at once (backfills).
//
// Concurrency: all methods are safe for concurrent use. Appends merge one
// at a time but wait for the disk together, so concurrent small appends
// share syncs (group commit). A query may see an Append that has not yet
// returned; if that Append then fails, the store refuses further work
// (store.ErrClosed) rather than serve what a restart would not have.
//
// # Keys
//
//	'v'                                              → "amigo/store/pebble 1"
//	'w' seq:u64                                      → write-ahead record (wal.go)
//	'b' meter:u64 obis:6B day:u32                    → block
//	'c' meter:u64 obis:6B time:u64 value:u64^(1<<63) → stored value:varint, stored
//	                                                   quality:uvarint, incoming quality:uvarint
//
// Integers are big-endian so that keys sort by meter, channel and time; day
// is UTC days since the Unix epoch; time is Unix milliseconds.
//
// # Block
//
// A block holds the n samples (time, value, quality) of one meter, channel
// and UTC day, times strictly increasing. varint is zigzag LEB128 and
// uvarint LEB128 (encoding/binary); times are relative to the day's start.
//
//	+---------+------------+-------------+---------------------------+------------+---------------------------+
//	| version | n: uvarint | t0: varint  | time column header (n ≥ 2) | v0: varint | value column header (n ≥ 2) |
//	| 0x01    | 1…131072   | − day start | mode d1? base? last?       |            | mode d1? base?            |
//	+---------+------------+-------------+---------------------------+------------+---------------------------+
//	| summary: count uvarint [present u8, first? last sum min? max?] | flags: runs uvarint (quality [length])… |
//	+-----------------------------------------------------------------+-------------------------------------------+
//	| bit stream: time residuals, then value residuals, Rice-coded, MSB first, zero-padded to a byte          |
//	+----------------------------------------------------------------------------------------------------------+
//
// Column header (column.go): mode u8 = bit 0 transform (0: deltas, 1:
// delta-of-deltas after a first delta d1: varint), bit 1 mapping of
// residuals to unsigned (0: minus their minimum base: varint, 1: zigzag),
// bits 2–7 the Rice parameter k, 63 meaning every mapped residual is zero
// and the column has no bits. The time column also stores last: varint
// (tₙ₋₁ − t0) when its bits are not empty, so the header alone gives the
// block's first and last time. A residual u is q = u>>k zeros, a one and
// the low k bits; when q ≥ 32 it is 32 zeros, 6 bits of (bit length − 1)
// and the bits of u. The encoder picks the transform, mapping and k with
// the fewest bytes per column, so a regular 15-minute time column costs
// its header only and a constant register nothing but its header.
//
// Summary, over the samples not flagged Missing: count, then, when count
// > 0, a presence byte (bit 0 first ≠ v0, bit 1 min ≠ first, bit 2 max ≠
// last) and varints first − v0 (if present), last − first,
// sum − count·first, min − first (if present), max − last (if present);
// arithmetic wraps like int64. A monotone register so stores only last
// and sum.
//
// Flags are runs: the number of runs; with one run only its quality,
// otherwise each run's quality and length.
//
// The decoder checks every count against the bytes left or the 131072
// bound before it allocates, that times increase, that the flag runs cover
// n samples and that the summary matches the samples; any other byte
// sequence is an error wrapping store.ErrCorrupt (FuzzBlockDecode).
package pebble
