package signal

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.9g, want %.9g ± %g", what, got, want, tol)
	}
}

// IEEE 1459-2010 Annex B publishes these values for its example.
func TestTruthAnnexB(t *testing.T) {
	s := &Signal{Rate: 8000, Frequency: 50}
	p := AnnexB()
	s.Phases[0] = &p
	pt := s.Truth().Phases[0]
	near(t, "P", pt.P, 8589.162, 1e-3)
	near(t, "P1", pt.P1, 8660.254, 1e-3)
	near(t, "Q1", pt.Q1, 5000.000, 1e-3)
	near(t, "QB", pt.QB, 4962.899, 1e-3)
	near(t, "S", pt.S, 10517.493, 1e-3)
	near(t, "S1", pt.S1, 10000, 1e-9)
	near(t, "THDU", pt.THDU, 0.17720, 1e-5)
	near(t, "THDI", pt.THDI, 0.26926, 1e-5)
	near(t, "PH", pt.PH, 8589.162-8660.254, 2e-3)
	near(t, "angle h1", pt.Harmonics[1].Angle, -30, 1e-9)
	near(t, "angle h7", pt.Harmonics[7].Angle, -146, 1e-9) // 234° − 20° = 214° ≡ −146°
}

// The samples must carry the truth: mean(u·i) and mean(u²) over whole
// cycles equal P and U², and the noise shows as its variance.
func TestSamplesCarryTruth(t *testing.T) {
	s := &Signal{Rate: 10000, Frequency: 50, Seed: 7}
	p := AnnexB()
	p.U.DC = 3
	p.I.DC = -0.5
	p.U.Noise = 2
	s.Phases[1] = &p // phase b only
	const n = 10000 * 20
	x, err := s.Samples(n)
	if err != nil {
		t.Fatal(err)
	}
	var pu, uu, ii float64
	for k := 0; k < n; k++ {
		u, i := x[2*k], x[2*k+1]
		pu += u * i
		uu += u * u
		ii += i * i
	}
	pt := s.Truth().Phases[1]
	near(t, "P", pu/n, pt.P, 0.002*pt.S) // noise × current averages out slowly
	near(t, "U", math.Sqrt(uu/n), pt.U, 0.01)
	near(t, "I", math.Sqrt(ii/n), pt.I, 1e-9*pt.I)
	near(t, "P without noise", pt.P, 8589.162-1.5, 1e-3)
}

func TestGatedLoadsMatchClosedForms(t *testing.T) {
	const peak = 10.0
	rms := func(w Waveform) float64 {
		s := w.DC * w.DC
		for _, c := range w.Components {
			s += c.RMS * c.RMS
		}
		return math.Sqrt(s)
	}
	find := func(w Waveform, order float64) Component {
		for _, c := range w.Components {
			if c.Order == order {
				return c
			}
		}
		return Component{}
	}
	hw := HalfWave(peak, 4000)
	near(t, "half-wave DC", hw.DC, peak/math.Pi, 1e-12)
	near(t, "half-wave h1", find(hw, 1).RMS, peak/2/math.Sqrt2, 1e-12)
	near(t, "half-wave h1 phase", find(hw, 1).Phase, 0, 1e-12)
	near(t, "half-wave h2", find(hw, 2).RMS, math.Sqrt2*peak/(3*math.Pi), 1e-12)
	near(t, "half-wave h3 (absent)", find(hw, 3).RMS, 0, 0)
	near(t, "half-wave RMS (Parseval)", rms(hw), peak/2, 1e-6)

	alpha := math.Pi / 3
	pf := PhaseFired(peak, alpha, 4000)
	want := peak * math.Sqrt((math.Pi-alpha+math.Sin(2*alpha)/2)/(2*math.Pi))
	near(t, "phase-fired RMS (Parseval)", rms(pf), want, 1e-3)
	near(t, "phase-fired DC", pf.DC, 0, 1e-12)

	bf := BurstFired(peak, 2, 3, 200)
	near(t, "burst-fired h1", find(bf, 1).RMS, 0.4*peak/math.Sqrt2, 1e-12)
	near(t, "burst-fired RMS (Parseval)", rms(bf), math.Sqrt(0.4)*peak/math.Sqrt2, 1e-3)
	if find(bf, 0.2).RMS == 0 {
		t.Error("burst-fired has no sub-harmonic at order 1/5")
	}
}

