package nilm

import (
	"errors"
	"fmt"
	"math"
)

// DetectorConfig sets up event detection on a continuous V/I stream. Zero
// fields take the defaults named beside them.
type DetectorConfig struct {
	RateHz  float64 // sample rate; required
	MainsHz float64 // nominal mains frequency; 50 if 0
	// Points is the number of samples each cycle is resampled to, from one
	// rising voltage zero crossing to the next; round(RateHz/MainsHz) if 0.
	Points int
	// Before is how many cycles must agree for the state before a step to
	// count as steady; 5 if 0.
	Before int
	// Debounce is how many cycles the new state must stay steady before
	// the step is reported; a step that reverts sooner is not an event.
	// 10 if 0.
	Debounce int
	// TolW and TolRel bound the cycle-to-cycle spread of P and Q1 in a
	// steady state: max(TolW, TolRel·S) with S the apparent power of the
	// steady state; 1 W and 0.005 if 0.
	TolW, TolRel float64
	// MinStepW is the least |ΔP| or |ΔQ1| (W or var) that makes an event;
	// 3 if 0.
	MinStepW float64
	// MaxTransient is how many cycles detection waits for a steady state
	// after a change before it starts over; 5 s worth if 0.
	MaxTransient int
}

func (c *DetectorConfig) fill() error {
	if !(c.RateHz > 0) || math.IsInf(c.RateHz, 0) {
		return fmt.Errorf("nilm: detector: sample rate %v", c.RateHz)
	}
	if c.MainsHz == 0 {
		c.MainsHz = 50
	}
	if !(c.MainsHz >= 10 && c.MainsHz <= 1000) {
		return fmt.Errorf("nilm: detector: mains frequency %v Hz", c.MainsHz)
	}
	if c.Points == 0 {
		c.Points = int(math.Round(c.RateHz / c.MainsHz))
	}
	if c.Points < MinCyclePoints || c.Points > 1<<16 {
		return fmt.Errorf("nilm: detector: %d points per cycle, want %d to 65536", c.Points, MinCyclePoints)
	}
	if float64(c.Points) > 4*c.RateHz/c.MainsHz {
		return fmt.Errorf("nilm: detector: %d points per cycle from %v samples", c.Points, c.RateHz/c.MainsHz)
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Before, 5)
	def(&c.Debounce, 10)
	def(&c.MaxTransient, int(5*c.MainsHz))
	deff := func(v *float64, d float64) {
		if !(*v > 0) {
			*v = d
		}
	}
	deff(&c.TolW, 1)
	deff(&c.TolRel, 0.005)
	deff(&c.MinStepW, 3)
	return nil
}

// ErrDetector is wrapped by errors about a stream the detector cannot use.
var ErrDetector = errors.New("nilm: detector")

// cycleRec is one resampled cycle with its powers, a record of the
// detector's window.
type cycleRec struct {
	index int
	start int64 // first stream sample at or after the zero crossing
	v, i  []float64
	p, q1 float64
	s     float64
	irms  float64
}

// steady is the mean of a run of agreeing cycles.
type steady struct {
	v, i        []float64
	p, q1, irms float64
	s           float64
}

// Detector finds switching events in a stream of voltage and current
// samples. Feed it with Push; it is not safe for concurrent use.
type Detector struct {
	cfg DetectorConfig

	// sample buffer since the last zero crossing (plus one sample before)
	bufV, bufI []float64
	bufStart   int64   // stream index of bufV[0]
	lastZero   float64 // stream position of the last rising zero crossing, -1 if none
	cycles     int     // cycles completed

	// recent are the latest cycles, max(Before, Debounce)+1 of them: all
	// that the steady state before a step and the Debounce cycles after it
	// are measured on.
	recent window
	// states are the steady state before and the one after a step; before
	// points to one of them (nil while none is known) and the next mean is
	// taken into the other.
	states  [2]steady
	before  *steady
	transit int     // cycles since the state left before: the newest cycles, in recent as far as it reaches
	peakDev float64 // largest |i − before.i| seen in the transient
}

// NewDetector validates cfg and returns a detector at the start of a stream.
func NewDetector(cfg DetectorConfig) (*Detector, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	return &Detector{cfg: cfg, lastZero: -1, recent: window{size: max(cfg.Before, cfg.Debounce) + 1}}, nil
}

