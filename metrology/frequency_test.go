package metrology_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// withHarmonics is 230 V with 5 % each of the 3rd, 5th and 7th and a
// current with 5 % 3rd and 5th: the F1 condition.
func withHarmonics() signal.Phase {
	return signal.Phase{
		U: signal.Sine(230, 0.3).With(
			signal.Component{Order: 3, RMS: 11.5, Phase: 1},
			signal.Component{Order: 5, RMS: 11.5, Phase: -2},
			signal.Component{Order: 7, RMS: 11.5, Phase: 0.5}),
		I: signal.Sine(5, -0.4).With(
			signal.Component{Order: 3, RMS: 0.25, Phase: 2},
			signal.Component{Order: 5, RMS: 0.25}),
	}
}

// F1: every 200 ms window within ±1 mHz from 42.5 to 57.5 Hz, at rates
// that are and are not multiples of the frequency, from the first window on.
func TestFrequencyWithinOneMillihertz(t *testing.T) {
	for _, rate := range []float64{3200, 8000, 10240} {
		for _, f := range []float64{42.5, 45, 47.77, 50, 50.003, 53.3, 55, 57.5} {
			t.Run(fmt.Sprintf("rate=%v/f=%v", rate, f), func(t *testing.T) {
				p := withHarmonics()
				s := &signal.Signal{Rate: rate, Frequency: f, Phases: signal.ThreePhase(p, false)}
				ms, _ := run(t, s, 1.2, metrology.Config{})
				if len(ms) < 4 {
					t.Fatalf("%d windows", len(ms))
				}
				for _, m := range ms {
					if !m.Locked || math.Abs(m.Frequency-f) > 1e-3 {
						t.Errorf("window %d: %.6f Hz (locked %v), want %v ± 0.001", m.Seq, m.Frequency, m.Locked, f)
					}
					// the window is 10 cycles within the tracker's acceptance (2·10⁻⁵)
					if d := m.Duration.Seconds()*f/10 - 1; math.Abs(d) > 2e-5 {
						t.Errorf("window %d lasts %v", m.Seq, m.Duration)
					}
				}
			})
		}
	}
}

// The tracker lets go when the voltage disappears, free-runs at the
// nominal frequency, and locks again when it returns.
func TestFrequencyLockLostAndRegained(t *testing.T) {
	p := withHarmonics()
	p.U.Steps = []signal.Step{{At: 0.6, Scale: 0}, {At: 1.3, Scale: 1}}
	s := &signal.Signal{Rate: 8000, Frequency: 51.7, Phases: [3]*signal.Phase{&p}}
	ms, _ := run(t, s, 2.2, metrology.Config{})
	var sawUnlocked bool
	for _, m := range ms {
		endS := m.End.Sub(ms[0].End).Seconds() + 10/51.7
		switch {
		case endS < 0.6 || endS > 1.3+0.45: // whole window with voltage, after reacquisition
			if !m.Locked || math.Abs(m.Frequency-51.7) > 1e-3 {
				t.Errorf("window %d (ends %.2f s): %.5f Hz locked=%v", m.Seq, endS, m.Frequency, m.Locked)
			}
		case endS > 0.85 && endS < 1.3: // whole window without voltage
			sawUnlocked = sawUnlocked || !m.Locked
			if m.Locked || m.Frequency != 50 {
				t.Errorf("window %d (ends %.2f s): %.5f Hz locked=%v without voltage", m.Seq, endS, m.Frequency, m.Locked)
			}
		}
	}
	if !sawUnlocked {
		t.Error("never unlocked")
	}
}

// A second phase takes over as reference when phase a loses its voltage.
func TestFrequencyReferenceMovesToLivePhase(t *testing.T) {
	phases := signal.ThreePhase(withHarmonics(), false)
	phases[0].U.Steps = []signal.Step{{At: 0.5, Scale: 0}}
	s := &signal.Signal{Rate: 8000, Frequency: 48.2, Phases: phases}
	ms, _ := run(t, s, 1.6, metrology.Config{})
	last := ms[len(ms)-1]
	if !last.Locked || math.Abs(last.Frequency-48.2) > 1e-3 {
		t.Errorf("last window: %.5f Hz locked=%v, want 48.2 locked", last.Frequency, last.Locked)
	}
	if last.Phases[0].U > 1e-6 {
		t.Errorf("phase a U = %v after its loss", last.Phases[0].U)
	}
}

// 60 Hz systems use 12-cycle windows; Annex B holds there too.
func TestSixtyHertzWindows(t *testing.T) {
	p := signal.AnnexB()
	s := &signal.Signal{Rate: 7680, Frequency: 59.3, Phases: [3]*signal.Phase{&p}}
	ms, _ := run(t, s, 1.0, metrology.Config{Nominal: 60, NominalVoltage: 100})
	if len(ms) < 3 {
		t.Fatalf("%d windows", len(ms))
	}
	tr := s.Truth().Phases[0]
	for _, m := range ms {
		if d := m.Duration.Seconds()*59.3/12 - 1; math.Abs(d) > 2e-5 {
			t.Errorf("window lasts %v, want 12 cycles", m.Duration)
		}
		if e := relErr(m.Phases[0].QB, tr.QB); e > 1e-5 {
			t.Errorf("QB error %.2g", e)
		}
	}
}

// IEC 61000-4-7 §3: an interharmonic at 5.2·f (bin 52 of a 10-cycle
// window) belongs to the group of the 5th harmonic but not to its subgroup,
// and not to the harmonic component itself.
func TestGroupsAndSubgroups(t *testing.T) {
	p := signal.Phase{
		U: signal.Sine(230, 0).With(signal.Component{Order: 5, RMS: 10}, signal.Component{Order: 5.2, RMS: 4}),
		I: signal.Sine(5, 0).With(signal.Component{Order: 4.5, RMS: 2}), // on the group boundary: half counts
	}
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{&p}}
	ms, _ := run(t, s, 0.6, metrology.Config{})
	h5 := ms[0].Phases[0].Harmonics[5]
	h4 := ms[0].Phases[0].Harmonics[4]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"U5 component", math.Hypot(real(h5.U), imag(h5.U)), 10},
		{"U5 subgroup", h5.USubgroup, 10},
		{"U5 group", h5.UGroup, math.Hypot(10, 4)},
		{"I5 group (half of bin 45)", h5.IGroup, 2 / math.Sqrt2},
		{"I4 group (other half)", h4.IGroup, 2 / math.Sqrt2},
		{"I5 subgroup", h5.ISubgroup, 0},
	}
	for _, c := range checks {
		if math.Abs(c.got-c.want) > 1e-4*math.Max(1, c.want) {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
}
