package billing

import (
	"math"
	"math/bits"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
)

// Usage is the energy of one TOU period that fell in one ladder tier.
type Usage struct {
	Tier        int // 0-based
	Period      tariff.Period
	Wh          int64
	EstimatedWh int64 // the part of Wh from estimated intervals
}

// Determinants are the quantities a bill prices.
type Determinants struct {
	From, To    time.Time
	Days        int     // local calendar days of the period
	Usage       []Usage // by tier, then period; no zero entries
	Wh          int64   // Σ Usage.Wh
	EstimatedWh int64   // Σ Usage.EstimatedWh
	// Maximum demand in W over the tariff's demand windows (0 without a
	// demand charge), the start of its window, and whether estimated
	// energy contributed to it.
	DemandW         int64
	DemandStart     int64
	DemandEstimated bool
}

// Meter computes determinants; it keeps scratch space between calls, so
// one Meter serves many meters' bills in turn. It is not safe for
// concurrent use.
type Meter struct {
	t       *tariff.Tariff
	tl      *tariff.Timeline
	bounds  []int64 // upper bound of each tier in Wh; MaxInt64 for the open one
	charged []bool  // by period: demand in it is charged
	width   int64   // demand window in ms; 0 without a demand charge
	usage   [][]Usage

	// State of one Measure.
	cum                 int64 // energy of the cycle so far
	tier                int   // the tier cum is in
	seg                 cursor
	off                 cursor
	parts               []part
	win                 window // the demand window being filled
	demandWh            int64  // energy of the fullest charged window so far
	demandAt            int64
	demandEst, demandOK bool
}

type part struct {
	p  tariff.Period
	ms int64
}

type window struct {
	start, wh         int64
	est, open, counts bool
	offset            int // the Offsets element the window was aligned in; -1 if none
}

// cursor follows a timeline's segments or offsets in time order: the one
// at index i covers [start, end). Before the first start the first holds,
// after the last start the last holds.
type cursor struct {
	i          int
	start, end int64
}

// holds reports whether the cursor's element covers t.
func (c *cursor) holds(t int64) bool { return t >= c.start && t < c.end }

// seek moves c to the element holding t of the n whose starts are given.
func (c *cursor) seek(t int64, n int, start func(int) int64) {
	if t < c.start {
		c.i = 0
	}
	for c.i+1 < n && start(c.i+1) <= t {
		c.i++
	}
	c.start, c.end = math.MinInt64, math.MaxInt64
	if c.i > 0 {
		c.start = start(c.i)
	}
	if c.i+1 < n {
		c.end = start(c.i + 1)
	}
}

// NewMeter returns a Meter for tariff t over timeline tl, which must cover
// the periods measured (Tariff.Timeline of the billing cycle).
func NewMeter(t *tariff.Tariff, tl *tariff.Timeline) *Meter {
	m := &Meter{t: t, tl: tl, usage: make([][]Usage, t.Tiers()), bounds: make([]int64, t.Tiers()), charged: make([]bool, len(t.Periods()))}
	for i := range m.usage {
		m.usage[i] = make([]Usage, len(t.Periods()))
		m.bounds[i] = t.TierBound(i)
		if m.bounds[i] == 0 {
			m.bounds[i] = math.MaxInt64
		}
	}
	if _, w, ok := t.Demand(); ok {
		m.width = w
		for p := range m.charged {
			m.charged[p] = t.DemandPeriod(tariff.Period(p))
		}
	}
	return m
}