// Config is the configuration with defaults filled in.
func (d *Detector) Config() DetectorConfig { return d.cfg }

// Push adds samples (any count; v and i of equal length) and calls emit for
// each event whose new state has become steady.
func (d *Detector) Push(v, i []float64, emit func(Event)) error {
	if len(v) != len(i) {
		return fmt.Errorf("%w: %d voltage and %d current samples", ErrDetector, len(v), len(i))
	}
	for k := range v {
		if math.IsNaN(v[k]) || math.IsInf(v[k], 0) || math.IsNaN(i[k]) || math.IsInf(i[k], 0) {
			return fmt.Errorf("%w: sample %d is not finite", ErrDetector, d.bufStart+int64(len(d.bufV)))
		}
		d.bufV = append(d.bufV, v[k])
		d.bufI = append(d.bufI, i[k])
		n := len(d.bufV)
		if n < 2 || !(d.bufV[n-2] < 0 && d.bufV[n-1] >= 0) {
			continue
		}
		// Rising zero crossing between samples n-2 and n-1.
		a, b := d.bufV[n-2], d.bufV[n-1]
		z := float64(d.bufStart) + float64(n-2) + a/(a-b)
		period := d.cfg.RateHz / d.cfg.MainsHz
		if d.lastZero >= 0 && z-d.lastZero < 0.75*period {
			continue // noise near the zero, not a new cycle
		}
		if d.lastZero >= 0 {
			if z-d.lastZero > 1.5*period {
				d.restart() // a gap or a lost crossing: the states no longer join up
			} else {
				d.resample(d.recent.push(d.cfg.Points), d.lastZero, z)
				d.cycle(emit)
			}
		}
		d.lastZero = z
		// Keep from the sample before the crossing on.
		drop := n - 2
		d.bufV = append(d.bufV[:0], d.bufV[drop:]...)
		d.bufI = append(d.bufI[:0], d.bufI[drop:]...)
		d.bufStart += int64(drop)
	}
	// A stream without crossings (no voltage) must not grow the buffer
	// without bound.
	if limit := int(4 * d.cfg.RateHz / d.cfg.MainsHz); len(d.bufV) > limit {
		drop := len(d.bufV) - 2
		d.bufV = append(d.bufV[:0], d.bufV[drop:]...)
		d.bufI = append(d.bufI[:0], d.bufI[drop:]...)
		d.bufStart += int64(drop)
		d.lastZero = -1
		d.restart()
	}
	return nil
}

// resample reads the cycle between stream positions z0 and z1 into c at
// Points evenly spaced instants by linear interpolation, and computes its
// powers.
func (d *Detector) resample(c *cycleRec, z0, z1 float64) {
	m := d.cfg.Points
	c.index, c.start = d.cycles, int64(math.Ceil(z0))
	d.cycles++
	step := (z1 - z0) / float64(m)
	for k := range m {
		pos := z0 + float64(k)*step - float64(d.bufStart)
		j := int(pos)
		j = min(max(j, 0), len(d.bufV)-2)
		f := pos - float64(j)
		c.v[k] = d.bufV[j]*(1-f) + d.bufV[j+1]*f
		c.i[k] = d.bufI[j]*(1-f) + d.bufI[j+1]*f
	}
	c.p, c.q1, c.s, c.irms = cyclePowers(c.v, c.i)
}

// cyclePowers returns P, Q1, S and IRMS of one cycle.
func cyclePowers(v, i []float64) (p, q1, s, irms float64) {
	var sv, si, sp float64
	for k := range v {
		sv += v[k] * v[k]
		si += i[k] * i[k]
		sp += v[k] * i[k]
	}
	n := float64(len(v))
	v1, i1 := dftBin(v, 1), dftBin(i, 1)
	q1 = imag(v1 * complex(real(i1), -imag(i1)))
	return sp / n, q1, math.Sqrt(sv/n) * math.Sqrt(si/n), math.Sqrt(si / n)
}

func (d *Detector) restart() {
	d.recent.reset()
	d.before, d.transit = nil, 0
}

