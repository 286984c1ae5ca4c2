package billing

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
)

// LineKind says what a bill line charges for.
type LineKind uint8

// Kinds of bill lines.
const (
	Energy LineKind = iota + 1
	StandingPerDay
	StandingPerCycle
	Demand
)

// Line is one line of a bill: Quantity (in Unit) at Price (per PriceUnit)
// makes Amount, rounded to the currency's minor unit.
type Line struct {
	Kind        LineKind
	Description string // "energy peak tier 2", "standing charge"
	Tier        int    // energy lines: 0-based ladder tier
	Period      string // energy lines: TOU period
	Quantity    int64  // Wh, days, cycles or W
	Unit        string // "Wh", "day", "cycle", "W"
	Price       tariff.Money
	PriceUnit   string       // "kWh", "day", "cycle", "kW"
	Amount      tariff.Money // rounded to the minor unit
	// EstimatedQuantity is the part of Quantity that rests on estimated
	// data (energy lines: estimated Wh; demand: all of it if estimated
	// energy fell in the maximum window).
	EstimatedQuantity int64
}

// Bill is a meter's bill for one period.
type Bill struct {
	Meter        store.MeterID
	From, To     time.Time
	Currency     string
	Digits       int // decimals of the currency's minor unit, for printing amounts
	Lines        []Line
	Total        tariff.Money // Σ Lines.Amount
	Determinants Determinants
}

// Estimated reports whether any line rests on estimated data.
func (b *Bill) Estimated() bool {
	for _, l := range b.Lines {
		if l.EstimatedQuantity != 0 {
			return true
		}
	}
	return false
}

// Price prices determinants d under tariff t: an energy line per tier and
// period used, the standing charges and the demand charge.
func Price(t *tariff.Tariff, d Determinants, dst []Line) []Line {
	digits := t.MinorDigits()
	periods := t.Periods()
	for _, u := range d.Usage {
		price := t.Price(u.Tier, u.Period)
		desc := "energy " + periods[u.Period]
		if t.Tiers() > 1 {
			desc += fmt.Sprintf(" tier %d", u.Tier+1)
		}
		dst = append(dst, Line{Kind: Energy, Description: desc, Tier: u.Tier, Period: periods[u.Period],
			Quantity: u.Wh, Unit: "Wh", Price: price, PriceUnit: "kWh",
			Amount: tariff.Cost(u.Wh, price, 1000, digits), EstimatedQuantity: u.EstimatedWh})
	}
	st := t.Standing()
	if st.PerDay != 0 {
		dst = append(dst, Line{Kind: StandingPerDay, Description: "standing charge", Quantity: int64(d.Days), Unit: "day",
			Price: st.PerDay, PriceUnit: "day", Amount: tariff.Cost(int64(d.Days), st.PerDay, 1, digits)})
	}
	if st.PerCycle != 0 {
		dst = append(dst, Line{Kind: StandingPerCycle, Description: "standing charge per cycle", Quantity: 1, Unit: "cycle",
			Price: st.PerCycle, PriceUnit: "cycle", Amount: tariff.Cost(1, st.PerCycle, 1, digits)})
	}
	if perKW, _, ok := t.Demand(); ok {
		l := Line{Kind: Demand, Description: "demand charge", Quantity: d.DemandW, Unit: "W",
			Price: perKW, PriceUnit: "kW", Amount: tariff.Cost(d.DemandW, perKW, 1000, digits)}
		if d.DemandEstimated {
			l.EstimatedQuantity = d.DemandW
		}
		dst = append(dst, l)
	}
	return dst
}

// Total sums the amounts of lines.
func Total(lines []Line) tariff.Money {
	var sum tariff.Money
	for _, l := range lines {
		sum += l.Amount
	}
	return sum
}
