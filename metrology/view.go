package metrology

import (
	"errors"
	"time"
)

// ErrNoWaveform is returned by View.Capture when the view belongs to an
// Accumulator fed with powers rather than samples.
var ErrNoWaveform = errors.New("metrology: no waveform (fast mode)")

// View is the read-only face of a metrology core or accumulator: registers,
// instantaneous values, freezes, the last window's full results, waveform
// capture and the software identification. It has no method that changes
// anything, and everything it returns is a copy, so a management core holding
// only a *View cannot alter registers or calibration. Its methods are safe
// for concurrent use with the writer and with each other.
type View struct {
	acc  *Accumulator
	core *Core // nil in fast mode
}

// Registers returns the current register values.
func (v *View) Registers() Registers {
	v.acc.mu.RLock()
	defer v.acc.mu.RUnlock()
	return registersOf(&v.acc.regs)
}

// Instant returns the values of the last integration step: the last
// window's per-phase U, I, P, Q1, S and frequency, or the last load-model
// step in fast mode.
func (v *View) Instant() Power {
	v.acc.mu.RLock()
	defer v.acc.mu.RUnlock()
	return v.acc.instant
}

// Now returns the metrology clock: Start plus all integrated time.
func (v *View) Now() time.Time {
	v.acc.mu.RLock()
	defer v.acc.mu.RUnlock()
	return v.acc.now
}

// Freezes returns the retained freezes of a period, oldest first (nil for a
// period that is not configured).
func (v *View) Freezes(period time.Duration) []Freeze {
	v.acc.mu.RLock()
	defer v.acc.mu.RUnlock()
	for i := range v.acc.schedules {
		s := &v.acc.schedules[i]
		if s.period != period {
			continue
		}
		out := make([]Freeze, 0, len(s.ring))
		out = append(out, s.ring[s.head:]...)
		return append(out, s.ring[:s.head]...)
	}
	return nil
}

// Measurement returns the full results of the last analysed window; false
// before the first window and in fast mode.
func (v *View) Measurement() (Measurement, bool) {
	if v.core == nil {
		return Measurement{}, false
	}
	return v.core.lastMeasurement()
}

// Capture returns the last `cycles` cycles of every wired channel.
func (v *View) Capture(cycles int) (Waveform, error) {
	if v.core == nil {
		return Waveform{}, ErrNoWaveform
	}
	return v.core.capture(cycles)
}

// Identity returns the software ID and checksums. In fast mode the
// parameters are those of a default core; there is no calibration to hash.
func (v *View) Identity() Identity {
	if v.core == nil {
		cfg := (&Config{Energy: v.acc.cfg}).withDefaults()
		return newIdentity(&cfg, 0)
	}
	return v.core.identity()
}
