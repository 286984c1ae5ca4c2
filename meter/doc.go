// Package meter is the management core of an amigo meter: the legally
// non-relevant half of an IR46 / WELMEC 7.2 dual-core meter. It reads the
// sealed metrology core through the read-only Metrology interface (a
// *metrology.View) and keeps time, prices energy, records profiles and
// events, runs the payment account, switches the supply and reports.
//
// # Parts
//
// Each concept lives in its own package, plain data and logic with no
// I/O: meter/clock (IC 8), meter/calendar (IC 20, 11, 22), meter/energy
// (registers per tariff, IC 5 demand), meter/tariff (tiered and TOU
// prices), meter/profile (IC 7 buffers), meter/eventlog, meter/supply
// (IC 70, 71), meter/prepay (IC 111–113), meter/push (IC 40). This
// package wires them: Meter.
//
// # Driving a meter
//
// A Meter owns no goroutine. Whoever runs it (cmd/amigo's ticker, the
// fleet simulator's scheduler) feeds the metrology core and calls
// Step(trueNow) with non-decreasing true times; Next says when the next
// duty falls due (tariff switch, capture, demand period, billing,
// schedule, push), so a scheduler for thousands of meters can step each
// exactly then and rarely otherwise. Energy counted since the previous
// step is booked to the tariff in force at the previous step, and duties
// use the values at the step's time: stepping at Next makes tariff splits
// and profile entries exact.
//
// The meter's clock (meter/clock) is a simulated crystal driven by true
// time, so its time can drift and be set, while the metrology core's clock
// is the true time it is fed.
//
// # Legal separation
//
// Nothing in the management core can change a metrology register or
// calibration: it sees only Metrology, which has no such method, and its
// own registers are built from the increments it reads (energy never
// resets; the metrology core restarting at zero is rebaselined, not
// subtracted). A test parses this package tree and fails on any use of a
// metrology identifier that could write.
//
// # Concurrency
//
// Every exported method of Meter locks it; Step, commands from DLMS
// associations and reads may come from different goroutines. Pushes are
// encoded and handed to the Pusher after the lock is released.
package meter
