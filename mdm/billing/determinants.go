package billing

import (
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
	t                   *tariff.Tariff
	tl                  *tariff.Timeline
	usage               [][]Usage // [tier][period]
	win                 window    // the demand window being filled
	winHint, segHint    int
	parts               []part
	demand, demandAt    int64
	demandEst, demandOK bool
}

type window struct {
	start, wh         int64
	est, open, counts bool
}

type part struct {
	p  tariff.Period
	ms int64
}

// NewMeter returns a Meter for tariff t over timeline tl, which must cover
// the periods measured (Tariff.Timeline of the billing cycle).
func NewMeter(t *tariff.Tariff, tl *tariff.Timeline) *Meter {
	m := &Meter{t: t, tl: tl, usage: make([][]Usage, t.Tiers())}
	for i := range m.usage {
		m.usage[i] = make([]Usage, len(t.Periods()))
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
	m.demand, m.demandAt, m.demandEst, m.demandOK = 0, 0, false, false
	m.win = window{}
	m.segHint, m.winHint = 0, 0
	_, width, charged := m.t.Demand()
	var cum int64 // energy of the cycle so far
	for _, in := range iv {
		m.parts = m.parts[:0]
		m.segHint = m.tl.Split(in.Start, in.End, m.segHint, func(p tariff.Period, ms int64) {
			m.parts = append(m.parts, part{p, ms})
		})
		total := in.End - in.Start
		var doneMs, doneWh int64
		for _, pt := range m.parts {
			doneMs += pt.ms
			wh := share(in.Wh, doneMs, total) - doneWh
			doneWh += wh
			cum = m.allocate(pt.p, cum, wh, in.Estimated)
		}
		if charged {
			m.addDemand(in, width)
		}
	}
	if charged {
		m.closeWindow(width)
	}
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
		d.DemandW, d.DemandStart, d.DemandEstimated = m.demand, m.demandAt, m.demandEst
	}
	return d
}

// allocate books wh Wh of period p, consumed when the cycle stood at cum
// Wh, to the tiers it falls in, and returns the new cumulative energy.
func (m *Meter) allocate(p tariff.Period, cum, wh int64, est bool) int64 {
	for tier := range m.usage {
		if wh == 0 {
			break
		}
		bound := m.t.TierBound(tier)
		if bound != 0 && cum >= bound {
			continue
		}
		n := wh
		if bound != 0 {
			n = min(wh, bound-cum)
		}
		u := &m.usage[tier][p]
		u.Wh += n
		if est {
			u.EstimatedWh += n
		}
		cum += n
		wh -= n
	}
	return cum
}

// addDemand adds an interval's energy to the demand windows it covers, in
// proportion to time.
func (m *Meter) addDemand(in Interval, width int64) {
	total := in.End - in.Start
	var doneWh int64
	for at := in.Start; at < in.End; {
		var w int64
		w, m.winHint = m.tl.Window(at, width, m.winHint)
		if !m.win.open || w != m.win.start {
			m.closeWindow(width)
			m.win = window{start: w, open: true, counts: m.t.DemandPeriod(m.periodAt(w))}
		}
		stop := min(in.End, w+width)
		wh := share(in.Wh, stop-in.Start, total) - doneWh
		doneWh += wh
		m.win.wh += wh
		m.win.est = m.win.est || in.Estimated
		at = stop
	}
}

// closeWindow ends the window being filled and keeps it if it is the
// largest so far.
func (m *Meter) closeWindow(width int64) {
	if m.win.open && m.win.counts {
		w := m.win.wh * 3_600_000 / width // W = Wh · 3 600 000 ms/h ÷ window ms
		if !m.demandOK || w > m.demand {
			m.demand, m.demandAt, m.demandEst, m.demandOK = w, m.win.start, m.win.est, true
		}
	}
	m.win.open = false
}

func (m *Meter) periodAt(t int64) tariff.Period {
	var p tariff.Period
	m.tl.Split(t, t+1, m.segHint, func(q tariff.Period, _ int64) { p = q })
	return p
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
