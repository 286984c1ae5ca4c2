package nilm

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"
)

// MaxHarmonic is the highest current harmonic the features carry.
const MaxHarmonic = 15

// MinCyclePoints is the fewest samples per cycle Extract accepts: below it
// the 15th harmonic is not resolved (Nyquist) with margin.
const MinCyclePoints = 4 * MaxHarmonic

// ShapeBins is how many equal parts of the cycle Features.Shape averages the
// current over: 32 bins of 0.6 ms at 50 Hz follow a rectifier's conduction
// pulse, and average the sample noise of a 10 kHz meter over 6 samples each.
const ShapeBins = 32

// ErrCycle is wrapped by errors about a cycle that cannot be analysed.
var ErrCycle = errors.New("nilm: unusable cycle")

// Harmonic is one current harmonic of an event.
type Harmonic struct {
	RMS   float64 // A
	Phase float64 // rad in (-π, π], relative to the voltage fundamental: arg I_h − h·arg V_1
}

// Features describe one event's own current against its voltage cycle. See
// features.md for each definition.
type Features struct {
	VRMS, IRMS float64 // V, A
	P          float64 // W, mean of v·i
	Q1         float64 // var, fundamental reactive power, positive when the current lags
	S          float64 // VA, VRMS·IRMS
	PF         float64 // P/S, signed
	// Harmonics[h] for h = 1 … MaxHarmonic (index 0 unused).
	Harmonics   [MaxHarmonic + 1]Harmonic
	THD         float64 // sqrt(IRMS² − I1²)/I1
	CrestFactor float64 // max|i| / IRMS
	Conduction  float64 // fraction of the cycle with |i| above 10 % of its peak
	VI          VIShape
	// Shape is the cycle's own current over IRMS, averaged over ShapeBins
	// equal parts of the cycle from the rising voltage zero crossing: the
	// waveform itself, at a resolution that no longer depends on the
	// sample rate.
	Shape [ShapeBins]float64
}

// VIShape are descriptors of the voltage-current trajectory, both axes
// normalised to their peak magnitude (Hassan, Javed, Arshad, IEEE Trans.
// Smart Grid 5(2), 2014, define the family; the exact formulas are ours,
// see features.md).
type VIShape struct {
	Area              float64 // signed shoelace area; positive when the loop runs counter-clockwise
	Asymmetry         float64 // RMS of (i(t) + i(t+T/2))/2: 0 for half-wave symmetric currents
	Curvature         float64 // RMS residual of the mean line about its best straight line
	SelfIntersections int     // crossings of the trajectory with itself, on a 64-point polyline
	MiddlePeak        float64 // max |i| where |v| < 0.2: current drawn near the voltage zero
}

