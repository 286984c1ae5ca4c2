// Package appliance synthesises what a meter's waveform input sees in a
// household: each appliance draws one steady cycle of current, locked to
// the supply voltage, and the household's current is the sum of the
// appliances switched on (valid at the current level with a stiff supply,
// as in the NILM evaluation's mixed loads). It is what the NILM module's
// tests, `amigo nilm home` and the simulator's waveform meters (sim/wave)
// feed a waveform-mode meter.
//
// FromPLAID makes an appliance of a PLAID event cycle re-timed to one
// mains period at the household's rate (plaid.Event.Retime: a 60 Hz,
// 30 kHz cycle becomes a 50 Hz one of RateHz/50 samples, harmonics and
// their phases to the voltage kept, amperes as recorded); FromDataset
// takes the first switch-on cycles of each PLAID appliance; Synthetic
// returns built-in appliances for machines without the data. PowerAt and
// ReactiveAt are an appliance's analytic P and Q1 on a sine supply.
//
// Household.Frames plays a list of switches: a sine voltage of Volts RMS
// whose rising zero crossing is sample 0, plus Gaussian noise of a fixed
// seed, so the same inputs give the same samples. Household.Stream plays
// the same frame by frame while its caller switches appliances (an
// open-ended simulation); a Stream belongs to one goroutine. Schedule
// draws a switching sequence in which appliances overlap, so most events
// happen while others run.
//
// Apart from Stream, everything here is plain data and pure functions.
package appliance
