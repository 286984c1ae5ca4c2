package metrology

import (
	"math"
	"time"
)

// analyseReady analyses every window the buffer holds. Normally it waits
// until a window at the lowest tracked frequency would fit, so tracking never
// runs short of samples; at the end of the stream (final) it takes whatever
// window still fits at the tracked frequency.
func (c *Core) analyseReady(final bool) error {
	for {
		need := c.start + c.spanMax + float64(c.pad)
		if final {
			need = c.start + float64(c.cycles)*c.cfg.Rate/(c.freq*trackLow) + float64(c.pad)
			if float64(c.n) < need {
				need = c.start + float64(c.cycles)*c.cfg.Rate/c.freq*1.001 + float64(c.pad)
			}
		}
		if float64(c.n) < need {
			return nil
		}
		done, err := c.analyseWindow()
		if err != nil || !done {
			return err
		}
	}
}

// step is the grid spacing, in samples, of a window at frequency f.
func (c *Core) step(f float64) float64 {
	return float64(c.cycles) * c.cfg.Rate / f / float64(c.gridN)
}

// resampleAll fills every grid with the window at c.start resampled at f,
// grouping channels of equal delay so they share the kernel weights.
func (c *Core) resampleAll(f float64) {
	var done [channels]bool
	for _, s := range c.slots {
		if done[s] {
			continue
		}
		var src, dst [channels][]float64
		k := 0
		for _, t := range c.slots {
			if !done[t] && c.delay[t] == c.delay[s] {
				src[k], dst[k] = c.buf[t], c.grid[t]
				done[t] = true
				k++
			}
		}
		c.kern.resample(&dst, &src, k, c.start-c.delay[s], c.step(f))
	}
}

// fits reports whether a window at frequency f, starting at c.start, has
// all the samples its resampling needs.
func (c *Core) fits(f float64) bool {
	return c.start+float64(c.cycles)*c.cfg.Rate/f+float64(c.pad) <= float64(c.n)
}

// analyseWindow analyses the window at c.start, integrates it and publishes
// it. It returns false, having analysed nothing, when the window the tracked
// frequency asks for does not fit (only possible at the end of the stream).
func (c *Core) analyseWindow() (bool, error) {
	// Steady state: one resampling pass at the tracked frequency, which the
	// tracker then confirms on the reference voltage's grid.
	f, resampled := c.freq, false
	if c.locked {
		if !c.fits(f) {
			return false, nil
		}
		c.resampleAll(f)
		resampled = true
	}
	fw, locked, kept := c.track(f, resampled)
	if !kept {
		if !c.fits(fw) {
			return false, nil
		}
		c.resampleAll(fw)
	}
	length := float64(c.cycles) * c.cfg.Rate / fw // samples

	m := &c.meas
	c.seq++
	m.Seq = c.seq
	m.Frequency, m.Locked = fw, locked
	if locked {
		m.Frequency = c.freq // the estimate refined over this window
	}
	var tot Totals
	for p := range 3 {
		if !c.cfg.Phases[p] {
			continue
		}
		pv := &m.Phases[p]
		c.analysePhase(pv, c.grid[2*p], c.grid[2*p+1])
		tot.P += pv.P
		tot.P1 += pv.P1
		tot.Q1 += pv.Q1
		tot.QB += pv.QB
		tot.S += pv.S
		tot.S1 += pv.S1
	}
	m.Total = tot

	end := c.start + length
	c.start = end
	c.power = m.power()
	if err := c.integrateTo(end, c.power); err != nil {
		return true, err
	}
	m.End = c.acc.View().Now()
	m.Duration = time.Duration(math.Round(length * 1e9 / c.cfg.Rate))

	c.pub.Lock()
	c.published, c.hasPublished = *m, true
	c.pub.Unlock()
	if c.cfg.OnWindow != nil {
		c.cfg.OnWindow(*m)
	}
	return true, nil
}

// analysePhase computes the quantities of one phase from its synchronous
// grids u and i (gridN samples covering exactly `cycles` fundamental cycles).
func (c *Core) analysePhase(pv *PhaseValues, u, i []float64) {
	M := c.gridN
	var su, si, sp float64
	for k, x := range u {
		y := i[k]
		su += x * x
		si += y * y
		sp += x * y
		c.spec[k] = complex(x, y)
	}
	pv.U = math.Sqrt(su / float64(M))
	pv.I = math.Sqrt(si / float64(M))
	pv.P = sp / float64(M)

	// One complex FFT carries both real channels: with Z = FFT(u + j·i),
	// U_k = (Z_k + Z*_{M−k})/2 and I_k = (Z_k − Z*_{M−k})/2j.
	c.fft.transform(c.spec)
	z := c.spec
	scale := math.Sqrt2 / float64(M) // DFT bin → RMS phasor
	bin := func(k int) (uk, ik complex128) {
		a, b := z[k], z[(M-k)%M]
		bc := complex(real(b), -imag(b))
		s, d := a+bc, a-bc
		return complex(real(s)/2, imag(s)/2), complex(imag(d)/2, -real(d)/2)
	}
	half := M / 2
	for k := 1; k <= half; k++ {
		uk, ik := bin(k)
		c.uPow[k] = (real(uk)*real(uk) + imag(uk)*imag(uk)) * scale * scale
		c.iPow[k] = (real(ik)*real(ik) + imag(ik)*imag(ik)) * scale * scale
	}
	u0, i0 := bin(0)
	pv.Harmonics[0] = Harmonic{U: complex(real(u0)/float64(M), 0), I: complex(real(i0)/float64(M), 0)}

	N, H := c.cycles, c.harmonics
	var hu, hi, qb float64
	for h := 1; h <= MaxHarmonic; h++ {
		hr := &pv.Harmonics[h]
		if h > H {
			*hr = Harmonic{}
			continue
		}
		k := h * N
		uk, ik := bin(k)
		hr.U, hr.I = uk*complex(scale, 0), ik*complex(scale, 0)
		hr.USubgroup = math.Sqrt(c.uPow[k-1] + c.uPow[k] + c.uPow[k+1])
		hr.ISubgroup = math.Sqrt(c.iPow[k-1] + c.iPow[k] + c.iPow[k+1])
		gu := (c.uPow[k-N/2] + c.uPow[k+N/2]) / 2
		gi := (c.iPow[k-N/2] + c.iPow[k+N/2]) / 2
		for j := k - N/2 + 1; j < k+N/2; j++ {
			gu += c.uPow[j]
			gi += c.iPow[j]
		}
		hr.UGroup, hr.IGroup = math.Sqrt(gu), math.Sqrt(gi)
		qb += hr.Q()
		if h >= 2 {
			hu += c.uPow[k]
			hi += c.iPow[k]
		}
	}
	h1 := pv.Harmonics[1]
	pv.P1, pv.Q1 = h1.P(), h1.Q()
	pv.PH = pv.P - pv.P1
	pv.QB = qb
	pv.S = pv.U * pv.I
	pv.S1 = math.Sqrt(c.uPow[N] * c.iPow[N])
	pv.PF, pv.PF1 = ratio(pv.P, pv.S), ratio(pv.P1, pv.S1)
	pv.THDU = ratio(math.Sqrt(hu), math.Sqrt(c.uPow[N]))
	pv.THDI = ratio(math.Sqrt(hi), math.Sqrt(c.iPow[N]))
}
