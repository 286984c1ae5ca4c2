package plaid

import (
	"errors"
	"fmt"
	"math"
	"math/cmplx"

	"gonum.org/v1/gonum/dsp/fourier"
)

// ErrRetime is wrapped by errors about a cycle Retime cannot re-time.
var ErrRetime = errors.New("plaid: cannot re-time the cycle")

// Retime returns the event's current as one cycle of m samples against a
// pure sine voltage: sample k lies at phase 2πk/m after the rising zero
// crossing of the recorded voltage's fundamental. Played at m·f samples a
// second it is the appliance's current on mains of f Hz — this is how a
// 60 Hz PLAID cycle becomes one 50 Hz period at a meter's rate (m = 160 at
// 8 kHz): the whole cycle is stretched onto the new period, so every
// harmonic keeps its order, amplitude and phase to the voltage.
//
// The cycle is band-limited: DC and every harmonic below both cycles'
// Nyquist order are kept exactly, the rest dropped. DC stays because the
// classifier sees it (a half-wave load draws some); dropping it costs the
// feature library ten points of accuracy on PLAID. Phases are referred to
// the voltage fundamental rather than to the record's first sample, which
// PLAID cut at the sampled zero crossing of a distorted voltage (about a
// degree away). The amperes are the recorded ones: a library trained on
// PLAID knows appliances by their current, so a meter at 230 V sees them
// draw about twice the power they drew at 120 V.
func (e *Event) Retime(m int) ([]float64, error) {
	n := len(e.Current)
	if m < 2 || n < 3 || len(e.Voltage) != n {
		return nil, fmt.Errorf("%w: %d current and %d voltage samples to %d", ErrRetime, n, len(e.Voltage), m)
	}
	fft := fourier.NewFFT(n)
	v1 := fft.Coefficients(nil, e.Voltage)[1]
	if cmplx.Abs(v1) == 0 || cmplx.IsNaN(v1) {
		return nil, fmt.Errorf("%w: the voltage has no fundamental", ErrRetime)
	}
	// The fundamental is |V1|·cos(θ + arg V1) = |V1|·sin(θ + δ): its
	// rising zero crossing is at θ = −δ.
	delta := cmplx.Phase(v1) + math.Pi/2
	in := fft.Coefficients(nil, e.Current)
	top := min((n-1)/2, (m-1)/2) // highest harmonic both cycles carry below Nyquist
	out := make([]complex128, m/2+1)
	scale := complex(float64(m)/float64(n), 0)
	for h := 0; h <= top; h++ {
		out[h] = in[h] * scale * cmplx.Rect(1, -float64(h)*delta)
	}
	cur := fourier.NewFFT(m).Sequence(nil, out)
	for k := range cur {
		cur[k] /= float64(m)
	}
	return cur, nil
}
