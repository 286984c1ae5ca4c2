// Package journal persists one meter's state in a directory: a snapshot
// (the whole state) and, after it, a journal of records (what changed at
// each step). Loading returns the snapshot and the records written after
// it; the meter replays them.
//
// # Files
//
//	snapshot        the last snapshot, replaced atomically
//	journal-<gen>   records written since the snapshot of generation gen
//
// Both are sequences of frames:
//
//	+-----------+-----------+-------------------+
//	| len u32   | crc u32   | payload (len B)   |
//	+-----------+-----------+-------------------+
//
// big-endian, crc the CRC-32C of the payload. The snapshot file is one
// frame whose payload starts with its generation (u64). A frame is
// accepted only whole and with a matching CRC; loading stops at the
// first bad frame (a write torn by a crash) and cuts the journal there,
// so the next record follows good data.
//
// # Crash safety
//
// Append writes a record with one write(2): a process killed at any
// moment (kill -9) leaves the record whole or torn, never half-applied,
// and the page cache keeps what was written. For power failures, Sync
// makes the journal durable; Options.SyncEvery bounds how much a power
// cut can lose. Snapshot writes a temporary file, syncs it, renames it over
// the old snapshot, syncs the directory and only then starts the next
// generation's journal and removes the old one; a crash at any point
// leaves either the old snapshot with its journal or the new one (with an
// empty or no journal).
//
// A Journal is not safe for concurrent use.
package journal
