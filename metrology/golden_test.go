package metrology_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// run feeds seconds of s to a new core (in uneven chunks, as an ADC driver
// would) and returns every window's measurement and the finished core.
func run(t testing.TB, s *signal.Signal, seconds float64, cfg metrology.Config) ([]metrology.Measurement, *metrology.Core) {
	t.Helper()
	var ms []metrology.Measurement
	cfg.Rate = s.Rate
	cfg.Phases = s.Present()
	if cfg.Nominal == 0 {
		cfg.Nominal = 50
	}
	prev := cfg.OnWindow
	cfg.OnWindow = func(m metrology.Measurement) {
		ms = append(ms, m)
		if prev != nil {
			prev(m)
		}
	}
	core, err := metrology.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	x, err := s.Samples(int(math.Round(seconds * s.Rate)))
	if err != nil {
		t.Fatal(err)
	}
	nc := s.Channels()
	for chunk := 37; len(x) > 0; chunk = chunk*7%1999 + 1 {
		k := min(chunk, len(x)/nc) * nc
		if err := core.Process(x[:k]); err != nil {
			t.Fatal(err)
		}
		x = x[k:]
	}
	if err := core.Finish(); err != nil {
		t.Fatal(err)
	}
	return ms, core
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got/want - 1)
}

// TestGoldenAnnexB: IEEE 1459-2010 Annex B at several rates, at and off
// 50 Hz, with a non-integer number of cycles in the record. Every window
// must give the published values within 1e-4 relative.
func TestGoldenAnnexB(t *testing.T) {
	want := map[string]float64{
		"P": 8589.162, "P1": 8660.254, "Q1": 5000.000, "QB": 4962.899,
		"S": 10517.493, "S1": 10000, "THDU": 0.17720, "THDI": 0.26926,
	}
	for _, rate := range []float64{3200, 7680, 8000, 10240, 12800} {
		for _, f := range []float64{50, 49.37, 51.13} {
			t.Run(fmt.Sprintf("rate=%v/f=%v", rate, f), func(t *testing.T) {
				p := signal.AnnexB()
				s := &signal.Signal{Rate: rate, Frequency: f, Phases: [3]*signal.Phase{&p}}
				ms, _ := run(t, s, 1.537, metrology.Config{NominalVoltage: 100})
				if len(ms) < 6 {
					t.Fatalf("%d windows in 1.537 s", len(ms))
				}
				for _, m := range ms {
					pv := m.Phases[0]
					got := map[string]float64{
						"P": pv.P, "P1": pv.P1, "Q1": pv.Q1, "QB": pv.QB,
						"S": pv.S, "S1": pv.S1, "THDU": pv.THDU, "THDI": pv.THDI,
					}
					for k, w := range want {
						// the published values have 7 significant digits
						if e := relErr(got[k], w); e > 1e-4 {
							t.Errorf("window %d: %s = %.6f, want %.6f (error %.2g)", m.Seq, k, got[k], w, e)
						}
					}
					if e := math.Abs(pv.PH - (pv.P - pv.P1)); e > 1e-9 {
						t.Errorf("PH ≠ P − P1")
					}
					if math.Abs(m.Frequency-f) > 1e-3 || !m.Locked {
						t.Errorf("window %d: f = %v (locked %v), want %v", m.Seq, m.Frequency, m.Locked, f)
					}
					angles := map[int]float64{1: -30, 3: -95, 5: 94, 7: -146}
					for h, a := range angles {
						if d := math.Abs(pv.Harmonics[h].Angle() - a); d > 0.01 {
							t.Errorf("window %d: angle h%d = %.4f°, want %v°", m.Seq, h, pv.Harmonics[h].Angle(), a)
						}
					}
				}
			})
		}
	}
}
