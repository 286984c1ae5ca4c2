// Package wave is the fleet simulator's waveform mode: a household of
// appliances switching on and off, whose summed current runs through the
// real metrology core (IEEE 1459 analysis and all) at the meter's sample
// rate — what a meter with a NILM module sees.
//
// # Appliances
//
// An Appliance is one mains cycle of steady current, phase-locked to the
// supply voltage (the cycle starts at the voltage's rising zero crossing).
// FromPLAID makes one per appliance of the PLAID event cycles
// (../shared/data/plaid-events: 500 samples at 30 kHz, 60 Hz, ≈120 V) —
// the first switch-on cycle of each, which is the appliance's own current
// right after it started — resampled to a 50 Hz cycle at the meter's rate
// by band-limited (DFT) interpolation: harmonics up to the new cycle's
// Nyquist order are kept exactly, the DC offset of the clamp is dropped.
// The current is scaled by U_PLAID/230 V so the appliance draws the power
// it drew in the recording. Synthetic returns built-in appliances (a
// heater, a motor, a switched-mode supply, a lamp) for machines without
// the data.
//
// # Households and the driver
//
// A Driver is a meter/feed.Driver (the simulator steps it like the fast
// mode's): between Advance calls it synthesises u = 230 V·√2·sin(2π·50·t)
// and the sum of the currents of the appliances that are on, sample by
// sample, and feeds them to its metrology core. Each appliance switches
// on and off with exponential on and off times of its own means, drawn
// from a PCG stream of (seed, meter, appliance): the same seed gives the
// same switching on every run. OnSwitch sees every switch with its exact
// time — the ground truth a NILM module can be scored against.
//
// The rate must be a whole multiple of 50 Hz at least the metrology
// core's minimum (3.2 kHz), so a cycle is a whole number of samples.
//
// A Driver belongs to the goroutine that advances it; its View may be
// read from any goroutine.
package wave
