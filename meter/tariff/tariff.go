package tariff

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrInvalid is wrapped by every validation error.
var ErrInvalid = errors.New("tariff: invalid")

// Money is an amount in nano-units (10⁻⁹) of the currency. A price per Wh
// in Money is the price per kWh in micro-units: 0.2512 EUR/kWh is 251200.
type Money int64

// FromUnits converts an amount in whole currency units (a config value)
// to Money, rounded to the nearest nano-unit.
func FromUnits(v float64) (Money, error) {
	if math.IsNaN(v) || math.Abs(v) > 9e9 {
		return 0, fmt.Errorf("%w: amount %v", ErrInvalid, v)
	}
	return Money(math.Round(v * 1e9)), nil
}

// PerKWh converts a price per kWh in whole currency units to Money per Wh.
func PerKWh(v float64) (Money, error) {
	m, err := FromUnits(v)
	return m / 1000, err
}

// Scaled returns m in units of 10^scale currency units (the scale of an
// account's currency, e.g. −2 for cents), rounded toward −∞.
func (m Money) Scaled(scale int8) int64 {
	exp := 9 + int(scale)
	if exp <= 0 {
		return int64(m) * pow10(-exp)
	}
	d := pow10(exp)
	q := int64(m) / d
	if int64(m)%d < 0 {
		q--
	}
	return q
}

// FromScaled converts v units of 10^scale currency units to Money.
func FromScaled(v int64, scale int8) Money {
	exp := 9 + int(scale)
	if exp <= 0 {
		return Money(v / pow10(-exp))
	}
	return Money(v * pow10(exp))
}

func pow10(n int) int64 {
	p := int64(1)
	for range min(n, 18) {
		p *= 10
	}
	return p
}

func (m Money) String() string {
	s := strconv.FormatFloat(float64(m)/1e9, 'f', -1, 64)
	return s
}

// Tier is one step of a ladder: its price applies to monthly consumption
// up to UpTo Wh (exclusive of what lies beyond); the last tier has UpTo 0
// and no upper bound.
type Tier struct {
	UpTo  uint64
	Price Money // per Wh
}

// Ladder is a tiered price on the month's consumption. An empty ladder
// prices nothing.
type Ladder []Tier

// Validate checks that bounds strictly increase and only the last tier
// is open.
func (l Ladder) Validate() error {
	var prev uint64
	for i, t := range l {
		last := i == len(l)-1
		switch {
		case t.UpTo == 0 && !last:
			return fmt.Errorf("%w: tier %d has no upper bound but is not the last", ErrInvalid, i+1)
		case t.UpTo != 0 && last:
			return fmt.Errorf("%w: the last tier (%d) must have no upper bound", ErrInvalid, i+1)
		case t.UpTo != 0 && t.UpTo <= prev:
			return fmt.Errorf("%w: tier %d bound %d Wh not above %d Wh", ErrInvalid, i+1, t.UpTo, prev)
		case t.Price < 0:
			return fmt.Errorf("%w: tier %d price %v is negative", ErrInvalid, i+1, t.Price)
		}
		prev = t.UpTo
	}
	return nil
}

// Tier returns the 1-based tier the next Wh falls in after month Wh this
// month (0 for an empty ladder).
func (l Ladder) Tier(month uint64) int {
	for i, t := range l {
		if t.UpTo == 0 || month < t.UpTo {
			return i + 1
		}
	}
	return 0
}

// Cost returns the price of wh Wh consumed after month Wh this month,
// split exactly at the tier bounds it crosses.
func (l Ladder) Cost(month, wh uint64) Money {
	var cost Money
	for _, t := range l {
		if wh == 0 {
			break
		}
		if t.UpTo != 0 && month >= t.UpTo {
			continue
		}
		n := wh
		if t.UpTo != 0 {
			n = min(wh, t.UpTo-month)
		}
		cost += Money(n) * t.Price
		month += n
		wh -= n
	}
	return cost
}

// Pricing is the energy price: a ladder on the month's import plus a
// time-of-use price per tariff register (index 0 for tariff 1).
type Pricing struct {
	Ladder Ladder
	TOU    [4]Money
}

// Validate validates the ladder and that no price is negative.
func (p *Pricing) Validate() error {
	for i, m := range p.TOU {
		if m < 0 {
			return fmt.Errorf("%w: tariff %d price %v is negative", ErrInvalid, i+1, m)
		}
	}
	return p.Ladder.Validate()
}

// Cost returns the price of wh Wh imported in tariff (1…4) after month Wh
// this month.
func (p *Pricing) Cost(tariff int, month, wh uint64) Money {
	c := p.Ladder.Cost(month, wh)
	if tariff >= 1 && tariff <= len(p.TOU) {
		c += Money(wh) * p.TOU[tariff-1]
	}
	return c
}

// UnitPrice returns the price per Wh of the next Wh in tariff after month
// Wh this month.
func (p *Pricing) UnitPrice(tariff int, month uint64) Money { return p.Cost(tariff, month, 1) }
