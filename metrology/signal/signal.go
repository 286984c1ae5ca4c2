package signal

import (
	"errors"
	"fmt"
	"math"
)

// Component is one sinusoid of a Waveform: √2·RMS·sin(2π·Order·f·t + Phase).
type Component struct {
	Order float64 // multiple of the fundamental frequency: 1, 3, 0.5, 2/3 …
	RMS   float64 // RMS value in volts or amperes
	Phase float64 // radians at t = 0
}

// Step multiplies a whole Waveform (DC and components) by Scale from time At
// (seconds) on, until the next step.
type Step struct {
	At    float64
	Scale float64
}

// Waveform is one channel: DC offset, sinusoids, noise and steps.
type Waveform struct {
	DC         float64
	Components []Component
	Noise      float64 // RMS of white Gaussian noise added to every sample
	Steps      []Step  // in increasing order of At
}

// Phase is the voltage and current of one phase conductor.
type Phase struct {
	U, I Waveform
	// Skew is how many seconds after the voltage the current is sampled
	// (a multiplexed ADC converts channels one after another).
	Skew float64
}

// Signal is a sampled one- or three-phase test signal.
type Signal struct {
	Rate      float64   // samples per second
	Frequency float64   // fundamental, Hz
	Phases    [3]*Phase // a, b, c; nil for an absent phase
	Seed      uint64    // for the noise
}

// Deg converts degrees to radians, so phasors read as in the standards.
func Deg(deg float64) float64 { return deg * math.Pi / 180 }

// Sine returns a waveform with a single fundamental component.
func Sine(rms, phase float64) Waveform {
	return Waveform{Components: []Component{{Order: 1, RMS: rms, Phase: phase}}}
}

// Present reports which phases the signal has, in a, b, c order.
func (s *Signal) Present() [3]bool {
	return [3]bool{s.Phases[0] != nil, s.Phases[1] != nil, s.Phases[2] != nil}
}

// Channels is the number of interleaved channels per frame: u and i of every
// present phase.
func (s *Signal) Channels() int {
	n := 0
	for _, p := range s.Phases {
		if p != nil {
			n += 2
		}
	}
	return n
}

// Validate reports the first thing that makes s unusable.
func (s *Signal) Validate() error {
	if !(s.Rate > 0) || math.IsInf(s.Rate, 0) {
		return fmt.Errorf("signal: rate %v Hz: must be positive and finite", s.Rate)
	}
	if !(s.Frequency > 0) || s.Frequency >= s.Rate/2 {
		return fmt.Errorf("signal: frequency %v Hz: must be positive and below half the rate", s.Frequency)
	}
	if s.Channels() == 0 {
		return errors.New("signal: no phases")
	}
	for i, p := range s.Phases {
		if p == nil {
			continue
		}
		for _, w := range []Waveform{p.U, p.I} {
			for _, c := range w.Components {
				if !(c.Order > 0) || c.Order*s.Frequency >= s.Rate/2 {
					return fmt.Errorf("signal: phase %c: order %v at %v Hz: must be positive and below half the rate", 'a'+i, c.Order, s.Frequency)
				}
			}
			for j := 1; j < len(w.Steps); j++ {
				if w.Steps[j].At < w.Steps[j-1].At {
					return fmt.Errorf("signal: phase %c: steps out of order", 'a'+i)
				}
			}
		}
	}
	return nil
}

// Rotated returns a copy of p delayed by the fraction turn of a fundamental
// period: every component of order r turns by −2π·r·turn. With turn = 1/3
// this makes phase b of a positive-sequence system from phase a (harmonics
// then fall into their natural sequences: the 3rd is zero, the 5th negative).
func (p Phase) Rotated(turn float64) Phase {
	rot := func(w Waveform) Waveform {
		cs := make([]Component, len(w.Components))
		for i, c := range w.Components {
			c.Phase -= 2 * math.Pi * c.Order * turn
			cs[i] = c
		}
		w.Components = cs
		w.Steps = append([]Step(nil), w.Steps...)
		return w
	}
	p.U, p.I = rot(p.U), rot(p.I)
	return p
}

// ThreePhase returns phases a, b, c built from a: b lags a by a third of a
// period and c by two thirds (positive sequence), or the reverse with
// reversed set.
func ThreePhase(a Phase, reversed bool) [3]*Phase {
	turn := 1.0 / 3
	if reversed {
		turn = -turn
	}
	b, c := a.Rotated(turn), a.Rotated(2*turn)
	return [3]*Phase{&a, &b, &c}
}

// Scaled returns a copy of w with DC, every component and the noise
// multiplied by k.
func (w Waveform) Scaled(k float64) Waveform {
	cs := make([]Component, len(w.Components))
	for i, c := range w.Components {
		c.RMS *= k
		cs[i] = c
	}
	w.Components = cs
	w.DC *= k
	w.Noise *= k
	w.Steps = append([]Step(nil), w.Steps...)
	return w
}

// With returns a copy of w with extra components added.
func (w Waveform) With(cs ...Component) Waveform {
	w.Components = append(append([]Component(nil), w.Components...), cs...)
	return w
}

// scaleAt is the step multiplier in force at time t.
func (w *Waveform) scaleAt(t float64) float64 {
	k := 1.0
	for _, s := range w.Steps {
		if s.At > t {
			break
		}
		k = s.Scale
	}
	return k
}
