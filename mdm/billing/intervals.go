package billing

import (
	"errors"
	"fmt"
	"time"

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

// Intervals derives the intervals of [from, to] from register samples of
// one channel in time order: one per pair of consecutive samples that are
// not Missing. There must be a sample at from and one at to. An interval
// longer than nominal (readings lost in between, the energy spread over
// the gap) or bounded by an estimated sample is Estimated. Intervals are
// appended to dst. Errors name times, not the meter: the caller knows it.
func Intervals(regs []store.Sample, from, to, nominal int64, dst []Interval) ([]Interval, error) {
	prev := -1 // index of the previous sample used
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
				return dst, fmt.Errorf("first reading at %s, none at the period start %s: %w", instant(r.Time), instant(from), ErrIncomplete)
			}
			prev, prevEst = i, est
			continue
		}
		p := &regs[prev]
		wh := r.Value - p.Value
		if wh < 0 {
			return dst, fmt.Errorf("%d at %s after %d at %s: %w", r.Value, instant(r.Time), p.Value, instant(p.Time), ErrNegative)
		}
		dst = append(dst, Interval{Start: p.Time, End: r.Time, Wh: wh, Estimated: est || prevEst || r.Time-p.Time > nominal})
		prev, prevEst = i, est
	}
	if prev < 0 || regs[prev].Time != to {
		last := "none"
		if prev >= 0 {
			last = instant(regs[prev].Time)
		}
		return dst, fmt.Errorf("no reading at the period end %s (last: %s): %w", instant(to), last, ErrIncomplete)
	}
	return dst, nil
}

// instant formats Unix ms for an error message.
func instant(ms int64) string { return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z") }
