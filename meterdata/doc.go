// Package meterdata is the wire encoding of meter data on the bus
// (ARCHITECTURE §7): the head-end publishes one Readings message per push
// or profile read on bus.ReadingsSubject(serial) and one Events message
// per event-log read on bus.EventsSubject(serial); the MDM (mdm/ingest)
// consumes them. The bus charges per message, so a message carries
// everything one read produced, for every channel.
//
// The package imports only store (for Reading, Channel and Quality), so
// the head-end can use it without importing the MDM. A head-end publishes
//
//	data, err := msg.Append(nil)
//	… bus.Message{Subject: bus.ReadingsSubject(serial), ID: meterdata.MessageID(data), Data: data}
//
// so that a message published twice is stored once.
//
// # Readings message, version 1
//
// varint is zigzag LEB128 and uvarint LEB128 (encoding/binary); times are
// UTC Unix milliseconds in [store.MinTime, store.MaxTime].
//
//	+------+---------+-----------------+--------------------+-----------+------------------+
//	| 'R'  | version | meter: uvarint  | collected: uvarint | source u8 | groups: uvarint  |
//	| 0x52 | 0x01    | store.MeterID≠0 | ms, 0 = unknown    |           | 1…               |
//	+------+---------+-----------------+--------------------+-----------+------------------+
//	group: +-----------+-------------+-------------+-------------+-------------+------------------------+
//	       | OBIS 6 B  | n: uvarint  | t0: uvarint | v0: varint  | q0: uvarint | (n−1) × reading        |
//	       | A…F       | 1…          |             |             | Quality     |                        |
//	       +-----------+-------------+-------------+-------------+-------------+------------------------+
//	reading i ≥ 1: +--------------------------------------------+----------------------+-------------+
//	               | dod: varint = (tᵢ−tᵢ₋₁) − (tᵢ₋₁−tᵢ₋₂)       | dv: varint = vᵢ−vᵢ₋₁ | q: uvarint  |
//	               | (t₋₁ = t0, so the first dod is t₁−t0)        |                      |             |
//	               +--------------------------------------------+----------------------+-------------+
//
// Within a group times strictly increase, so a regular profile costs one
// byte of time per reading; register values cost their increment. A group
// holds one channel; a channel may appear in several groups (the decoder
// returns the readings group by group, as they were encoded).
//
// # Events message, version 1
//
//	+------+---------+-----------------+--------------------+------------+
//	| 'E'  | version | meter: uvarint  | collected: uvarint | n: uvarint |
//	| 0x45 | 0x01    | store.MeterID≠0 | ms, 0 = unknown    | 1…         |
//	+------+---------+-----------------+--------------------+------------+
//	event: +------------------------+---------------+------------------+
//	       | log: OBIS 6 B          | time: uvarint | code: uvarint    |
//	       | e.g. 0.0.99.98.0.255   | ms            | ≤ 65535          |
//	       +------------------------+---------------+------------------+
//
// Event codes are those of the meter's event logs (DLMS UA 1000-1 Blue
// Book and the IDIS standard and fraud logs); the ones the MDM acts on are
// named here (PowerDown, ClockAdjustedOld, …).
//
// # Batch message, version 1
//
// Pushes arrive at up to 100 000 a second and the bus charges about 20 µs
// per message, so the head-end's push listener publishes many pushes (of
// many meters) in one batch message, on bus.ReadingsBatchSubject or
// bus.EventsBatchSubject. A batch is a sequence of whole readings and
// events messages:
//
//	+------+---------+-------------+---------------------------------------------+
//	| 'B'  | version | n: uint32 BE| n × ( length: uint32 BE | readings or events  |
//	| 0x42 | 0x01    | 1…          |       3…2²⁴            | message as above )  |
//	+------+---------+-------------+---------------------------------------------+
//
// Batch builds one in place; SplitBatch returns its members for
// DecodeReadings and DecodeEvents (IsReadings says which). A consumer
// tells a batch from a single message by IsBatch or by its subject.
//
// # Appliance events
//
// A NILM module's appliance events travel as readings on ApplianceLog
// (0.128.99.98.0.255), one per event at its time, the event packed in the
// value (ApplianceEvent.Value: ΔP, confidence, phase, on/off, appliance
// id), so the store keeps them and answers ranges of them like any
// channel. The time is the module's clock time of the event (hundredths
// of a second) plus its phase less one millisecond, so that events of
// different phases logged in one hundredth keep keys of their own; an
// event pushed as it happens and read later from the module's log is
// the same reading (hes/profile.ApplianceReading makes both).
//
// # Decoding
//
// The decoders return an error wrapping ErrMalformed for any byte sequence
// that is not a message (FuzzDecodeReadings, FuzzDecodeEvents): every
// count is checked against the bytes left before anything is allocated,
// times must stay in range and increase within a group, quality bits must
// be known and trailing bytes are refused. A version other than 1 wraps
// ErrVersion, so a consumer can tell a newer publisher from garbage.
// Decoded slices do not alias the input.
package meterdata