// Measure returns the determinants of [from, to) from its intervals in
// time order (as Intervals returns them). Energy is split between periods
// in proportion to the time an interval spends in each, exactly in Wh, and
// allocated to ladder tiers in time order: the interval during which the
// cycle's energy crosses a tier bound is split there, so a tier boundary
// can fall inside a TOU period.
func (m *Meter) Measure(from, to time.Time, iv []Interval) Determinants {
	for i := range m.usage {
		clear(m.usage[i])
	}
	m.cum, m.tier = 0, 0
	m.seg, m.off = cursor{}, cursor{}
	m.win = window{}
	m.demandWh, m.demandAt, m.demandEst, m.demandOK = 0, 0, false, false
	segs, offs := m.tl.Segments, m.tl.Offsets
	segStart := func(i int) int64 { return segs[i].Start }
	offStart := func(i int) int64 { return offs[i].Start }
	if len(segs) == 0 || len(offs) == 0 {
		iv = nil // an empty timeline: nothing to measure (from ≥ to)
	}
	for i := range iv {
		in := &iv[i] // not a copy: this loop runs for every interval of every meter
		if !m.seg.holds(in.Start) {
			m.seg.seek(in.Start, len(segs), segStart)
		}
		if in.End <= m.seg.end {
			// The common case: the interval lies in one period.
			p := segs[m.seg.i].Period
			m.allocate(p, in.Wh, in.Estimated)
			if m.width != 0 {
				if !m.off.holds(in.Start) {
					m.off.seek(in.Start, len(offs), offStart)
				}
				// A window starts where the last one ended, or else on the
				// local grid (the modulo only when the chain breaks).
				if in.End-in.Start == m.width && in.End <= m.off.end &&
					(m.win.open && m.win.offset == m.off.i && in.Start == m.win.start+m.width || floorMod(in.Start+offs[m.off.i].Offset, m.width) == 0) {
					// … and is one demand window.
					m.closeWindow()
					w := &m.win // field by field: a struct literal costs a copy here
					w.start, w.wh, w.est, w.open, w.counts, w.offset = in.Start, in.Wh, in.Estimated, true, m.charged[p], m.off.i
					continue
				}
				m.addDemand(*in)
			}
			continue
		}
		m.parts = m.parts[:0]
		m.tl.Split(in.Start, in.End, m.seg.i, func(p tariff.Period, ms int64) { m.parts = append(m.parts, part{p, ms}) })
		total := in.End - in.Start
		var doneMs, doneWh int64
		for _, pt := range m.parts {
			doneMs += pt.ms
			wh := share(in.Wh, doneMs, total) - doneWh
			doneWh += wh
			m.allocate(pt.p, wh, in.Estimated)
		}
		if m.width != 0 {
			m.addDemand(*in)
		}
	}
	m.closeWindow()
	d := Determinants{From: from, To: to, Days: m.t.Days(from, to)}
	for tier := range m.usage {
		for p, u := range m.usage[tier] {
			if u.Wh == 0 {
				continue
			}
			u.Tier, u.Period = tier, tariff.Period(p)
			d.Usage = append(d.Usage, u)
			d.Wh += u.Wh
			d.EstimatedWh += u.EstimatedWh
		}
	}
	if m.demandOK {
		// W = Wh · 3 600 000 ms/h ÷ window ms
		d.DemandW, d.DemandStart, d.DemandEstimated = m.demandWh*3_600_000/m.width, m.demandAt, m.demandEst
	}
	return d
}

// allocate books wh Wh of period p, consumed after the cycle's energy so
// far, to the tiers it falls in.
func (m *Meter) allocate(p tariff.Period, wh int64, est bool) {
	for wh > 0 {
		n := min(wh, m.bounds[m.tier]-m.cum)
		u := &m.usage[m.tier][p]
		u.Wh += n
		if est {
			u.EstimatedWh += n
		}
		m.cum += n
		wh -= n
		if m.cum == m.bounds[m.tier] && m.tier+1 < len(m.bounds) {
			m.tier++
		}
	}
}

// addDemand adds an interval's energy to the demand windows it covers, in
// proportion to time.
func (m *Meter) addDemand(in Interval) {
	total := in.End - in.Start
	var doneWh int64
	hint := m.off.i
	for at := in.Start; at < in.End; {
		var w int64
		w, hint = m.tl.Window(at, m.width, hint)
		if !m.win.open || w != m.win.start {
			m.closeWindow()
			m.win = window{start: w, open: true, counts: m.charged[m.periodAt(w)], offset: -1}
		}
		stop := min(in.End, w+m.width)
		wh := share(in.Wh, stop-in.Start, total) - doneWh
		doneWh += wh
		m.win.wh += wh
		m.win.est = m.win.est || in.Estimated
		at = stop
	}
}

// closeWindow ends the window being filled and keeps it if it is the
// largest so far.
func (m *Meter) closeWindow() {
	if m.win.open && m.win.counts && (!m.demandOK || m.win.wh > m.demandWh) {
		m.demandWh, m.demandAt, m.demandEst, m.demandOK = m.win.wh, m.win.start, m.win.est, true
	}
	m.win.open = false
}

func (m *Meter) periodAt(t int64) tariff.Period {
	var p tariff.Period
	m.tl.Split(t, t+1, m.seg.i, func(q tariff.Period, _ int64) { p = q })
	return p
}

func floorMod(a, n int64) int64 {
	r := a % n
	if r < 0 {
		r += n
	}
	return r
}

// share returns ⌊wh·part/total⌋ computed in 128 bits.
func share(wh, part, total int64) int64 {
	if part >= total {
		return wh
	}
	hi, lo := bits.Mul64(uint64(wh), uint64(part))
	q, _ := bits.Div64(hi, lo, uint64(total))
	return int64(q)
}
