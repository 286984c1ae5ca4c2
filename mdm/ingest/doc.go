// Package ingest is the MDM's way in: it consumes the READINGS and EVENTS
// streams of the bus (ARCHITECTURE §7) and appends what the head-end
// published (meterdata messages) to the readings store.
//
// # Acknowledge after the durable write
//
// Each consumer takes up to Config.Batch messages at a time
// (bus.ConsumeBatch) — readings or events messages of one meter, or
// batches of many meters' messages from the push listener
// (meterdata.Batch, on the batch subjects) — decodes them, and appends all
// their readings in one store.Append, which is durable when it returns; only then does the
// handler return and the bus acknowledge the messages. A process killed at
// any moment therefore loses nothing acknowledged: what it had not
// acknowledged comes back after the consumer's AckWait, to this or
// another instance (every MDM uses the durable consumer Config.Durable,
// so the work splits between them, ARCHITECTURE §10). TestCrash kills a
// consuming child process with SIGKILL over and over and checks exactly
// that.
//
// Redelivery is harmless because the store is idempotent on (meter,
// channel, time): a reading already stored as it comes counts as a
// duplicate; one that disagrees with a stored actual value is a conflict,
// kept for review by the store and never applied. A message that does not
// decode, or holds a reading more than Config.MaxAhead ahead of the clock
// (a meter whose clock runs wild), fails alone and permanently
// (bus.ErrPermanent: it goes to the DEAD stream, whole, for inspection); a
// failed store write fails the batch, which the bus delivers again after
// its backoff.
//
// The consumer takes the meter from the payload (meterdata.Readings.Meter,
// the store/meta id); the subject (the serial) is for routing only.
//
// # Events
//
// Events are stored as readings on their event log's channel, the code as
// value (meterdata.Events.AppendReadings), where VEE finds clock and power
// events. A tamper event (cover opened, magnetic field) that the store
// does not hold yet raises an alarm in store/meta before it is stored, so
// a crash in between repeats the alarm rather than losing it.
//
// # Metrics
//
// Metrics returns counters (messages, rejected, added, duplicates,
// replaced, conflicts, events, failed writes) and the lag of the last
// batch (how long its oldest message waited in the stream); the web
// package exports them at /metrics.
//
// A Consumer is safe for concurrent use; each handler from Handler keeps
// scratch space and serves one bus.ConsumeBatch call.
package ingest
