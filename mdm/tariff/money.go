package tariff

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Money is an amount in millionths of the currency unit, as store/meta
// keeps money: 0.5283 CNY is 528300. A price is Money per unit of its
// quantity (per kWh, per day, per kW).
type Money int64

// MicrosPerUnit is the number of Money in one currency unit.
const MicrosPerUnit = 1_000_000

// ParseMoney reads a decimal amount with at most six fraction digits,
// "0.5283", "-12", "3.", exactly.
func ParseMoney(s string) (Money, error) {
	orig := s
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 6 {
		return 0, fmt.Errorf("amount %q: want digits with at most 6 decimals: %w", orig, ErrInvalid)
	}
	for _, part := range []string{whole, frac} {
		for i := range len(part) {
			if part[i] < '0' || part[i] > '9' {
				return 0, fmt.Errorf("amount %q: %w", orig, ErrInvalid)
			}
		}
	}
	var w uint64
	if whole != "" {
		var err error
		if w, err = strconv.ParseUint(whole, 10, 64); err != nil || w > 9_000_000_000_000 {
			return 0, fmt.Errorf("amount %q: out of range: %w", orig, ErrInvalid)
		}
	}
	f := uint64(0)
	for i := range 6 {
		f *= 10
		if i < len(frac) {
			f += uint64(frac[i] - '0')
		}
	}
	m := Money(w*MicrosPerUnit + f)
	if neg {
		m = -m
	}
	return m, nil
}

// String formats m with six decimals, "0.528300".
func (m Money) String() string { return m.Format(6) }

// Format formats m with digits decimals (0…6), truncating the rest; use
// Round first to round.
func (m Money) Format(digits int) string {
	digits = min(max(digits, 0), 6)
	sign := ""
	u := uint64(m)
	if m < 0 {
		sign, u = "-", uint64(-m)
	}
	s := sign + strconv.FormatUint(u/MicrosPerUnit, 10)
	if digits == 0 {
		return s
	}
	frac := strconv.FormatUint(u%MicrosPerUnit+MicrosPerUnit, 10)[1:] // six digits, leading zeros kept
	return s + "." + frac[:digits]
}

// Round rounds m to digits decimals (the currency's minor unit: 2 for
// CNY, EUR, CAD), halves away from zero.
func (m Money) Round(digits int) Money {
	step := Money(pow10(6 - min(max(digits, 0), 6)))
	if step == 1 {
		return m
	}
	if m < 0 {
		return -(-m).Round(digits)
	}
	return (m + step/2) / step * step
}

// Decimal formats m with as few decimals as it needs, "0.5283", "12".
func (m Money) Decimal() string {
	s := m.Format(6)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// MarshalJSON writes m as a decimal string, "0.5283".
func (m Money) MarshalJSON() ([]byte, error) {
	return strconv.AppendQuote(nil, m.Decimal()), nil
}

// UnmarshalJSON reads a decimal string or a JSON number, exactly (never
// through a float).
func (m *Money) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(b) > 1 && b[0] == '"' {
		var err error
		if s, err = strconv.Unquote(s); err != nil {
			return fmt.Errorf("amount %s: %w", b, ErrInvalid)
		}
	}
	v, err := ParseMoney(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Cost returns quantity × price / per, rounded to digits decimals, halves
// away from zero: the amount of a bill line. per is the number of
// quantity units the price is for (1000 for a price per kWh of a quantity
// in Wh). The product is computed in 128 bits, so no realistic quantity
// and price overflow.
func Cost(quantity int64, price Money, per int64, digits int) Money {
	step := pow10(6 - min(max(digits, 0), 6))
	neg := (quantity < 0) != (price < 0)
	q, p := abs(quantity), abs(int64(price))
	hi, lo := bits.Mul64(q, p)
	div := uint64(per) * uint64(step)
	if hi >= div || per <= 0 {
		return 0 // beyond Money's range, or no divisor: a programmer's mistake
	}
	// (hi·2⁶⁴ + lo) / div, rounded half up, in 128 bits.
	quo, rem := bits.Div64(hi, lo, div)
	if rem >= div-rem {
		quo++
	}
	m := Money(min(quo, uint64(1<<63-1)/uint64(step)) * uint64(step))
	if neg {
		m = -m
	}
	return m
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}
