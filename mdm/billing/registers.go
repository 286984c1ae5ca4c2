package billing

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
)

// MeasureRegisters returns the determinants of [from, to) from the meter's
// time-of-use registers (tariff.Tariff.Registers), one reading of each at
// from and one at to among start and end: each register's difference is
// the energy of its period, the meter having applied its own calendar.
//
// When the cycle's energy was consumed is unknown, so every tier takes a
// share of each period in proportion to the periods' energies (TOU meters
// on a ladder are billed so): cell (tier k, period p) holds about
// tier_k · period_p ÷ total, rounded to whole Wh such that every tier and
// every period adds up exactly. A register whose reading at either end is
// estimated makes its period's energy estimated. There is no demand.
func MeasureRegisters(t *tariff.Tariff, from, to time.Time, start, end []store.Reading) (Determinants, error) {
	regs := t.Registers()
	periods := make([]int64, len(t.Periods()))
	est := make([]bool, len(t.Periods()))
	f, e := from.UnixMilli(), to.UnixMilli()
	for _, r := range regs {
		a, okA := registerAt(start, r.Channel, f)
		b, okB := registerAt(end, r.Channel, e)
		if !okA || !okB {
			return Determinants{}, fmt.Errorf("register %s: no reading at %s and at %s: %w", r.Channel, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), ErrIncomplete)
		}
		if b.Value < a.Value {
			return Determinants{}, fmt.Errorf("%s after %s: %w", b, a, ErrNegative)
		}
		periods[r.Period] += b.Value - a.Value
		est[r.Period] = est[r.Period] || a.Quality&(store.Estimated|store.Edited) == store.Estimated || b.Quality&(store.Estimated|store.Edited) == store.Estimated
	}
	var total int64
	for _, v := range periods {
		total += v
	}
	tiers := tierQuantities(t, total)
	cells := shareOut(tiers, periods, total)
	d := Determinants{From: from, To: to, Days: t.Days(from, to)}
	for k := range tiers {
		for p, wh := range cells[k] {
			if wh == 0 {
				continue
			}
			u := Usage{Tier: k, Period: tariff.Period(p), Wh: wh}
			if est[p] {
				u.EstimatedWh = wh
			}
			d.Usage = append(d.Usage, u)
			d.Wh += u.Wh
			d.EstimatedWh += u.EstimatedWh
		}
	}
	return d, nil
}

// registerAt finds the usable reading of ch at t.
func registerAt(rs []store.Reading, ch store.Channel, t int64) (store.Reading, bool) {
	for _, r := range rs {
		if r.Channel == ch && r.Time == t && r.Quality&store.Missing == 0 {
			return r, true
		}
	}
	return store.Reading{}, false
}

// tierQuantities splits total Wh into the ladder's tiers.
func tierQuantities(t *tariff.Tariff, total int64) []int64 {
	q := make([]int64, t.Tiers())
	var lower int64
	for k := range q {
		upper := t.TierBound(k)
		if upper == 0 || upper > total {
			upper = total
		}
		q[k] = max(upper-lower, 0)
		lower = max(lower, upper)
	}
	return q
}

// shareOut fills cells[k][p] with rows[k]·cols[p]/total rounded so that
// row k sums to rows[k] and column p to cols[p] (Σ rows = Σ cols = total):
// each cell is rounded down, then the rows' and columns' shortfalls (less
// than a Wh per cell) go to the cells with the largest remainders.
func shareOut(rows, cols []int64, total int64) [][]int64 {
	cells := make([][]int64, len(rows))
	rowDef := slices.Clone(rows)
	colDef := slices.Clone(cols)
	type rem struct {
		k, p int
		r    uint64
	}
	var rems []rem
	for k, q := range rows {
		cells[k] = make([]int64, len(cols))
		for p, e := range cols {
			if total == 0 {
				continue
			}
			hi, lo := bits.Mul64(uint64(q), uint64(e))
			x, r := bits.Div64(hi, lo, uint64(total))
			cells[k][p] = int64(x)
			rowDef[k] -= int64(x)
			colDef[p] -= int64(x)
			rems = append(rems, rem{k, p, r})
		}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for _, c := range rems {
		if rowDef[c.k] > 0 && colDef[c.p] > 0 {
			cells[c.k][c.p]++
			rowDef[c.k]--
			colDef[c.p]--
		}
	}
	// What the remainders did not place (rare) goes to any cell whose row
	// and column still fall short.
	for k := range rows {
		for p := range cols {
			n := min(rowDef[k], colDef[p])
			cells[k][p] += n
			rowDef[k] -= n
			colDef[p] -= n
		}
	}
	return cells
}
