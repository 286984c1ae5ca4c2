// Package profile is the buffer of a COSEM profile generic (IC 7): a ring
// of captured rows of a fixed set of columns (capture_objects), its sort
// method (FIFO or LIFO), entries in use and profile entries, and the
// selective reads a client makes — by range of a column (range_descriptor,
// selector 1) and by entry and column numbers (entry_descriptor, selector
// 2) — encoded straight into A-XDR.
//
// # Memory
//
// A meter in a 10 000-meter simulation has a few profiles, so rows are
// packed: each column is stored in the bytes its kind needs (a date-time
// in 8, a status in 1, a register in 8), one flat byte slice per profile
// that grows with the rows captured up to the configured capacity and is
// then reused as a ring. A 15-minute profile of clock, status and four
// registers takes 41 bytes a row.
//
// # Date-times
//
// A date-time column holds a Stamp: the instant in whole seconds, the
// deviation and the clock status at capture, so the row reads back as the
// local time the meter showed then.
//
// # Sequence numbers
//
// Every captured row gets the next sequence number (Seq); a journal
// persists the rows after the last sequence it wrote (Tail) and a
// restored profile continues the numbering.
//
// A Profile is not safe for concurrent use; the meter serialises access.
package profile
