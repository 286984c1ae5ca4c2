// Package push is the head-end's push listener: DataNotification and
// EventNotification APDUs that meters push (NB-IoT style: dial, push, hang
// up; or streamed by a data concentrator), over the TCP wrapper and over
// UDP (one wrapper frame per datagram).
//
// # A push's way
//
//  1. The wrapper frame is cut from the stream (or datagram).
//  2. The APDU must be general-glo-ciphering: pushes are accepted only
//     authenticated and encrypted (security suite 0). Its system title
//     names the meter (Resolver, once per meter; the listener keeps the
//     meter's security context).
//  3. dlms.SecurityContext.OpenAPDU checks the GCM tag with the meter's keys
//     and then the invocation counter, which must exceed the last one
//     accepted from the meter: a replayed push is refused.
//  4. The notification is decoded with the Layout its body names (first
//     element: the push setup's logical name; DefaultLayout otherwise) into
//     readings (register values at the push's clock, profile rows) and
//     events (event codes, event log rows). The layouts of the amigo
//     meter's own pushes are always known (BuiltinLayouts: the interval
//     push, the event push with the last gasp, the tamper push and
//     ApplianceLayout). ApplianceLayout is the NILM module's push of each
//     appliance event: the event becomes the meterdata.ApplianceLog
//     reading the head-end's read of the module's event log makes of the
//     same event (same time, same value), so the store keeps an event
//     pushed and read once. A push
//     moves no watermark: the scheduled reads of the log still read
//     everything since their last read, pushed or not.
//  5. The push's readings and events are appended, as meterdata messages,
//     to the current batch; its counter to the batch's journal entries.
//  6. A batch is full at Config.BatchPushes pushes or BatchBytes bytes, or
//     after Linger. Making it durable: its counters are appended to the
//     counter journal (StateDir/push-counters.journal) and synced, then the
//     batch is published as one meterdata batch message on
//     bus.ReadingsBatchSubject(Origin) (and one on EventsBatchSubject when
//     it holds events), with message IDs "<origin>.<boot>.<seq>.r|e" so a
//     retried publish is stored once. A push counts as published
//     (amigo_hes_pushes_published_total) only once the bus acknowledged
//     its batch.
//
// Refused pushes are counted by reason (amigo_hes_pushes_rejected_total:
// malformed, unciphered, unknown, auth, policy, replay, body, publish-lost)
// and never published.
//
// # Durability and replays
//
// The journal is written before the batch is published, so after a crash a
// push is never accepted twice; what was accepted but not yet published is
// lost (pushes are unconfirmed in DLMS, the meter does not resend), and the
// head-end's scheduled profile reads fill the gap (backfill). A publish
// that fails is retried with the same ID until it succeeds or the listener
// stops.
//
// # Cost
//
// The bus costs about 20 µs per message whatever its size, so thousands of
// pushes share one. Per push the listener allocates nothing once its
// buffers have grown: one goroutine per connection decodes into reused
// APDU values and appends straight into the batch buffer under one lock.
// BENCHMARKS.md ("push") has the figures and where the time goes.
//
// # Concurrency
//
// A Listener serves any number of connections at once; a meter's pushes
// are opened under the meter's lock, so its counter check is exact even
// when its pushes arrive on several connections.
package push
