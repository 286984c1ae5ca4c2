// Package store defines what a readings store is, independent of the engine
// that keeps the readings (ARCHITECTURE §7): the Reading type, the quality
// flags the VEE sets, the rule that decides what happens when a reading
// arrives for a key that is already stored, and the aggregation steps.
// store/pebble (embedded, the default) and store/clickhouse (scale-out)
// implement Store; store/storetest checks that they answer alike.
//
// # Readings
//
// A reading is (meter, channel, time, value, quality): MeterID is the uint64
// internal id the metadata store (store/meta) assigns to a meter serial;
// Channel is the 6-byte OBIS code of the register or profile column; Time is
// UTC Unix milliseconds in [0, MaxTime]; Value is an int64 in the register's
// unit (Wh, varh, …, scaled as the meter's scaler-unit says); Quality is a
// bitset.
//
// A scan of one series returns Readings (Scan) or, for callers that read
// many series and know which one they asked for, Samples: time, value and
// flags, 24 bytes to a Reading's 40, appended to a buffer the caller
// keeps (ScanSamples).
//
// Meter ids are integers rather than serial strings because every key of
// every engine starts with the meter: 8 fixed bytes sort and compare as one
// machine word, prefix-compress well and index a ClickHouse UInt64 or a
// PostgreSQL bigint column directly, while serials are 8–30 characters of
// varying length. The serial ↔ id mapping lives once, in store/meta.
//
// # Duplicates, estimates and conflicts
//
// Append is idempotent on (meter, channel, time). When a reading arrives for
// a key that is stored, Merge decides, by the class of each side (Missing <
// Estimated < Actual, and Edited):
//
//	stored \ incoming  Missing    Estimated  Actual                Edited
//	Missing            flags |=   replace    replace               replace
//	Estimated          ignore     replace    replace               replace
//	Actual             ignore     ignore     equal: flags |=       replace
//	                                         differs: CONFLICT
//	Edited             ignore     ignore     equal: ignore         replace
//	                                         differs: CONFLICT
//
// So an estimate is replaced by the actual value when it arrives and never
// counts as a conflict, a later estimate replaces an earlier one, an estimate
// never overwrites a measured value, and an operator's edit replaces anything
// (its audit trail lives in store/meta). Two actual values that differ are a
// conflict: the stored reading stays, the incoming one is kept in the
// conflicts list for review (Store.Conflicts) and is never applied silently.
// A conflict entry is keyed by the incoming reading's key and value:
// receiving the same conflicting value again updates its entry (the stored
// reading it disagreed with, the incoming flags) rather than adding one.
// Readings within one batch apply in slice order.
//
// # Aggregates
//
// Aggregate buckets readings by Step: 15-minute and hourly buckets are
// fixed-length intervals aligned to the wall clock of the query's Location;
// day and month buckets are calendar days and months of that Location, so a
// day across a DST change lasts 23 or 25 hours. Missing readings are
// skipped. Over a group of meters a bucket holds the count, sum, min and max
// of all the group's readings and the sum of each meter's first and last
// value in the bucket (for registers, the group's meter reading).
package store
