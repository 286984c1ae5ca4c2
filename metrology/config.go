package metrology

import (
	"errors"
	"fmt"
	"math"
)

// SoftwareID names the metrology core and its version (the legally relevant
// software identification of the meter's metrology part).
const SoftwareID = "amigo-metrology 1.0.0"

// MaxHarmonic is the highest harmonic order the core analyses (IEC 61000-4-7).
const MaxHarmonic = 50

// channels is the number of channel slots: ua, ia, ub, ib, uc, ic.
const channels = 6

// Tracking range and limits.
const (
	trackLow  = 0.8 // the frequency is tracked from 0.8 to 1.2 × nominal
	trackHigh = 1.2
	// maxDelay bounds a channel's calibrated delay, in seconds.
	maxDelay = 1e-3
	// voltageFloor is the fraction of the nominal voltage below which a phase
	// cannot serve as the frequency reference.
	voltageFloor = 0.05
)

// Config describes one metrology core. The zero value is not usable: Rate
// and at least one phase are required.
type Config struct {
	// Rate is the sample rate of every channel, in samples per second,
	// from MinRate(Nominal) to MaxRate.
	Rate float64
	// Nominal is the nominal frequency, 50 (default) or 60 Hz. It fixes the
	// window: 10 cycles at 50 Hz, 12 at 60 Hz (IEC 61000-4-7, ≈ 200 ms).
	Nominal float64
	// Phases says which of a, b, c are wired. Samples arrive as frames
	// holding u then i of every wired phase, in a, b, c order.
	Phases [3]bool
	// NominalVoltage Un, in volts (default 230). A phase serves as the
	// frequency reference while its voltage is at least 5 % of Un.
	NominalVoltage float64
	// Calibration is applied to every sample; nil means unity gains and no
	// offsets or delays. Later changes go through Core.Calibrate.
	Calibration *Calibration
	// Energy configures the registers, freezes and no-load threshold.
	Energy EnergyConfig
	// CaptureCycles is how many cycles of waveform Capture can return
	// (default 10).
	CaptureCycles int
	// OnWindow, if set, receives every window's results, synchronously from
	// Process, before the next window is analysed.
	OnWindow func(Measurement)
}

// MinRate is the lowest sample rate the core accepts for a nominal
// frequency: 64 samples per nominal cycle (3.2 kHz at 50 Hz). It leaves
// the harmonic analysis at least up to the 21st order; the 50th needs
// 50/0.36 ≈ 139 samples per cycle (6.95 kHz at 50 Hz).
func MinRate(nominal float64) float64 { return 64 * nominal }

// MaxRate bounds the sample rate, and with it the buffers (a few MB per core).
const MaxRate = 1e6

// harmonicOrders is the highest harmonic order analysed at a rate: the
// 50th, or the highest that stays in the resampler's flat band at the
// nominal frequency.
func harmonicOrders(rate, nominal float64) int {
	return min(MaxHarmonic, int(math.Floor(flatBand*rate/nominal)))
}

// ErrConfig is returned (wrapped) for an unusable Config or Calibration.
var ErrConfig = errors.New("metrology: invalid configuration")

func (c *Config) withDefaults() Config {
	d := *c
	if d.Nominal == 0 {
		d.Nominal = 50
	}
	if d.NominalVoltage == 0 {
		d.NominalVoltage = 230
	}
	if d.CaptureCycles == 0 {
		d.CaptureCycles = 10
	}
	if d.Calibration == nil {
		cal := UnityCalibration()
		d.Calibration = &cal
	}
	return d
}

func (c *Config) validate() error {
	switch {
	case c.Nominal != 50 && c.Nominal != 60:
		return fmt.Errorf("%w: nominal frequency %v Hz: want 50 or 60", ErrConfig, c.Nominal)
	case !(c.Rate >= MinRate(c.Nominal)) || c.Rate > MaxRate:
		return fmt.Errorf("%w: rate %v Hz: want %v Hz (64 samples per nominal cycle) to %v Hz", ErrConfig, c.Rate, MinRate(c.Nominal), MaxRate)
	case !c.Phases[0] && !c.Phases[1] && !c.Phases[2]:
		return fmt.Errorf("%w: no phase wired", ErrConfig)
	case !(c.NominalVoltage > 0) || math.IsInf(c.NominalVoltage, 0):
		return fmt.Errorf("%w: nominal voltage %v V", ErrConfig, c.NominalVoltage)
	case c.CaptureCycles < 1 || c.CaptureCycles > 1000:
		return fmt.Errorf("%w: capture of %d cycles: want 1…1000", ErrConfig, c.CaptureCycles)
	}
	if err := c.Calibration.Validate(); err != nil {
		return err
	}
	return c.Energy.validate()
}

// cycles is the number of fundamental cycles in one analysis window.
func cyclesPerWindow(nominal float64) int {
	if nominal == 60 {
		return 12
	}
	return 10
}

// gridSize is the number of synchronous samples a window is resampled to: a
// power of two whose Nyquist bin lies beyond the group of the 50th harmonic
// (bin 50·N + N/2).
func gridSize(cycles int) int {
	m := 4
	for m/2 <= MaxHarmonic*cycles+cycles/2 {
		m *= 2
	}
	return m
}
