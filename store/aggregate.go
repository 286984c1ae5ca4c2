package store

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Step is the width of an aggregation bucket.
type Step uint8

// Steps of Aggregate.
const (
	Step15Min Step = iota + 1
	StepHour
	StepDay
	StepMonth
)

func (s Step) String() string {
	switch s {
	case Step15Min:
		return "15min"
	case StepHour:
		return "hour"
	case StepDay:
		return "day"
	case StepMonth:
		return "month"
	}
	return fmt.Sprintf("step(%d)", uint8(s))
}

// AggregateQuery selects one channel of a group of meters over a range.
type AggregateQuery struct {
	Meters  []MeterID
	Channel Channel
	Range   Range
	Step    Step
	// Location sets the wall clock buckets align to (day and month
	// boundaries, and hours in zones whose offset is not whole hours).
	// Nil means UTC.
	Location *time.Location
	// PerMeter returns one series per meter instead of one for the group.
	PerMeter bool
}

// Validate reports why q cannot be answered, wrapping ErrInvalid.
func (q AggregateQuery) Validate() error {
	switch {
	case len(q.Meters) == 0:
		return fmt.Errorf("aggregate %s: no meters: %w", q.Channel, ErrInvalid)
	case q.Step < Step15Min || q.Step > StepMonth:
		return fmt.Errorf("aggregate %s: %s: %w", q.Channel, q.Step, ErrInvalid)
	case q.Range.From >= q.Range.To:
		return fmt.Errorf("aggregate %s: empty range [%d, %d): %w", q.Channel, q.Range.From, q.Range.To, ErrInvalid)
	}
	return nil
}

// Bucket aggregates the non-missing readings of one step.
type Bucket struct {
	Meter MeterID // zero for a group's bucket
	Start int64   // Unix milliseconds of the bucket's first instant
	Count int64
	Sum   int64 // wraps around on int64 overflow, as in ClickHouse
	Min   int64
	Max   int64
	First int64 // value of the earliest reading (group: sum over meters)
	Last  int64 // value of the latest reading (group: sum over meters)
}

// Add folds one reading into b; readings must come in time order.
func (b *Bucket) Add(v int64) {
	if b.Count == 0 {
		b.Min, b.Max, b.First = v, v, v
	}
	b.Count++
	b.Sum += v
	b.Min = min(b.Min, v)
	b.Max = max(b.Max, v)
	b.Last = v
}

// Fold folds later, a summary of readings after those of b, into b.
func (b *Bucket) Fold(later Bucket) {
	if later.Count == 0 {
		return
	}
	if b.Count == 0 {
		b.Count, b.Sum, b.Min, b.Max, b.First, b.Last = later.Count, later.Sum, later.Min, later.Max, later.First, later.Last
		return
	}
	b.Count += later.Count
	b.Sum += later.Sum
	b.Min = min(b.Min, later.Min)
	b.Max = max(b.Max, later.Max)
	b.Last = later.Last
}

// Combine merges per-meter series (each ordered by start) into the group's
// series: counts, sums, firsts and lasts add up, min and max are taken over
// all. The result is ordered by start and has Meter zero.
func Combine(series []Bucket) []Bucket {
	byStart := make(map[int64]*Bucket)
	for _, s := range series {
		g, ok := byStart[s.Start]
		if !ok {
			c := s
			c.Meter = 0
			byStart[s.Start] = &c
			continue
		}
		g.Count += s.Count
		g.Sum += s.Sum
		g.Min = min(g.Min, s.Min)
		g.Max = max(g.Max, s.Max)
		g.First += s.First
		g.Last += s.Last
	}
	out := make([]Bucket, 0, len(byStart))
	for _, g := range byStart {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b Bucket) int { return cmp.Compare(a.Start, b.Start) })
	return out
}

const (
	minuteMs = int64(time.Minute / time.Millisecond)
	hourMs   = 60 * minuteMs
)

// Bucketer maps instants to the bounds of their bucket. It remembers the
// last bucket, so that readings in time order cost two comparisons each.
// A Bucketer is not safe for concurrent use.
type Bucketer struct {
	step       Step
	loc        *time.Location
	start, end int64
}

// NewBucketer returns a Bucketer for step in loc (nil: UTC).
func NewBucketer(step Step, loc *time.Location) *Bucketer {
	if loc == nil {
		loc = time.UTC
	}
	return &Bucketer{step: step, loc: loc, start: 1, end: 0}
}

// Bounds returns the bucket [start, end) that holds t.
func (b *Bucketer) Bounds(t int64) (start, end int64) {
	if t >= b.start && t < b.end {
		return b.start, b.end
	}
	b.start, b.end = b.compute(t)
	return b.start, b.end
}

func (b *Bucketer) compute(t int64) (start, end int64) {
	switch b.step {
	case Step15Min, StepHour:
		width := hourMs
		if b.step == Step15Min {
			width = 15 * minuteMs
		}
		var offset int64
		if b.loc != time.UTC {
			_, off := time.UnixMilli(t).In(b.loc).Zone()
			offset = int64(off) * 1000
		}
		start = t - floorMod(t+offset, width)
		return start, start + width
	}
	lt := time.UnixMilli(t).In(b.loc)
	y, m, d := lt.Date()
	var s, e time.Time
	if b.step == StepDay {
		s = time.Date(y, m, d, 0, 0, 0, 0, b.loc)
		e = time.Date(y, m, d+1, 0, 0, 0, 0, b.loc)
	} else {
		s = time.Date(y, m, 1, 0, 0, 0, 0, b.loc)
		e = time.Date(y, m+1, 1, 0, 0, 0, 0, b.loc)
	}
	start, end = s.UnixMilli(), e.UnixMilli()
	// A zone whose clocks skip midnight can move the computed midnight past
	// t; the bucket then starts at t so that it still holds t.
	start = min(start, t)
	return start, max(end, t+1)
}

func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}