// Energy is exact: over a stretch with a step and a fractional number of
// cycles it matches a fine numerical integral of the generated samples.
func TestEnergyExactAcrossStep(t *testing.T) {
	const rate = 200000.0
	s := &Signal{Rate: rate, Frequency: 50}
	p := Phase{U: Sine(230, 0).With(Component{Order: 3, RMS: 10, Phase: 1}), I: PhaseFired(7, 1, 40)}
	p.I.DC = 0.3
	p.I.Steps = []Step{{At: 0.0123, Scale: 2.5}}
	s.Phases[2] = &p
	x, err := s.Samples(int(0.05 * rate))
	if err != nil {
		t.Fatal(err)
	}
	k0, k1 := 317, 8931 // arbitrary sample indices
	num := 0.0
	for k := k0; k < k1; k++ {
		num += x[2*k] * x[2*k+1] / rate
	}
	got := s.Energy(2, float64(k0)/rate, float64(k1)/rate)
	near(t, "energy", got, num, 2e-4*math.Abs(num))
	if s.Energy(0, 0, 1) != 0 {
		t.Error("absent phase has energy")
	}
}

func TestThreePhaseSequences(t *testing.T) {
	a := Phase{U: Sine(230, 0).With(Component{Order: 5, RMS: 10}), I: Sine(5, 0)}
	fwd := ThreePhase(a, false)
	near(t, "b fundamental", math.Remainder(fwd[1].U.Components[0].Phase, 2*math.Pi), Deg(-120), 1e-12)
	near(t, "c fundamental", math.Remainder(fwd[2].U.Components[0].Phase, 2*math.Pi), Deg(120), 1e-12)
	// the 5th harmonic is a negative-sequence quantity: b leads a by 120°
	near(t, "b 5th", math.Remainder(fwd[1].U.Components[1].Phase, 2*math.Pi), Deg(120), 1e-12)
	rev := ThreePhase(a, true)
	near(t, "reversed b", math.Remainder(rev[1].U.Components[0].Phase, 2*math.Pi), Deg(120), 1e-12)
	if a.U.Components[0].Phase != 0 {
		t.Error("ThreePhase modified its argument")
	}
}

func TestSkewDelaysCurrentSamples(t *testing.T) {
	s := &Signal{Rate: 8000, Frequency: 50, Phases: [3]*Phase{{U: Sine(100, 0), I: Sine(100, 0), Skew: 1.0 / 48000}}}
	x, err := s.Samples(100)
	if err != nil {
		t.Fatal(err)
	}
	for k := range 100 {
		tk := float64(k) / 8000
		near(t, "u", x[2*k], 100*math.Sqrt2*math.Sin(2*math.Pi*50*tk), 1e-9)
		near(t, "i", x[2*k+1], 100*math.Sqrt2*math.Sin(2*math.Pi*50*(tk+1.0/48000)), 1e-9)
	}
}

func TestPresetsBuildAndValidate(t *testing.T) {
	for _, p := range Presets() {
		s, err := Preset(p[0], 8000)
		if err != nil {
			t.Fatalf("%s: %v", p[0], err)
		}
		if s.Truth().S <= 0 {
			t.Errorf("%s: no apparent power", p[0])
		}
	}
	if _, err := Preset("nope", 8000); err == nil {
		t.Error("unknown preset accepted")
	}
	if _, err := Preset("pf05", 60); err == nil {
		t.Error("rate below twice the fundamental accepted")
	}
}

func TestValidateRejects(t *testing.T) {
	ok := func() *Signal {
		return &Signal{Rate: 8000, Frequency: 50, Phases: [3]*Phase{{U: Sine(230, 0), I: Sine(5, 0)}}}
	}
	cases := map[string]func(*Signal){
		"zero rate":        func(s *Signal) { s.Rate = 0 },
		"NaN rate":         func(s *Signal) { s.Rate = math.NaN() },
		"no phases":        func(s *Signal) { s.Phases[0] = nil },
		"order above band": func(s *Signal) { s.Phases[0].U.Components[0].Order = 80 },
		"order zero":       func(s *Signal) { s.Phases[0].I.Components[0].Order = 0 },
		"steps unordered":  func(s *Signal) { s.Phases[0].I.Steps = []Step{{At: 2}, {At: 1}} },
	}
	for name, mutate := range cases {
		s := ok()
		mutate(s)
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := ok().Validate(); err != nil {
		t.Errorf("valid signal rejected: %v", err)
	}
}