// tol is the spread of P and Q1 a steady state at apparent power s allows.
func (d *Detector) tol(s float64) float64 { return max(d.cfg.TolW, d.cfg.TolRel*s) }

// agree reports whether the last n cycles of a run of held cycles that
// ends with the newest (all of recent, or the transient) form a steady
// state; recent holds them when held >= n.
func (d *Detector) agree(held, n int) bool {
	if held < n {
		return false
	}
	minP, maxP, minQ, maxQ := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	var s float64
	for j := d.recent.n - n; j < d.recent.n; j++ {
		c := d.recent.at(j)
		minP, maxP = min(minP, c.p), max(maxP, c.p)
		minQ, maxQ = min(minQ, c.q1), max(maxQ, c.q1)
		s += c.s / float64(n)
	}
	t := 2 * d.tol(s)
	return maxP-minP <= t && maxQ-minQ <= t
}

// meanState averages the newest n cycles of recent into the state that
// before does not point to, and returns it.
func (d *Detector) meanState(n int) *steady {
	st := &d.states[0]
	if d.before == st {
		st = &d.states[1]
	}
	m := d.cfg.Points
	if st.v == nil {
		st.v, st.i = make([]float64, m), make([]float64, m)
	} else {
		clear(st.v)
		clear(st.i)
	}
	inv := 1 / float64(n)
	for j := d.recent.n - n; j < d.recent.n; j++ {
		c := d.recent.at(j)
		for k := range m {
			st.v[k] += c.v[k] * inv
			st.i[k] += c.i[k] * inv
		}
	}
	st.p, st.q1, st.s, st.irms = cyclePowers(st.v, st.i)
	return st
}

// cycle advances the state machine by the newest cycle of recent.
func (d *Detector) cycle(emit func(Event)) {
	c := d.recent.newest()
	if d.before == nil {
		if d.agree(d.recent.n, d.cfg.Before) {
			d.before = d.meanState(d.cfg.Before)
		}
		return
	}
	t := d.tol(d.before.s)
	if d.transit == 0 {
		if math.Abs(c.p-d.before.p) <= t && math.Abs(c.q1-d.before.q1) <= t {
			// Still steady: follow slow drift with the latest cycles.
			d.before = d.meanState(min(d.recent.n, d.cfg.Before))
			return
		}
		d.peakDev = 0
	}
	d.transit++
	for k := range c.i {
		d.peakDev = max(d.peakDev, math.Abs(c.i[k]-d.before.i[k]))
	}
	if d.transit > d.cfg.MaxTransient {
		d.before, d.transit = nil, 0 // never settled: look for a new steady state
		return
	}
	// The transient's last Debounce cycles are the newest of recent, which
	// holds more than Debounce.
	if !d.agree(d.transit, d.cfg.Debounce) {
		return
	}
	after := d.meanState(d.cfg.Debounce)
	first := d.recent.at(d.recent.n - d.cfg.Debounce)
	dp, dq := after.p-d.before.p, after.q1-d.before.q1
	if math.Abs(dp) >= d.cfg.MinStepW || math.Abs(dq) >= d.cfg.MinStepW {
		emit(d.event(first, after, d.transit-d.cfg.Debounce))
	}
	d.before, d.transit = after, 0
}

// event builds the event from the states either side of a step; it copies
// what it keeps of them, since the detector reuses both.
func (d *Detector) event(first *cycleRec, after *steady, transientCycles int) Event {
	b := d.before
	on := after.p-b.p > 0 || after.p == b.p && after.irms > b.irms
	sign := 1.0
	if !on {
		sign = -1
	}
	m := len(after.i)
	ev := Event{
		Cycle: first.index, Sample: first.start, On: on,
		Voltage: append([]float64(nil), after.v...), Current: make([]float64, m),
		DeltaP: after.p - b.p, DeltaQ1: after.q1 - b.q1, DeltaIRMS: after.irms - b.irms,
	}
	var peak float64
	for k := range m {
		ev.Current[k] = sign * (after.i[k] - b.i[k])
		peak = max(peak, math.Abs(ev.Current[k]))
	}
	ev.Transient.Cycles = transientCycles
	if on && peak > 0 {
		ev.Transient.PeakRatio = d.peakDev / peak
	}
	return ev
}
