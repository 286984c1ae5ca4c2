package analytics

import (
	"cmp"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// VerificationCycle is how long an installed meter may stay in service
// before it is verified again (rotated): 8 years.
const VerificationCycle = 8

// Due is a meter whose verification falls due.
type Due struct {
	Meter       store.MeterID
	Serial      string
	InstalledAt time.Time
	DueAt       time.Time
	Overdue     bool // DueAt is not after now
}

// VerificationDue lists the meters whose verification falls due before
// until, installed years ago (VerificationCycle), by due date; meters with
// no installation date are returned apart, as nobody can say.
func VerificationDue(meters []meta.Meter, years int, now, until time.Time) (due []Due, undated []meta.Meter) {
	for _, m := range meters {
		if m.InstalledAt.IsZero() {
			undated = append(undated, m)
			continue
		}
		at := m.InstalledAt.AddDate(years, 0, 0)
		if at.Before(until) {
			due = append(due, Due{Meter: m.ID, Serial: m.Serial, InstalledAt: m.InstalledAt, DueAt: at, Overdue: !at.After(now)})
		}
	}
	slices.SortFunc(due, func(a, b Due) int {
		if c := a.DueAt.Compare(b.DueAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Serial, b.Serial)
	})
	return due, undated
}

// Lot is a batch of in-service meters inspected together: same year of
// installation and accuracy class.
type Lot struct {
	Year   int
	Class  string
	Meters []meta.Meter
}

// Lots groups meters with an installation date into lots, by year and
// class.
func Lots(meters []meta.Meter) []Lot {
	type key struct {
		year  int
		class string
	}
	idx := map[key]int{}
	var lots []Lot
	for _, m := range meters {
		if m.InstalledAt.IsZero() {
			continue
		}
		k := key{m.InstalledAt.Year(), m.AccuracyClass}
		i, ok := idx[k]
		if !ok {
			i = len(lots)
			idx[k] = i
			lots = append(lots, Lot{Year: k.year, Class: k.class})
		}
		lots[i].Meters = append(lots[i].Meters, m)
	}
	slices.SortFunc(lots, func(a, b Lot) int {
		if c := cmp.Compare(a.Year, b.Year); c != 0 {
			return c
		}
		return cmp.Compare(a.Class, b.Class)
	})
	return lots
}

// Inspection is a lot's sampling plan and the meters drawn for it.
type Inspection struct {
	Lot    Lot
	Plan   Plan
	Seed   uint64
	Sample []meta.Meter
}

// Inspect draws the ISO 2859-1 sample of a lot at an AQL.
func Inspect(lot Lot, aql string, seed uint64) (Inspection, error) {
	p, err := SamplingPlan(len(lot.Meters), aql)
	if err != nil {
		return Inspection{}, err
	}
	return Inspection{Lot: lot, Plan: p, Seed: seed, Sample: Draw(lot.Meters, p.SampleSize, seed)}, nil
}
