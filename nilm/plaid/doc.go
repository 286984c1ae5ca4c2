// Package plaid loads the PLAID appliance event cycles prepared in
// shared/data/plaid-events (see its README): one mains cycle of voltage and
// of the appliance's own current per event, 500 samples at 30 kHz, 60 Hz
// mains, with an appliance id and the event direction.
//
// Source: Medico, De Baets, Gao et al., "A voltage and current measurement
// dataset for plug load appliance identification in households", Scientific
// Data 7, 49 (2020), CC BY 4.0; cut into event cycles for Faustine, Pereira,
// Klemenjak, IEEE Trans. Smart Grid 12(1), 2021.
//
// Load reads the four .npy files strictly and checks that their shapes agree;
// the returned Dataset is owned by the caller. Event.Retime turns a cycle
// into one period of any mains frequency at any rate (a 50 Hz meter's
// waveform input), referred to the voltage fundamental.
package plaid
