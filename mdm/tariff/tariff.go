package tariff

import (
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Tariff is a compiled Definition. It is immutable and safe for
// concurrent use.
type Tariff struct {
	def       Definition
	loc       *time.Location
	digits    int
	cycleDay  int
	periods   []string
	seasons   []season // by start date
	holidays  map[int]bool
	tiers     []tier
	demand    *demand
	registers []Register // by channel
}

// Register is a time-of-use energy register of the meter and the period
// it counts.
type Register struct {
	Channel store.Channel
	Period  Period
}

type season struct {
	from int // month·100 + day
	days [dayTypes][]dayswitch
}

type dayswitch struct {
	at     int64 // ms after local midnight
	period uint8
}

type tier struct {
	upTo   int64   // Wh; 0: open
	prices []Money // per kWh, by period
}

type demand struct {
	perKW   Money
	window  int64 // ms
	periods []bool
}

// Definition returns the definition t was compiled from.
func (t *Tariff) Definition() Definition { return t.def }

// Location is the time zone of the calendar and the billing cycle.
func (t *Tariff) Location() *time.Location { return t.loc }

// MinorDigits is the number of decimals bill lines are rounded to.
func (t *Tariff) MinorDigits() int { return t.digits }

// Periods names the TOU periods; a Period is an index into it.
func (t *Tariff) Periods() []string { return t.periods }

// Tiers is the number of ladder tiers (1 without a ladder).
func (t *Tariff) Tiers() int { return len(t.tiers) }

// TierBound is the upper bound of tier i (0-based) in Wh; 0 for the open
// last tier.
func (t *Tariff) TierBound(i int) int64 { return t.tiers[i].upTo }

// Price is the energy price per kWh of period p in tier i (0-based).
func (t *Tariff) Price(i int, p Period) Money { return t.tiers[i].prices[p] }

// Registers returns the meter's time-of-use registers the tariff bills,
// ordered by OBIS code; none when it bills interval data.
func (t *Tariff) Registers() []Register { return t.registers }

// Standing returns the standing charges.
func (t *Tariff) Standing() Standing { return t.def.Standing }

// Demand returns the demand price per kW and window in ms, and whether
// windows starting in period p count; ok is false without a demand
// charge.
func (t *Tariff) Demand() (perKW Money, window int64, ok bool) {
	if t.demand == nil {
		return 0, 0, false
	}
	return t.demand.perKW, t.demand.window, true
}

// DemandPeriod reports whether demand in period p is charged.
func (t *Tariff) DemandPeriod(p Period) bool { return t.demand != nil && t.demand.periods[p] }

// Cycle returns the billing cycle [from, to) that holds instant at: from
// local midnight of the cycle day to the same day a month later.
func (t *Tariff) Cycle(at time.Time) (from, to time.Time) {
	lt := at.In(t.loc)
	y, m, d := lt.Date()
	if d < t.cycleDay {
		m--
	}
	from = time.Date(y, m, t.cycleDay, 0, 0, 0, 0, t.loc)
	to = time.Date(y, m+1, t.cycleDay, 0, 0, 0, 0, t.loc)
	if from.After(at) { // a zone whose clocks skip midnight
		from = at
	}
	return from, to
}

// Days returns the number of local calendar days that [from, to) touches.
func (t *Tariff) Days(from, to time.Time) int {
	if !from.Before(to) {
		return 0
	}
	fy, fm, fd := from.In(t.loc).Date()
	ly, lm, ld := to.Add(-time.Nanosecond).In(t.loc).Date()
	a := time.Date(fy, fm, fd, 0, 0, 0, 0, time.UTC)
	b := time.Date(ly, lm, ld, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a)/(24*time.Hour)) + 1
}
