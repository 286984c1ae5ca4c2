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
	prev := -1 // index of the previous reading used; readings are not copied, they are 40 bytes
	prevEst := false
	for i := range regs {
		r := &regs[i]
		if r.Time < from || r.Time > to || r.Quality&store.Missing != 0 {
			continue
		}
		// Estimated and not edited (store.Quality.Class), as a bit test.
		est := r.Quality&(store.Estimated|store.Edited) == store.Estimated
		if prev < 0 {
			if r.Time != from {
				return dst, fmt.Errorf("meter %d %s: first reading at %d, none at the period start %d: %w", r.Meter, r.Channel, r.Time, from, ErrIncomplete)
			}
			prev, prevEst = i, est
			continue
		}
		p := &regs[prev]
		wh := r.Value - p.Value
		if wh < 0 {
			return dst, fmt.Errorf("%s after %s: %w", *r, *p, ErrNegative)
		}
		dst = append(dst, Interval{Start: p.Time, End: r.Time, Wh: wh, Estimated: est || prevEst || r.Time-p.Time > nominal})
		prev, prevEst = i, est
	}
	if prev < 0 || regs[prev].Time != to {
		last := int64(-1)
		if prev >= 0 {
			last = regs[prev].Time
		}
		return dst, fmt.Errorf("no reading at the period end %d (last at %d): %w", to, last, ErrIncomplete)
	}
	return dst, nil
}
