package nilm

import (
	"errors"
	"math"
	"testing"
)

// cycle samples one period of v = √2·V·sin(ωt) and i(θ) at n points, θ = ωt.
func cycle(n int, vrms float64, i func(theta float64) float64) (v, cur []float64) {
	v, cur = make([]float64, n), make([]float64, n)
	for k := range n {
		th := 2 * math.Pi * float64(k) / float64(n)
		v[k] = math.Sqrt2 * vrms * math.Sin(th)
		cur[k] = i(th)
	}
	return v, cur
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.9g, want %.9g ± %g", name, got, want, tol)
	}
}

func TestExtractResistive(t *testing.T) {
	v, i := cycle(500, 230, func(th float64) float64 { return math.Sqrt2 * 10 * math.Sin(th) })
	f, err := Extract(v, i)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "IRMS", f.IRMS, 10, 1e-9)
	near(t, "P", f.P, 2300, 1e-6)
	near(t, "Q1", f.Q1, 0, 1e-6)
	near(t, "PF", f.PF, 1, 1e-12)
	near(t, "THD", f.THD, 0, 1e-6)
	near(t, "CrestFactor", f.CrestFactor, math.Sqrt2, 1e-9)
	near(t, "I1", f.Harmonics[1].RMS, 10, 1e-9)
	near(t, "phase 1", f.Harmonics[1].Phase, 0, 1e-9)
	for h := 2; h <= MaxHarmonic; h++ {
		near(t, "harmonic", f.Harmonics[h].RMS, 0, 1e-9)
	}
	near(t, "VI area", f.VI.Area, 0, 1e-9)
	near(t, "VI asymmetry", f.VI.Asymmetry, 0, 1e-9)
	near(t, "VI curvature", f.VI.Curvature, 0, 1e-9)
	if f.VI.SelfIntersections != 0 {
		t.Errorf("self-intersections = %d, want 0", f.VI.SelfIntersections)
	}
	// Shape bin b averages √2·sin θ over [2πb/32, 2π(b+1)/32). A sample
	// straddling a bin edge (15.625 samples a bin) counts as a constant
	// over its width: an error of about |i'|·Δθ²/(8·bin width) ≈ 1.4e-4.
	for b := range ShapeBins {
		a0, a1 := 2*math.Pi*float64(b)/ShapeBins, 2*math.Pi*float64(b+1)/ShapeBins
		near(t, "shape bin", f.Shape[b], math.Sqrt2*(math.Cos(a0)-math.Cos(a1))*ShapeBins/(2*math.Pi), 3e-4)
	}
	x := f.Vector()
	near(t, "log_irms", x[FLogIRMS], 1, 1e-12)
	near(t, "active", x[FActive], math.Asinh(10/componentScale), 1e-9)
	near(t, "reactive", x[FReactive], 0, 1e-6)
	near(t, "sin_phi1", x[FSinPhi1], 0, 1e-9)
	near(t, "distortion", x[FDistortion], 1, 1e-9)
	if nd := DefaultSplit(); nd.Node(&x) != Resistive {
		t.Errorf("node = %s, want resistive", nd.Node(&x))
	}
}

// TestExtractThirdHarmonic: i = √2·10·sin(θ − 30°) + √2·2·sin(3θ + 40°)
// against v = √2·230·sin θ. With phasors referred to cosine, V1 is at −90°,
// I1 at −120°, I3 at 40° − 90° = −50°, so the phase of I3 relative to the
// voltage fundamental is −50° − 3·(−90°) = 220° ≡ −140°.
func TestExtractThirdHarmonic(t *testing.T) {
	deg := math.Pi / 180
	v, i := cycle(400, 230, func(th float64) float64 {
		return math.Sqrt2*10*math.Sin(th-30*deg) + math.Sqrt2*2*math.Sin(3*th+40*deg)
	})
	f, err := Extract(v, i)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "P", f.P, 2300*math.Cos(30*deg), 1e-6)
	near(t, "Q1 (lagging, positive)", f.Q1, 2300*math.Sin(30*deg), 1e-6)
	near(t, "IRMS", f.IRMS, math.Sqrt(104), 1e-9)
	near(t, "I3", f.Harmonics[3].RMS, 2, 1e-9)
	near(t, "phase 1", f.Harmonics[1].Phase, -30*deg, 1e-9)
	near(t, "phase 3", f.Harmonics[3].Phase, -140*deg, 1e-9)
	near(t, "THD", f.THD, 0.2, 1e-9)
	near(t, "I5", f.Harmonics[5].RMS, 0, 1e-9)
	x := f.Vector()
	near(t, "h3_re", x[FHarm3Re], 0.2*math.Cos(-140*deg), 1e-9)
	near(t, "h3_im", x[FHarm3Re+1], 0.2*math.Sin(-140*deg), 1e-9)
	near(t, "sin_phi1", x[FSinPhi1], 0.5, 1e-9)
}

