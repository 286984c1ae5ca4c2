package schedule

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// ErrSpec is wrapped by errors about a schedule spec.
var ErrSpec = errors.New("schedule: bad spec")

// Spec is a parsed schedule spec.
type Spec struct {
	text           string
	every          time.Duration // @every; 0 for cron fields
	min            uint64        // bit m: minute m
	hour           uint64
	dom            uint64 // bits 1–31
	month          uint64 // bits 1–12
	dow            uint64 // bits 0–6
	domAny, dowAny bool
	loc            *time.Location
}

// Parse reads a spec (see the package doc); loc nil is UTC.
func Parse(text string, loc *time.Location) (Spec, error) {
	if loc == nil {
		loc = time.UTC
	}
	s := Spec{text: text, loc: loc}
	t := strings.TrimSpace(text)
	switch t {
	case "@hourly":
		t = "0 * * * *"
	case "@daily":
		t = "0 0 * * *"
	case "@monthly":
		t = "0 0 1 * *"
	}
	if d, ok := strings.CutPrefix(t, "@every "); ok {
		every, err := time.ParseDuration(strings.TrimSpace(d))
		day := 24 * time.Hour
		if err != nil || every < time.Second || (day%every != 0 && every%day != 0) {
			return s, fmt.Errorf("%w %q: @every wants a duration ≥ 1s that divides a day or is whole days", ErrSpec, text)
		}
		s.every = every
		return s, nil
	}
	f := strings.Fields(t)
	if len(f) != 5 {
		return s, fmt.Errorf("%w %q: want 5 fields (minute hour day month weekday) or @every D", ErrSpec, text)
	}
	var err error
	parse := func(i int, lo, hi int) uint64 {
		if err != nil {
			return 0
		}
		var v uint64
		v, err = field(f[i], lo, hi)
		if err != nil {
			err = fmt.Errorf("%w %q: field %d: %v", ErrSpec, text, i+1, err)
		}
		return v
	}
	s.min, s.hour, s.dom, s.month, s.dow = parse(0, 0, 59), parse(1, 0, 23), parse(2, 1, 31), parse(3, 1, 12), parse(4, 0, 7)
	if s.dow&(1<<7) != 0 {
		s.dow = s.dow&^(1<<7) | 1
	}
	s.domAny, s.dowAny = f[2] == "*", f[4] == "*"
	return s, err
}

// field reads one cron field into a bit set.
func field(f string, lo, hi int) (uint64, error) {
	var set uint64
	for part := range strings.SplitSeq(f, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return 0, fmt.Errorf("step %q", stepText)
			}
			step = n
		}
		a, b := lo, hi
		if rng != "*" {
			x, y, isRange := strings.Cut(rng, "-")
			var err error
			if a, err = strconv.Atoi(x); err != nil {
				return 0, fmt.Errorf("value %q", x)
			}
			b = a
			if isRange {
				if b, err = strconv.Atoi(y); err != nil {
					return 0, fmt.Errorf("value %q", y)
				}
			} else if hasStep {
				b = hi
			}
		}
		if a < lo || b > hi || a > b {
			return 0, fmt.Errorf("%q outside %d–%d", part, lo, hi)
		}
		for v := a; v <= b; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

// String returns the spec as written.
func (s Spec) String() string { return s.text }

// Next returns the first firing strictly after t.
func (s Spec) Next(t time.Time) time.Time {
	if s.every > 0 {
		base := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		if s.every > 24*time.Hour {
			base = time.Unix(0, 0).UTC()
		}
		n := t.Sub(base)/s.every + 1
		return base.Add(n * s.every)
	}
	t = t.In(s.loc).Truncate(time.Minute).Add(time.Minute)
	// Five years is more than any satisfiable spec needs (29 February on
	// a Monday comes round within 28 years, but such specs are odd); give
	// up on the rest.
	limit := t.AddDate(5, 0, 0)
	for t.Before(limit) {
		switch {
		case s.month&(1<<uint(t.Month())) == 0:
			t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, s.loc)
		case !s.dayMatches(t):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, s.loc)
		case s.hour&(1<<uint(t.Hour())) == 0:
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour()+1, 0, 0, 0, s.loc)
		case s.min&(1<<uint(t.Minute())) == 0:
			t = t.Add(time.Minute)
		default:
			return t
		}
	}
	return time.Time{}
}

func (s Spec) dayMatches(t time.Time) bool {
	dom := s.dom&(1<<uint(t.Day())) != 0
	dow := s.dow&(1<<uint(t.Weekday())) != 0
	switch {
	case s.domAny && s.dowAny:
		return true
	case s.domAny:
		return dow
	case s.dowAny:
		return dom
	}
	return dom || dow
}

// Offset is where meter falls in a jitter window of length window: the
// same for the same meter and schedule every time, and spread evenly over
// a fleet.
func Offset(schedule, meter string, window time.Duration) time.Duration {
	if window <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(schedule))
	h.Write([]byte{0})
	h.Write([]byte(meter))
	return time.Duration(h.Sum64() % uint64(window))
}
