// Package feed is the hardware side of a software meter: it owns a
// metrology core and feeds it up to a given true time, either with
// waveform samples (Waveform: the real core, IEEE 1459 analysis and all)
// or with a load model's powers (Fast: the core's accumulator, one
// integration step a second, for fleets). It is the only package under
// meter/ that may write to the metrology core; the management core never
// imports it (meter's separation test checks both).
//
// While the meter's disconnector is open the feed carries the voltage but
// no current: nothing registers.
//
// A Waveform driver hands a Tap (an expansion module, meter/module/...) a
// copy of every frame after the core has taken it: the module hears the
// waveform and holds nothing through which it could change a register.
//
// A driver belongs to the goroutine that advances it; its View may be read
// from any goroutine.
package feed