// Extract computes the features of one cycle: v and i hold the same number
// of samples spanning exactly one mains period, v starting at a rising zero
// crossing. It allocates nothing.
func Extract(v, i []float64) (Features, error) {
	var f Features
	n := len(v)
	if n != len(i) {
		return f, fmt.Errorf("%w: %d voltage samples, %d current samples", ErrCycle, n, len(i))
	}
	if n < MinCyclePoints {
		return f, fmt.Errorf("%w: %d samples per cycle, need %d", ErrCycle, n, MinCyclePoints)
	}
	var sumV2, sumI2, sumP, peakI, peakV float64
	for k := range n {
		if math.IsNaN(v[k]) || math.IsInf(v[k], 0) || math.IsNaN(i[k]) || math.IsInf(i[k], 0) {
			return f, fmt.Errorf("%w: sample %d is not finite", ErrCycle, k)
		}
		sumV2 += v[k] * v[k]
		sumI2 += i[k] * i[k]
		sumP += v[k] * i[k]
		peakI = max(peakI, math.Abs(i[k]))
		peakV = max(peakV, math.Abs(v[k]))
	}
	nf := float64(n)
	f.VRMS, f.IRMS, f.P = math.Sqrt(sumV2/nf), math.Sqrt(sumI2/nf), sumP/nf
	if f.VRMS == 0 || f.IRMS == 0 {
		return f, fmt.Errorf("%w: zero voltage or current", ErrCycle)
	}
	f.S = f.VRMS * f.IRMS
	f.PF = f.P / f.S
	f.CrestFactor = peakI / f.IRMS

	v1 := dftBin(v, 1)
	for h := 1; h <= MaxHarmonic; h++ {
		c := dftBin(i, h)
		f.Harmonics[h] = Harmonic{RMS: cmplx.Abs(c), Phase: wrapPhase(cmplx.Phase(c) - float64(h)*cmplx.Phase(v1))}
	}
	i1 := f.Harmonics[1]
	f.Q1 = cmplx.Abs(v1) * i1.RMS * math.Sin(-i1.Phase)
	if i1.RMS > 0 {
		f.THD = math.Sqrt(max(f.IRMS*f.IRMS-i1.RMS*i1.RMS, 0)) / i1.RMS
	}
	conducting := 0
	for k := range n {
		if math.Abs(i[k]) > 0.1*peakI {
			conducting++
		}
	}
	f.Conduction = float64(conducting) / nf
	f.VI = viShape(v, i, peakV, peakI)
	// The shape starts where the voltage fundamental rises through zero,
	// not at the record's first sample: a zero crossing found on a
	// distorted or noisy voltage (or rounded to a sample) moves by a few
	// degrees, which shifts a rectifier's pulse across the bins.
	// v₁ = √2·|V1|·cos(ωt + arg V1) rises through 0 at ωt = −π/2 − arg V1.
	start := wrapPhase(-math.Pi/2-cmplx.Phase(v1)) / (2 * math.Pi)
	if start < 0 {
		start++
	}
	binAverages(f.Shape[:], i, 1/f.IRMS, min(start*float64(n), float64(n)-1e-9))
	return f, nil
}

// binAverages sets each out[b] to scale times the mean of the one-period
// record x over the b-th of len(out) equal parts of the period, the first
// starting at sample position start (fractional, in [0, len(x))) and the
// last wrapping round to it. Sample k stands for the interval [k−½, k+½);
// one straddling a bin edge counts in both bins by its share on each side,
// so the bins need not divide the record.
func binAverages(out, x []float64, scale, start float64) {
	n, m := float64(len(x)), float64(len(out))
	for b := range out {
		// n·b/m, not b·width: the bins then tile the period exactly.
		lo := start + 0.5 + n*float64(b)/m
		hi := start + 0.5 + n*float64(b+1)/m
		if lo >= n {
			lo, hi = lo-n, hi-n
		}
		sum := integrate(x, lo, min(hi, n))
		if hi > n {
			sum += integrate(x, 0, hi-n)
		}
		out[b] = scale * sum * m / n
	}
}

// integrate is the integral over [a, b], 0 ≤ a ≤ b ≤ len(x), of the step
// function that holds x[k] over [k, k+1).
func integrate(x []float64, a, b float64) float64 {
	var sum float64
	for k := int(a); k < len(x) && float64(k) < b; k++ {
		sum += x[k] * (min(float64(k+1), b) - max(float64(k), a))
	}
	return sum
}

// dftBin is the RMS phasor of harmonic h of a one-period record: for
// x = √2·X·cos(hωt + φ) it returns X·e^{jφ}.
func dftBin(x []float64, h int) complex128 {
	n := len(x)
	// The twiddle factor advances by a fixed rotation; the accumulated
	// rounding over one cycle (≈ n·1e-16) is far below what matters here.
	ds, dc := math.Sincos(2 * math.Pi * float64(h) / float64(n))
	c, s := 1.0, 0.0
	var re, im float64
	for _, xk := range x {
		re += xk * c
		im -= xk * s
		c, s = c*dc-s*ds, s*dc+c*ds
	}
	scale := math.Sqrt2 / float64(n)
	return complex(re*scale, im*scale)
}

func wrapPhase(p float64) float64 {
	p = math.Mod(p, 2*math.Pi)
	switch {
	case p > math.Pi:
		p -= 2 * math.Pi
	case p <= -math.Pi:
		p += 2 * math.Pi
	}
	return p
}