// TestExtractHalfWave: a half-wave rectified sine of peak A has I1 = A/(2√2),
// I2 = 2A/(3π√2), IRMS = A/2; its halves do not mirror: (i(t)+i(t+T/2))/2
// = A·|sin θ|/2, whose RMS relative to the peak A is 1/(2√2).
func TestExtractHalfWave(t *testing.T) {
	const a = 4.0
	v, i := cycle(600, 120, func(th float64) float64 { return a * max(math.Sin(th), 0) })
	f, err := Extract(v, i)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "IRMS", f.IRMS, a/2, 1e-9)
	near(t, "I1", f.Harmonics[1].RMS, a/(2*math.Sqrt2), 1e-9)
	// The sampled kink aliases the harmonics near 600 back onto h = 2.
	near(t, "I2", f.Harmonics[2].RMS, 2*a/(3*math.Pi*math.Sqrt2), 1e-4)
	near(t, "I3 (odd harmonics above 1 vanish)", f.Harmonics[3].RMS, 0, 1e-9)
	near(t, "VI asymmetry", f.VI.Asymmetry, 1/(2*math.Sqrt2), 1e-9)
	// |i| > 0.1·A where sin θ > 0.1.
	near(t, "conduction", f.Conduction, 0.5-math.Asin(0.1)/math.Pi, 1.0/600)
}

// TestPhaseIsTimeShiftInvariant: starting the record elsewhere in the cycle
// moves every phasor but not the phases relative to the voltage.
func TestPhaseIsTimeShiftInvariant(t *testing.T) {
	v, i := cycle(360, 230, func(th float64) float64 {
		return 3*math.Sin(th-0.4) + math.Sin(5*th+1) + 0.5*math.Sin(7*th-2)
	})
	f0, _ := Extract(v, i)
	shift := 77
	v2 := append(append([]float64(nil), v[shift:]...), v[:shift]...)
	i2 := append(append([]float64(nil), i[shift:]...), i[:shift]...)
	f1, _ := Extract(v2, i2)
	for _, h := range []int{1, 5, 7} {
		d := wrapPhase(f1.Harmonics[h].Phase - f0.Harmonics[h].Phase)
		near(t, "phase shift of h", d, 0, 1e-9)
	}
}

// TestShapeIsTimeShiftInvariant: the shape is anchored at the voltage
// fundamental's rising zero, so starting the record elsewhere in the cycle
// (by whole samples) leaves every bin as it was.
func TestShapeIsTimeShiftInvariant(t *testing.T) {
	v, i := cycle(360, 230, func(th float64) float64 {
		return 3*math.Sin(th-0.4) + math.Sin(5*th+1) + 0.5*math.Sin(7*th-2)
	})
	f0, _ := Extract(v, i)
	for _, shift := range []int{1, 77, 359} {
		v2 := append(append([]float64(nil), v[shift:]...), v[:shift]...)
		i2 := append(append([]float64(nil), i[shift:]...), i[:shift]...)
		f1, _ := Extract(v2, i2)
		for b := range ShapeBins {
			near(t, "shape bin", f1.Shape[b], f0.Shape[b], 1e-9)
		}
	}
}

// TestBinAverages: sample k stands for [k−½, k+½); eight samples 1 … 8 in
// four bins.
func TestBinAverages(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	tests := []struct {
		name  string
		start float64
		want  []float64
	}{
		// Bins from 7.5 (≡ −½): exactly two samples each.
		{"on sample edges", 7.5, []float64{1.5, 3.5, 5.5, 7.5}},
		// From sample 0's centre: half of 1, 2, half of 3; … the last bin
		// wraps to half of sample 0.
		{"from a sample centre", 0, []float64{2, 4, 6, (0.5*7 + 8 + 0.5*1) / 2}},
		// From sample 1.25: [1.75, 3.75) holds ¼ of 2, 3, ¾ of 4.
		{"fractional start", 1.25, []float64{(0.25*2 + 3 + 0.75*4) / 2, (0.25*4 + 5 + 0.75*6) / 2, (0.25*6 + 7 + 0.75*8) / 2, (0.25*8 + 1 + 0.75*2) / 2}},
	}
	for _, tc := range tests {
		got := make([]float64, 4)
		binAverages(got, x, 1, tc.start)
		for b := range got {
			near(t, tc.name, got[b], tc.want[b], 1e-12)
		}
	}
	// Bins that do not divide the record still tile it: the mean of the
	// bins is the mean of the record.
	got := make([]float64, 3)
	binAverages(got, x, 2, 0.3)
	near(t, "mean of 3 bins ×2", (got[0]+got[1]+got[2])/3, 9, 1e-12)
}

func TestExtractRejects(t *testing.T) {
	v, i := cycle(100, 230, math.Sin)
	tests := []struct {
		name string
		v, i []float64
	}{
		{"lengths differ", v, i[:99]},
		{"too short", v[:MinCyclePoints-1], i[:MinCyclePoints-1]},
		{"zero current", v, make([]float64, 100)},
		{"NaN", v, append(append([]float64(nil), i[:50]...), append([]float64{math.NaN()}, i[51:]...)...)},
	}
	for _, tc := range tests {
		if _, err := Extract(tc.v, tc.i); !errors.Is(err, ErrCycle) {
			t.Errorf("%s: err = %v, want ErrCycle", tc.name, err)
		}
	}
}

func TestSplitNodes(t *testing.T) {
	s := DefaultSplit()
	tests := []struct {
		name            string
		pf, sinPhi, thd float64
		want            Node
	}{
		{"heater", 1, 0, 0.02, Resistive},
		{"motor", 0.85, 0.5, 0.08, MotorInductive},
		{"smps", 0.6, -0.1, 1.2, ElectronicRectifier},
		{"dimmed lamp", 0.9, 0.2, 0.3, Mixed},
	}
	for _, tc := range tests {
		var x Vector
		x[FPF], x[FSinPhi1], x[FDistortion] = tc.pf, tc.sinPhi, 1/math.Sqrt(1+tc.thd*tc.thd)
		if got := s.Node(&x); got != tc.want {
			t.Errorf("%s: node %s, want %s", tc.name, got, tc.want)
		}
	}
}
