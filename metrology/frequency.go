package metrology

import "math"

// Frequency tracking. Each window is exactly N cycles of the fundamental as
// tracked on a reference phase voltage. The estimate is refined on the
// window itself: resampled at the current estimate f̂, the first and the
// second half each hold N/2 cycles; if the true frequency is f̂·(1+ε) the
// fundamental's phase advances by π·N·ε from one half to the other, so
//
//	ε = arg(X₂·X₁*) / (π·N)
//
// where X₁, X₂ are the fundamental's DFT bins over the halves. The formula is
// unambiguous for |ε| < 1/N (10 % at 50 Hz). Harmonics leak into X₁ and X₂
// in proportion to ε, so a second pass at the corrected f̂ leaves errors of
// order ε², far below 1 mHz. Acquisition (at start, or when the estimate
// stops making sense) counts the zero crossings of a low-passed voltage to
// get within a few per mille first.
const (
	// acceptEps is the relative frequency error up to which the window
	// resampled at f̂ is kept (the reported frequency is still corrected).
	// It bounds the window's deviation from N whole cycles to 2·10⁻⁵ cycles
	// per cycle, which moves a window's P by at most (S/P)·2·10⁻⁵.
	acceptEps = 2e-5
	// lostEps is the |ε| beyond which the estimate is deemed unreliable and
	// the tracker reacquires.
	lostEps = 0.08
	// maxPasses bounds the refinement passes over one window.
	maxPasses = 5
)

// track settles the frequency of the window at c.start. If resampled, every
// grid already holds the window resampled at f (the tracked estimate); in
// the steady state those grids are kept (kept = true) and the estimate is
// only refined for the report and the next window. Otherwise track returns
// the frequency the window must be resampled at, found by refining on the
// reference voltage alone or by reacquiring; without a usable voltage that
// is the nominal frequency, unlocked.
func (c *Core) track(f float64, resampled bool) (fw float64, locked, kept bool) {
	floor := voltageFloor * c.cfg.NominalVoltage
	ref := c.chooseRef()
	start := 0.0
	if resampled {
		eps, amp := c.fineError(c.grid[2*ref])
		if amp >= floor && math.Abs(eps) <= acceptEps {
			c.freq, c.ref = clampFrequency(f*(1+eps), c.cfg.Nominal), ref
			return f, true, true
		}
		if amp >= floor && math.Abs(eps) <= lostEps {
			start = clampFrequency(f*(1+eps), c.cfg.Nominal)
		}
	}
	if start == 0 {
		var found bool
		if start, found = c.coarse(ref); !found {
			fw, locked = c.unlock()
			return fw, locked, false
		}
	}
	fw, locked = c.refine(ref, start)
	return fw, locked, false
}

// refine iterates the estimator on the reference voltage alone, starting
// from f, until the window fits the fundamental.
func (c *Core) refine(ref int, f float64) (float64, bool) {
	for pass := 1; ; pass++ {
		if !c.fits(f) {
			return f, false // end of stream; the caller finds it does not fit
		}
		var src, dst [channels][]float64
		src[0], dst[0] = c.buf[2*ref], c.grid[2*ref]
		c.kern.resample(&dst, &src, 1, c.start-c.delay[2*ref], c.step(f))
		eps, amp := c.fineError(dst[0])
		// (written so that a NaN from absurd input also unlocks)
		if !(amp >= voltageFloor*c.cfg.NominalVoltage) || !(math.Abs(eps) <= lostEps) {
			return c.unlock()
		}
		refined := clampFrequency(f*(1+eps), c.cfg.Nominal)
		if math.Abs(eps) <= acceptEps || pass == maxPasses {
			c.locked, c.freq, c.ref = true, refined, ref
			return f, true
		}
		f = refined
	}
}

// unlock falls back to free-running windows at the nominal frequency.
func (c *Core) unlock() (float64, bool) {
	c.locked, c.freq = false, c.cfg.Nominal
	return c.freq, false
}

