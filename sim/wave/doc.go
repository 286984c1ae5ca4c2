// Package wave is the fleet simulator's waveform mode: a household of
// appliances switching on and off, whose summed current runs through the
// real metrology core (IEEE 1459 analysis and all) at the meter's sample
// rate — what a meter with a NILM module sees.
//
// # Appliances
//
// The appliances are nilm/appliance's, the same the NILM module's tests
// and `amigo nilm home` play: PLAID event cycles re-timed to one 50 Hz
// period at the meter's rate (appliance.FromDataset: harmonics, their
// phases to the voltage and the DC the classifier sees kept, amperes as
// recorded), so a feature library trained on PLAID recognises them; or
// appliance.Synthetic's built-in ones for machines without the data.
// Their analytic powers on the simulated 230 V, 50 Hz supply are
// Appliance.PowerAt and ReactiveAt.
//
// # Households and the driver
//
// A Driver is a meter/feed.Driver (the simulator steps it like the fast
// mode's): between Advance calls it plays an appliance.Stream — u = 230
// V·√2·sin(2π·50·t) and the sum of the currents of the appliances that
// are on, sample by sample — into its metrology core, and hands the same
// frames to its tap (SetTap: the NILM expansion module, as
// meter/feed.Waveform does). Each appliance switches on and off with
// exponential on and off times of its own means (Household draws them
// within Habits), drawn from a PCG stream of (seed, meter, appliance):
// the same seed gives the same switching on every run. OnSwitch sees
// every switch with its exact time — the ground truth a NILM module is
// scored against; Energy integrates it into the analytic P and Q1
// energies the meter must register.
//
// The rate must be a whole multiple of 50 Hz at least the metrology
// core's minimum (3.2 kHz), so a cycle is a whole number of samples.
//
// A Driver belongs to the goroutine that advances it; its View may be
// read from any goroutine.
package wave
