package energy

import (
	"fmt"

	"github.com/amigo-ami/amigo/metrology"
)

// Quantity indexes the energy registers.
type Quantity uint8

// Quantities, in the order of their OBIS C codes.
const (
	ActiveImport   Quantity = iota // +A, 1.0.1.8.x
	ActiveExport                   // −A, 1.0.2.8.x
	ReactiveQI                     // 1.0.5.8.x
	ReactiveQII                    // 1.0.6.8.x
	ReactiveQIII                   // 1.0.7.8.x
	ReactiveQIV                    // 1.0.8.8.x
	ApparentImport                 // 1.0.9.8.x
	ApparentExport                 // 1.0.10.8.x
	NumQuantities
)

// OBISC is the OBIS value group C of the quantity's registers.
func (q Quantity) OBISC() uint8 {
	return [...]uint8{1, 2, 5, 6, 7, 8, 9, 10}[q]
}

func (q Quantity) String() string {
	if q >= NumQuantities {
		return fmt.Sprintf("quantity-%d", uint8(q))
	}
	return [...]string{"+A", "-A", "QI", "QII", "QIII", "QIV", "+S", "-S"}[q]
}

// MaxTariffs is the number of tariff registers per quantity (1.0.C.8.1…4).
const MaxTariffs = 4

// micro is how many metrology micro-units make one whole unit.
const micro = 1_000_000

// Registers are the energy registers: totals and per-tariff values in
// whole units, and the micro-units not yet registered. The zero value is
// a new meter's.
type Registers struct {
	Total  [NumQuantities]uint64
	Tariff [NumQuantities][MaxTariffs]uint64
	// Carry holds, per quantity, the micro-units below one whole unit.
	Carry [NumQuantities]uint64
}

// Increment is what one Add registered: whole units per quantity.
type Increment [NumQuantities]uint64

// Add registers the metrology increments d (micro-units, each ≥ 0) with
// tariff (1…MaxTariffs) in force, and returns the whole units registered.
// It panics on a tariff out of range or a negative increment: both are the
// caller's bug (the meter validates tariffs and only passes differences of
// monotonic registers).
func (r *Registers) Add(d metrology.Registers, tariff int) Increment {
	if tariff < 1 || tariff > MaxTariffs {
		panic(fmt.Sprintf("energy: tariff %d out of 1…%d", tariff, MaxTariffs))
	}
	var inc Increment
	for q, v := range Micro(d) {
		if v < 0 {
			panic(fmt.Sprintf("energy: negative increment %d of %s", v, Quantity(q)))
		}
		f := r.Carry[q] + uint64(v)
		w := f / micro
		r.Carry[q] = f % micro
		r.Total[q] += w
		r.Tariff[q][tariff-1] += w
		inc[q] = w
	}
	return inc
}

// Micro lists a metrology register set by Quantity.
func Micro(d metrology.Registers) [NumQuantities]int64 {
	return [NumQuantities]int64{
		int64(d.ActiveImport), int64(d.ActiveExport),
		int64(d.Reactive[metrology.QI]), int64(d.Reactive[metrology.QII]),
		int64(d.Reactive[metrology.QIII]), int64(d.Reactive[metrology.QIV]),
		int64(d.ApparentImport), int64(d.ApparentExport),
	}
}

// ReactiveImport is +R = QI + QII (1.0.3.8.0).
func (r *Registers) ReactiveImport() uint64 { return r.Total[ReactiveQI] + r.Total[ReactiveQII] }

// ReactiveExport is −R = QIII + QIV (1.0.4.8.0).
func (r *Registers) ReactiveExport() uint64 { return r.Total[ReactiveQIII] + r.Total[ReactiveQIV] }

// Check verifies the invariant that each quantity's tariff registers add
// up to its total and the carry stays below one unit.
func (r *Registers) Check() error {
	for q := range NumQuantities {
		var sum uint64
		for _, v := range r.Tariff[q] {
			sum += v
		}
		if sum != r.Total[q] {
			return fmt.Errorf("energy: %s: tariffs add up to %d, total %d", q, sum, r.Total[q])
		}
		if r.Carry[q] >= micro {
			return fmt.Errorf("energy: %s: carry %d", q, r.Carry[q])
		}
	}
	return nil
}
