// Package metrology is the sealed metrology core of an amigo meter (the
// legally relevant part of an IR46 / WELMEC 7.2 dual-core design). It turns
// voltage and current samples into IEEE 1459-2010 quantities, integrates
// them into integer energy registers and freezes those registers at period
// boundaries. Nothing outside this package can change a register or a
// calibration parameter except through Calibrate.
//
// # Samples to windows
//
// A Core takes interleaved frames (u then i of every wired phase, a, b, c
// order) at a fixed rate. It cuts the stream into windows of exactly 10
// cycles of the fundamental at 50 Hz (12 at 60 Hz), IEC 61000-4-7, with
// fractional ends: the frequency is tracked on a phase voltage (see
// frequency.go), and every channel is read at M = 1024 (2048 at 60 Hz)
// positions spread evenly over the window by band-limited interpolation
// (a 24-tap Kaiser-windowed sinc, resample.go). On that synchronous grid
// the DFT bin N·h holds exactly harmonic h, whatever the sample rate and
// whatever the frequency between 0.8 and 1.2 × nominal. The same
// interpolation reads each channel earlier by its calibrated Delay, which
// is how V/I sampling skew and transformer phase error are compensated.
//
// Per window and phase: U, I (RMS), P, P1, PH = P − P1, Q1 (fundamental
// reactive, positive when the current lags), Budeanu Q_B (reported only),
// S = U·I, S1, PF, PF1, THD_U, THD_I, and for h = 0…H the harmonic
// phasors, group and subgroup values (IEC 61000-4-7 §3). H is 50, or fewer
// where the rate is below 139 samples per nominal cycle (H = ⌊0.36·rate /
// nominal⌋). The minimum rate is 64 samples per nominal cycle. Content above
// the 51st harmonic must be removed before sampling (the ADC's anti-aliasing
// filter), as IEC 61000-4-7 requires of any instrument.
//
// # Energy
//
// Each window's total P, Q1 and S (arithmetic sum of phases) is held for the
// window's duration and integrated by an Accumulator into registers in µWh
// (µvarh, µVAh): import/export active (by the sign of total P), fundamental
// reactive by quadrant QI…QIV (by the signs of total P and Q1), and apparent
// import/export. Power is quantised to 1 µW and time to 1 ns per step, their
// product is exact in 128-bit integers, and the sub-µWh remainder is carried,
// so registers are exact sums however time is split and never drift. A
// phase whose current is below the no-load threshold adds nothing
// (anti-creep); anything above it registers from the first window (starting
// current). Freezes are taken at multiples of each period (1 and 15 minutes
// by default) of the metrology clock, splitting a window at the boundary;
// consecutive freezes' deltas add up to the register difference exactly.
// An Accumulator can also be fed directly (a simulator's fast mode).
//
// # Reading and sealing
//
// A management core gets a *View: registers, instantaneous values,
// freezes, the last window's full Measurement, waveform capture and the
// Identity (SoftwareID, SHA-256 of this package's non-test sources, SHA-256
// of the metrological parameters, and a calibration counter). Everything a
// View returns is a copy. Calibration changes only through Core.Calibrate,
// which returns the new Identity; it belongs behind the meter's logged,
// seal-breaking path.
//
// # Concurrency
//
// Core.Process, Finish and Calibrate (and Accumulator.Integrate) are for a
// single owning goroutine. View methods are safe from any goroutine at any
// time. Steady-state processing allocates nothing.
package metrology
