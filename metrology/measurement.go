package metrology

import (
	"math"
	"math/cmplx"
	"time"
)

// Measurement is the result of one analysis window: 10 cycles at 50 Hz, 12
// at 60 Hz, of the tracked fundamental. It is a plain value with fixed-size
// arrays, so copies share nothing.
type Measurement struct {
	Seq       uint64        // 1 for the first window
	End       time.Time     // metrology clock at the end of the window
	Duration  time.Duration // window length
	Frequency float64       // fundamental, Hz; the nominal value when not Locked
	Locked    bool          // the frequency was measured (a phase had voltage)
	Harmonics int           // highest harmonic order analysed
	Present   [3]bool       // wired phases
	Phases    [3]PhaseValues
	Total     Totals
}

// PhaseValues are the IEEE 1459-2010 quantities of one phase over a window.
type PhaseValues struct {
	U, I   float64 // RMS, DC and every frequency included
	P      float64 // active power
	P1, Q1 float64 // fundamental active and reactive power; Q1 > 0 when the current lags
	PH     float64 // non-fundamental (harmonic) active power P − P1
	QB     float64 // Budeanu reactive power Σ U_h·I_h·sin θ_h (reported, not billed)
	S, S1  float64 // U·I and U1·I1
	PF     float64 // P/S, 0 when S is 0
	PF1    float64 // P1/S1 (displacement power factor), 0 when S1 is 0
	THDU   float64 // √(Σ_{h≥2} U_h²)/U_1 over the harmonic components, a fraction
	THDI   float64
	// Harmonics[h] for h = 0 (DC) … Measurement.Harmonics.
	Harmonics [MaxHarmonic + 1]Harmonic
}

// Harmonic is one harmonic order of a phase, IEC 61000-4-7.
type Harmonic struct {
	// U and I are the RMS phasors of the harmonic component (the DFT bin at
	// exactly h times the tracked fundamental), cosine reference at the
	// window start. For h = 0 they hold the DC values.
	U, I complex128
	// Group and subgroup RMS values (IEC 61000-4-7 §3.2 and §3.3): the
	// group adds the bins between the neighbouring harmonics, the ones
	// half-way shared; the subgroup adds the bin on either side.
	UGroup, IGroup       float64
	USubgroup, ISubgroup float64
}

// P is the harmonic active power Re(U·I*).
func (h Harmonic) P() float64 { return real(h.U * cmplx.Conj(h.I)) }

// Q is the harmonic reactive power Im(U·I*) (positive when I lags U).
func (h Harmonic) Q() float64 { return imag(h.U * cmplx.Conj(h.I)) }

// Angle is the angle of I relative to U in degrees, (−180, 180]; 0 when
// either is zero, and meaningless when either is mere rounding noise.
func (h Harmonic) Angle() float64 {
	if h.U == 0 || h.I == 0 {
		return 0
	}
	a := -cmplx.Phase(h.U*cmplx.Conj(h.I)) * 180 / math.Pi
	if a <= -180 {
		a += 360
	}
	return a
}

// Totals are the sums over the wired phases. S and S1 are arithmetic sums
// of the phase values.
type Totals struct {
	P, P1, Q1, QB, S, S1 float64
}

// power converts a measurement to the integration input.
func (m *Measurement) power() Power {
	p := Power{Frequency: m.Frequency}
	if !m.Locked {
		p.Frequency = 0
	}
	for i := range m.Phases {
		if m.Present[i] {
			ph := &m.Phases[i]
			p.Phases[i] = PhasePower{U: ph.U, I: ph.I, P: ph.P, Q1: ph.Q1, S: ph.S}
		}
	}
	return p
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
