// Package clickhouse is the scale-out readings store (store.Store,
// ARCHITECTURE §7 and §10): readings on ClickHouse servers, over the
// native protocol (github.com/ClickHouse/clickhouse-go/v2), sharded by
// meter when the URL names a cluster. It answers every query as
// store/pebble and storetest.Model do; the conformance suite and one
// metamorphic history run on the three at once prove it (the
// clickhouse-tagged tests, run by .ci/suites/clickhouse).
//
// # Tables
//
// Open creates the database the URL names and, in it:
//
//	readings   meter UInt64, channel UInt64, ts Int64, value Int64, quality UInt16, ver UInt64
//	           ReplacingMergeTree(ver) PARTITION BY toYYYYMM(toDateTime(intDiv(ts, 1000), 'UTC'))
//	           ORDER BY (meter, channel, ts)
//	conflicts  meter UInt64, channel UInt64, ts Int64, value Int64, quality UInt16,
//	           stored_value Int64, stored_quality UInt16, deleted UInt8, ver UInt64
//	           ReplacingMergeTree(ver) ORDER BY (meter, channel, ts, value)
//
// ts is Unix milliseconds; channel is the OBIS code's 6 bytes packed
// big-endian, so that it sorts as the bytes do; a partition holds a UTC
// month (DateTime ends in 2106: later readings share earlier months'
// partitions, which moves no answer). A conflict row is keyed by the incoming reading's
// key and value and holds the stored reading it disagreed with; a
// resolved conflict is a newer row of its key with deleted = 1.
//
// With ?cluster=NAME the URL names a cluster of the server's
// remote_servers; Open reads its hosts from system.clusters and creates,
// on every one, readings_local and conflicts_local as above and readings
// and conflicts as Distributed(NAME, db, *_local, intHash64(meter)):
// every version of a reading, and every conflict, of one meter lives on
// one shard, so that FINAL and the merge rules work shard by shard. Inserts
// go through the Distributed tables with insert_distributed_sync = 1, so
// that an Append returns once every shard has its rows. Open creates the
// tables itself on each host, because CREATE … ON CLUSTER needs
// ZooKeeper; so do replicated shards (ReplicatedMergeTree), which this
// package does not set up.
//
// # Exact merge rules on an eventually-merging engine
//
// ClickHouse keeps every inserted row until a background merge, at a time
// of its choosing, collapses the rows of a sorting key to the one with the
// largest ver. store.Merge, though, decides a reading by what is stored
// (an estimate yields to an actual value, two actual values conflict),
// and Append reports per reading what it did. So Append reads before it
// writes: for the batch's distinct keys (sent as an external table, not in
// the query text) it reads the stored readings with FINAL, which merges
// the versions at read time; it applies store.Merge in batch order in Go;
// then it inserts the new and upserted conflicts, each with the next ver
// of its key, and last the readings that changed, each with the stored
// row's ver + 1. Unchanged and conflicting readings write nothing. Scan
// and Conflicts read with FINAL; a filter on a column outside the sorting
// key (deleted) is applied after FINAL, since ClickHouse may move such a
// WHERE before it. Merges then only reclaim space (Optimize forces them).
//
// The price, and what was not chosen:
//
//   - An Append costs a keyed read besides the insert: about as long as
//     the insert for a batch of new readings (BENCHMARKS.md). Without it
//     there would be no outcome per reading and no conflict detection;
//     resolving the rules at query time (argMax over a rank) cannot keep a
//     conflict for review, since the rules depend on arrival order.
//   - ClickHouse writes a part per insert: many small Appends are slow
//     (tens of milliseconds each here) and leave parts to merge; batch per
//     interval of a fleet, not per meter. A Buffer table in front would
//     absorb small inserts but loses them when the server crashes, which
//     breaks Append's durability.
//   - Appends of one meter take turns within a process (256 lock stripes
//     by meter). Two processes appending the same meter at the same time
//     can both read the same stored state, and then a conflict can go
//     unseen or the later insert win: one meter's readings must reach the
//     store through one writer at a time (the MDM's ingest consumer
//     partitions by meter subject, ARCHITECTURE §7 and §10).
//   - An Append is not atomic: conflicts are written before readings, and
//     an Append that fails may have stored part of its batch (a shard, or
//     the conflicts). It is idempotent, so retrying the batch converges to
//     the state one successful Append would have made. store/pebble's
//     Append is atomic.
//   - An Append is durable as ClickHouse makes inserts: the parts are
//     written (not fsynced on 18.16) on every shard when it returns; a
//     machine crash can lose the last parts unless shards are replicated.
//
// # Aggregates
//
// Aggregate asks the servers for one row per meter and wall-clock step —
// count, sum, min, max, the first and last value and time, and the largest
// ver — grouped by a key computed from ts and the query Location's UTC
// offsets, which Go works out (zone.go) and spells into the query as a
// piecewise constant (days and months with H. Hinnant's civil-date
// arithmetic, since Date overflows in 2149). Those groups are then placed
// in store.Bucketer's buckets here, so that bucket bounds are exactly
// store/pebble's whatever the servers' time zone data; a meter whose groups
// straddle a bucket bound (zones with half-hour changes or skipped
// midnights) gets its buckets from its readings instead. The group query
// runs without FINAL, about three times faster; a meter with a row of
// ver > 1 (a replaced reading, whose old row may still exist) is queried
// again with FINAL. Missing readings are skipped before FINAL, which is
// safe: a Missing reading only ever replaces a Missing one.
//
// # Server version
//
// Debian 12 packages ClickHouse 18.16.1, of December 2018, and the tests
// run against it. What it lacks, and what this package does instead:
//
//   - column CODECs (19.x): the columns are LZ4-compressed as they are.
//     Open adds DoubleDelta and Delta codecs only when SELECT version()
//     says 20 or later (Config.Codecs overrides; not tested here);
//   - DateTime64: times are Int64 milliseconds;
//   - server-side query parameters: queries bind on the client;
//   - HTTP for clickhouse-go v2, which sends client_protocol_version, a
//     setting 18.16 refuses: the native protocol only;
//   - fsync of inserted parts, async inserts, lightweight DELETE, an
//     is_deleted column for ReplacingMergeTree, multi-threaded FINAL
//     (all later versions): Appends wait for their insert, resolved
//     conflicts are tombstone rows, FINAL reads are single-threaded per
//     shard, hence the aggregate path above that avoids them.
//
// Inserts must name their columns, and do.
//
// A DB is safe for concurrent use.
package clickhouse
