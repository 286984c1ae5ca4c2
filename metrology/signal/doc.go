// Package signal generates synthetic voltage and current waveforms whose
// electrical quantities are known analytically, so that the metrology core
// can be tested against truth rather than against itself.
//
// A Signal is a fundamental frequency, a sample rate and up to three phases.
// Each phase has a voltage and a current Waveform: a DC offset plus a sum of
// sinusoidal Components (harmonics, interharmonics, the sub-harmonics of a
// burst-fired load), optional white Gaussian noise from a fixed seed, and
// optional amplitude steps. A component of order r, RMS value X and phase φ
// (radians) contributes
//
//	√2·X·sin(2π·r·f·t + φ)
//
// to the waveform, so IEEE 1459 phasors such as "100∠−30°" are written
// Component{Order: 1, RMS: 100, Phase: Deg(-30)}.
//
// The non-sinusoidal loads (HalfWave, PhaseFired, BurstFired) are built from
// their exact Fourier series truncated at a maximum harmonic order: what a
// meter sees behind an ideal anti-aliasing filter. Their truth is computed
// from the same series, so it is exact for the generated samples.
//
// Truth gives the IEEE 1459-2010 quantities of the signal (RMS, P, P1, Q1,
// Budeanu Q_B, S, S1, PF, THD and per-harmonic values) and Energy the exact
// integral of u·i over any interval, steps included. Noise enters the RMS
// truth through its variance and nothing else. Skew (the current channel
// sampled later than the voltage, as a multiplexed ADC does) changes the
// samples, never the truth: it is an error the core must be calibrated for.
//
// A Generator is stateful and not safe for concurrent use; a Signal is a
// plain value and may be shared once built.
package signal