func clampFrequency(f, nominal float64) float64 {
	return min(max(f, trackLow*nominal), trackHigh*nominal)
}

// chooseRef picks the reference phase: the current one while its voltage
// (as of the last window) is usable, else the first wired phase that has
// voltage, else the current one.
func (c *Core) chooseRef() int {
	floor := voltageFloor * c.cfg.NominalVoltage
	if c.seq == 0 || c.meas.Phases[c.ref].U >= floor {
		return c.ref
	}
	for p, wired := range c.cfg.Phases {
		if wired && c.meas.Phases[p].U >= floor {
			return p
		}
	}
	return c.ref
}

// fineError returns ε, the relative error of the frequency a grid was
// resampled at, and the RMS of its fundamental.
func (c *Core) fineError(g []float64) (eps, amp float64) {
	half := c.gridN / 2
	var r1, i1, r2, i2 float64
	first, second := g[:half], g[half:2*half]
	for m, co := range c.fineCos[:half] {
		si := c.fineSin[m]
		r1 += first[m] * co
		i1 += first[m] * si
		r2 += second[m] * co
		i2 += second[m] * si
	}
	// arg(X₂·X₁*)
	eps = math.Atan2(i2*r1-r2*i1, r2*r1+i2*i1) / (math.Pi * float64(c.cycles))
	// X₁ + X₂ is the full-window bin N, as N/2 is a whole number of cycles.
	amp = math.Sqrt2 * math.Hypot(r1+r2, i1+i2) / float64(c.gridN)
	return eps, amp
}

// coarse estimates the frequency from the zero crossings of the reference
// voltage over the longest window from c.start, after two moving averages
// (a third and a fifth of a nominal cycle long) that remove the 3rd and
// 5th harmonics and damp the rest. Only the spacing of the crossings
// matters, so the filters' delay does no harm.
func (c *Core) coarse(ref int) (float64, bool) {
	rate, nominal := c.cfg.Rate, c.cfg.Nominal
	lo := int(c.start)
	hi := min(c.n, lo+int(math.Ceil(c.spanMax)))
	x := c.scratch[:hi-lo]
	copy(x, c.buf[2*ref][lo:hi])
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	for k := range x {
		x[k] -= mean
	}
	x = movingAverage(x, int(math.Round(rate/(3*nominal))))
	x = movingAverage(x, int(math.Round(rate/(5*nominal))))
	peak := 0.0
	for _, v := range x {
		peak = max(peak, math.Abs(v))
	}
	if peak < voltageFloor*c.cfg.NominalVoltage*0.5 {
		return 0, false
	}
	// Rising crossings, each counted only after the signal went below
	// −20 % of the peak (hysteresis against noise).
	armed := false
	var first, last float64
	count := 0
	for k := 1; k < len(x); k++ {
		if x[k] < -0.2*peak {
			armed = true
		}
		if armed && x[k-1] < 0 && x[k] >= 0 {
			t := float64(k-1) + x[k-1]/(x[k-1]-x[k])
			if count == 0 {
				first = t
			}
			last = t
			count++
			armed = false
		}
	}
	if count < 3 {
		return 0, false
	}
	f := float64(count-1) * rate / (last - first)
	if !(f >= trackLow*nominal && f <= trackHigh*nominal) {
		return 0, false
	}
	return f, true
}

// movingAverage filters x in place with a boxcar of width w and returns the
// len(x)−w+1 valid outputs.
func movingAverage(x []float64, w int) []float64 {
	if w <= 1 || w > len(x) {
		return x
	}
	sum := 0.0
	for _, v := range x[:w] {
		sum += v
	}
	out := x[:len(x)-w+1]
	for k := range out {
		avg := sum / float64(w)
		if k+w < len(x) {
			sum += x[k+w] - x[k]
		}
		out[k] = avg
	}
	return out
}
