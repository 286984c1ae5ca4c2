package signal

import (
	"math"
	"math/cmplx"
	"sort"
)

// MaxOrder is the highest harmonic order Truth reports.
const MaxOrder = 50

// Harmonic is the truth of one harmonic order of a phase.
type Harmonic struct {
	U, I  float64 // RMS
	P     float64 // U·I·cos(φu−φi), W
	Q     float64 // U·I·sin(φu−φi), var (+ when the current lags)
	Angle float64 // of the current relative to the voltage, degrees in (−180, 180]
}

// PhaseTruth is the IEEE 1459-2010 description of one phase.
type PhaseTruth struct {
	U, I   float64 // RMS, noise and DC included
	P      float64 // active power, W
	P1, Q1 float64 // fundamental active and reactive power (Q1 + when the current lags)
	PH     float64 // P − P1
	QB     float64 // Budeanu reactive power Σ U_h·I_h·sin(φu−φi) over integer orders
	S, S1  float64 // U·I and U1·I1
	PF     float64 // P/S (0 when S is 0)
	PF1    float64 // P1/S1 (0 when S1 is 0)
	THDU   float64 // √(Σ_{h=2..50} U_h²)/U1, a fraction
	THDI   float64
	// Harmonics[h] for integer orders h = 1…MaxOrder (index 0 unused).
	Harmonics [MaxOrder + 1]Harmonic
}

// Truth is the analytic description of a Signal at one instant.
type Truth struct {
	Frequency float64
	Phases    [3]*PhaseTruth // nil for an absent phase
	// Totals over the phases; S is the arithmetic sum of the phase S.
	P, P1, Q1, S, S1 float64
}

// Truth describes s before its first step.
func (s *Signal) Truth() Truth { return s.TruthAt(math.Inf(-1)) }

// TruthAt describes s with the steps in force at time t (seconds).
func (s *Signal) TruthAt(t float64) Truth {
	tr := Truth{Frequency: s.Frequency}
	for i, p := range s.Phases {
		if p == nil {
			continue
		}
		pt := phaseTruth(p, t)
		tr.Phases[i] = pt
		tr.P += pt.P
		tr.P1 += pt.P1
		tr.Q1 += pt.Q1
		tr.S += pt.S
		tr.S1 += pt.S1
	}
	return tr
}

// phasors sums the components of w by order into RMS phasors (sine reference).
func phasors(w *Waveform, scale float64) map[float64]complex128 {
	m := make(map[float64]complex128, len(w.Components))
	for _, c := range w.Components {
		m[c.Order] += cmplx.Rect(c.RMS*scale, c.Phase)
	}
	return m
}

func phaseTruth(p *Phase, t float64) *PhaseTruth {
	ku, ki := p.U.scaleAt(t), p.I.scaleAt(t)
	u, i := phasors(&p.U, ku), phasors(&p.I, ki)
	dcU, dcI := p.U.DC*ku, p.I.DC*ki
	pt := &PhaseTruth{}
	u2 := dcU*dcU + p.U.Noise*p.U.Noise
	i2 := dcI*dcI + p.I.Noise*p.I.Noise
	pt.P = dcU * dcI
	for _, r := range sortedOrders(u) {
		u2 += sq(cmplx.Abs(u[r]))
		if ip, ok := i[r]; ok {
			pt.P += real(u[r] * cmplx.Conj(ip))
		}
	}
	for _, r := range sortedOrders(i) {
		i2 += sq(cmplx.Abs(i[r]))
	}
	pt.U, pt.I = math.Sqrt(u2), math.Sqrt(i2)
	var hu2, hi2 float64
	for h := 1; h <= MaxOrder; h++ {
		uh, ih := u[float64(h)], i[float64(h)]
		x := uh * cmplx.Conj(ih)
		hr := Harmonic{U: cmplx.Abs(uh), I: cmplx.Abs(ih), P: real(x), Q: imag(x)}
		if uh != 0 && ih != 0 {
			hr.Angle = -cmplx.Phase(x) * 180 / math.Pi
			if hr.Angle <= -180 {
				hr.Angle += 360
			}
		}
		pt.Harmonics[h] = hr
		pt.QB += hr.Q
		if h >= 2 {
			hu2 += hr.U * hr.U
			hi2 += hr.I * hr.I
		}
	}
	h1 := pt.Harmonics[1]
	pt.P1, pt.Q1 = h1.P, h1.Q
	pt.PH = pt.P - pt.P1
	pt.S, pt.S1 = pt.U*pt.I, h1.U*h1.I
	pt.PF, pt.PF1 = ratio(pt.P, pt.S), ratio(pt.P1, pt.S1)
	pt.THDU, pt.THDI = ratio(math.Sqrt(hu2), h1.U), ratio(math.Sqrt(hi2), h1.I)
	return pt
}

// Energy is the exact ∫ u·i dt of phase (0, 1, 2 for a, b, c) from t0 to t1
// seconds, in joules, steps included and noise excluded (its expectation is
// zero). It is zero for an absent phase.
func (s *Signal) Energy(phase int, t0, t1 float64) float64 {
	p := s.Phases[phase]
	if p == nil || t1 <= t0 {
		return 0
	}
	// Split [t0, t1] at every step of either channel.
	cuts := []float64{t0, t1}
	for _, st := range append(append([]Step(nil), p.U.Steps...), p.I.Steps...) {
		if st.At > t0 && st.At < t1 {
			cuts = append(cuts, st.At)
		}
	}
	sort.Float64s(cuts)
	e := 0.0
	for k := 1; k < len(cuts); k++ {
		a, b := cuts[k-1], cuts[k]
		mid := (a + b) / 2
		e += p.U.scaleAt(mid) * p.I.scaleAt(mid) * productIntegral(&p.U, &p.I, s.Frequency, a, b)
	}
	return e
}

// productIntegral is ∫_a^b u(t)·i(t) dt for the unscaled waveforms.
func productIntegral(u, i *Waveform, f, a, b float64) float64 {
	w := 2 * math.Pi * f
	// ∫ cos(ω t + φ) dt over [a, b]
	cosInt := func(om, ph float64) float64 {
		if om == 0 {
			return math.Cos(ph) * (b - a)
		}
		return (math.Sin(om*b+ph) - math.Sin(om*a+ph)) / om
	}
	// ∫ sin(ω t + φ) dt = ∫ cos(ω t + φ − π/2) dt
	sinInt := func(om, ph float64) float64 { return cosInt(om, ph-math.Pi/2) }

	e := u.DC * i.DC * (b - a)
	for _, c := range i.Components {
		e += u.DC * math.Sqrt2 * c.RMS * sinInt(w*c.Order, c.Phase)
	}
	for _, c := range u.Components {
		e += i.DC * math.Sqrt2 * c.RMS * sinInt(w*c.Order, c.Phase)
	}
	// 2·A·B·sin x·sin y = A·B·(cos(x−y) − cos(x+y))
	for _, cu := range u.Components {
		for _, ci := range i.Components {
			ab := cu.RMS * ci.RMS
			e += ab * (cosInt(w*(cu.Order-ci.Order), cu.Phase-ci.Phase) - cosInt(w*(cu.Order+ci.Order), cu.Phase+ci.Phase))
		}
	}
	return e
}

func sortedOrders(m map[float64]complex128) []float64 {
	rs := make([]float64, 0, len(m))
	for r := range m {
		rs = append(rs, r)
	}
	sort.Float64s(rs)
	return rs
}

func sq(x float64) float64 { return x * x }

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
