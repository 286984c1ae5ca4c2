package signal

import (
	"math"
	"math/cmplx"
)

// HalfWave is the current of a resistive load behind a half-wave rectifier
// on a voltage √2·U·sin(ωt): peak·sin(ωt) in the positive half cycle, zero in
// the negative one. It has a DC component, the fundamental and even
// harmonics; the series stops at maxOrder.
func HalfWave(peak, maxOrder float64) Waveform {
	return gatedSine(peak, 1, [][2]float64{{0, math.Pi}}, maxOrder)
}

// PhaseFired is the current of a resistive load behind a leading-edge
// (triac) dimmer that fires at angle alpha (radians, 0…π) in both half
// cycles of a voltage √2·U·sin(ωt): odd harmonics only.
func PhaseFired(peak, alpha, maxOrder float64) Waveform {
	return gatedSine(peak, 1, [][2]float64{{alpha, math.Pi}, {math.Pi + alpha, 2 * math.Pi}}, maxOrder)
}

// BurstFired is the current of a resistive load switched on for `on` whole
// cycles and off for `off` cycles (a burst-fire or cycle-skipping
// controller): its period is on+off cycles, so it has sub- and
// interharmonics at multiples of f/(on+off).
func BurstFired(peak float64, on, off int, maxOrder float64) Waveform {
	return gatedSine(peak, on+off, [][2]float64{{0, 2 * math.Pi * float64(on)}}, maxOrder)
}

// gatedSine returns the Fourier series of peak·sin(θ), θ = ωt, kept only
// inside the gates (intervals of θ within one period of `period`
// fundamental cycles) and zero elsewhere. The coefficient at order r = k/period is
//
//	c_k = 1/(2π·period) · ∫_gates peak·sin θ · e^{−j·r·θ} dθ
//
// evaluated in closed form; each k ≥ 1 gives a component of RMS √2·|c_k|.
func gatedSine(peak float64, period int, gates [][2]float64, maxOrder float64) Waveform {
	var w Waveform
	norm := 1 / (2 * math.Pi * float64(period))
	kmax := int(math.Floor(maxOrder*float64(period) + 1e-9))
	for k := 0; k <= kmax; k++ {
		r := float64(k) / float64(period)
		var c complex128
		for _, g := range gates {
			// sin θ·e^{−jrθ} = (e^{j(1−r)θ} − e^{−j(1+r)θ}) / 2j
			c += (expIntegral(1-r, g[0], g[1]) - expIntegral(-1-r, g[0], g[1])) / 2i
		}
		c *= complex(peak*norm, 0)
		if k == 0 {
			w.DC = real(c)
			continue
		}
		if cmplx.Abs(c) < 1e-12*peak {
			continue // zero by symmetry; keep the series short
		}
		w.Components = append(w.Components, Component{
			Order: r,
			RMS:   math.Sqrt2 * cmplx.Abs(c),
			Phase: cmplx.Phase(c) + math.Pi/2, // 2|c|cos(x+arg c) = 2|c|sin(x+arg c+π/2)
		})
	}
	return w
}

// expIntegral is ∫_a^b e^{jmθ} dθ.
func expIntegral(m, a, b float64) complex128 {
	if m == 0 {
		return complex(b-a, 0)
	}
	return (cmplx.Exp(complex(0, m*b)) - cmplx.Exp(complex(0, m*a))) / complex(0, m)
}
