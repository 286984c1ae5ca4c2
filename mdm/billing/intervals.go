package billing

import (
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/store"
)

// Errors a bill cannot be computed for; the meter's data needs VEE or an
// operator first.
var (
	// ErrIncomplete: no register reading at the start or end of the
	// period (not even an estimate).
	ErrIncomplete = errors.New("billing: incomplete data")
	// ErrNegative: the register went down between two readings that no
	// validation explained.
	ErrNegative = errors.New("billing: negative consumption")
)

// Interval is the energy a register recorded over [Start, End).
type Interval struct {
	Start, End int64 // Unix ms
	Wh         int64
	Estimated  bool // a bounding reading was estimated, or the interval spans a gap
}

// Intervals derives the intervals of [from, to] from register readings of
// one channel in time order: one per pair of consecutive readings that are
// not Missing. There must be a reading at from and one at to. An interval
// longer than nominal (readings lost in between, the energy spread over
// the gap) or bounded by an estimated reading is Estimated. Intervals are
// appended to dst.
func Intervals(regs []store.Reading, from, to, nominal int64, dst []Interval) ([]Interval, error) {
	var prev store.Reading
	have, prevEst := false, false
	for _, r := range regs {
		if r.Time < from || r.Time > to || r.Quality&store.Missing != 0 {
			continue
		}
		// Estimated and not edited (store.Quality.Class), as a bit test.
		est := r.Quality&(store.Estimated|store.Edited) == store.Estimated
		if !have {
			if r.Time != from {
				return dst, fmt.Errorf("meter %d %s: first reading at %d, none at the period start %d: %w", r.Meter, r.Channel, r.Time, from, ErrIncomplete)
			}
			prev, prevEst, have = r, est, true
			continue
		}
		wh := r.Value - prev.Value
		if wh < 0 {
			return dst, fmt.Errorf("%s after %s: %w", r, prev, ErrNegative)
		}
		dst = append(dst, Interval{Start: prev.Time, End: r.Time, Wh: wh, Estimated: est || prevEst || r.Time-prev.Time > nominal})
		prev, prevEst = r, est
	}
	if !have || prev.Time != to {
		return dst, fmt.Errorf("no reading at the period end %d (last at %d): %w", to, prev.Time, ErrIncomplete)
	}
	return dst, nil
}
