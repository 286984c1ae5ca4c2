package analytics

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// RecommendedClass is the accuracy class a meter's monthly consumption
// calls for: 0.2 from 500 kWh a month, 0.5 from 200 kWh, 1 from 100 kWh,
// and 2 below.
func RecommendedClass(monthlyWh int64) string {
	switch {
	case monthlyWh >= 500_000:
		return "0.2"
	case monthlyWh >= 200_000:
		return "0.5"
	case monthlyWh >= 100_000:
		return "1"
	}
	return "2"
}

// Mismatches of an installed class with the recommended one.
const (
	Under        = "under"   // the installed class is less accurate than recommended
	Over         = "over"    // more accurate than needed
	UnknownClass = "unknown" // no installed class on record
)

// ClassCheck compares one meter's installed accuracy class with the class
// its consumption calls for.
type ClassCheck struct {
	Meter       store.MeterID
	Serial      string
	MonthlyWh   int64 // mean over the months with data; Unknown without any
	Months      int   // months with data
	Installed   string
	Recommended string // "" without data
	Mismatch    string // "", Under, Over or UnknownClass
}

// CheckClasses compares the installed class of each meter with the class
// recommended by its mean monthly consumption over the months of loc from
// from to to. Meters without data get no recommendation. The "S" classes
// (0.2S, 0.5S) count as their number.
func CheckClasses(ctx context.Context, st Readings, meters []meta.Meter, ch store.Channel, from, to time.Time, loc *time.Location) ([]ClassCheck, error) {
	ids := make([]store.MeterID, len(meters))
	for i, m := range meters {
		ids[i] = m.ID
	}
	monthly, err := MonthlyConsumption(ctx, st, ids, ch, from, to, loc)
	if err != nil {
		return nil, err
	}
	out := make([]ClassCheck, 0, len(meters))
	for _, m := range meters {
		c := ClassCheck{Meter: m.ID, Serial: m.Serial, Installed: m.AccuracyClass}
		c.MonthlyWh, c.Months = meanKnown(monthly[m.ID])
		if c.Months > 0 {
			c.Recommended = RecommendedClass(c.MonthlyWh)
			c.Mismatch = compareClasses(c.Installed, c.Recommended)
		}
		out = append(out, c)
	}
	return out, nil
}

// Mismatched returns the checks whose installed class differs from the
// recommendation.
func Mismatched(checks []ClassCheck) []ClassCheck {
	return slices.DeleteFunc(slices.Clone(checks), func(c ClassCheck) bool { return c.Mismatch == "" })
}

func compareClasses(installed, recommended string) string {
	if installed == "" {
		return UnknownClass
	}
	a, errA := strconv.ParseFloat(strings.TrimSuffix(installed, "S"), 64)
	b, errB := strconv.ParseFloat(recommended, 64)
	switch {
	case errA != nil || errB != nil:
		return UnknownClass
	case a > b:
		return Under
	case a < b:
		return Over
	}
	return ""
}
