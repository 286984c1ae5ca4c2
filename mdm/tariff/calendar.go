package tariff

import "time"

// Period is the index of a TOU period in Tariff.Periods.
type Period uint8

// Segment is a stretch of time in one period: from Start (Unix ms) to the
// next segment's Start.
type Segment struct {
	Start  int64
	Period Period
}

// Timeline is the TOU periods over a range, as consecutive segments, and
// the zone's UTC offsets over it (for aligning demand windows to the local
// clock).
type Timeline struct {
	Segments []Segment // first Start is the range's start
	Offsets  []Offset  // first Start is the range's start
	End      int64     // the range's end
}

// Offset is the zone's offset from UTC (ms) from Start to the next
// Offset's Start.
type Offset struct {
	Start, Offset int64
}

const dayMs = 24 * 3600_000

// Timeline returns the periods in force over [from, to) (Unix ms). Day
// profiles switch at local wall-clock times: on the day clocks go forward
// a switch inside the skipped hour takes effect when the clocks resume,
// and on the day they go back the repeated hour is classified twice by
// the same wall times.
func (t *Tariff) Timeline(from, to int64) Timeline {
	tl := Timeline{End: to}
	for at := from; at < to; {
		lt := time.UnixMilli(at).In(t.loc)
		y, m, d := lt.Date()
		tod := int64(lt.Hour())*3600_000 + int64(lt.Minute())*60_000 + int64(lt.Second())*1000 + int64(lt.Nanosecond()/1e6)
		profile := t.profile(y, m, d, lt.Weekday())
		i := 0
		for i+1 < len(profile) && profile[i+1].at <= tod {
			i++
		}
		nextWall := int64(dayMs)
		if i+1 < len(profile) {
			nextWall = profile[i+1].at
		}
		// Until the next switch or midnight, unless the zone's offset
		// changes first.
		next := at + nextWall - tod
		if _, end := lt.ZoneBounds(); !end.IsZero() && end.UnixMilli() < next {
			next = end.UnixMilli()
		}
		_, off := lt.Zone()
		if n := len(tl.Offsets); n == 0 || tl.Offsets[n-1].Offset != int64(off)*1000 {
			tl.Offsets = append(tl.Offsets, Offset{Start: at, Offset: int64(off) * 1000})
		}
		p := Period(profile[i].period)
		if n := len(tl.Segments); n == 0 || tl.Segments[n-1].Period != p {
			tl.Segments = append(tl.Segments, Segment{Start: at, Period: p})
		}
		at = min(next, to)
	}
	return tl
}

var flat = []dayswitch{{at: 0, period: 0}}

// profile returns the day profile in force on a local date.
func (t *Tariff) profile(y int, m time.Month, d int, wd time.Weekday) []dayswitch {
	if len(t.seasons) == 0 {
		return flat
	}
	md := int(m)*100 + d
	s := &t.seasons[len(t.seasons)-1] // before the first start: last year's last season
	for i := range t.seasons {
		if t.seasons[i].from <= md {
			s = &t.seasons[i]
		}
	}
	dt := weekday
	switch {
	case t.holidays[dateKey(y, m, d)]:
		dt = holiday
	case wd == time.Saturday:
		dt = saturday
	case wd == time.Sunday:
		dt = sunday
	}
	return s.days[dt]
}

// Split calls fn for each part of [start, end) in one period, with the
// part's length in ms; time outside the timeline takes the period of the
// nearest segment. The search starts at segment hint and the index of the
// segment holding end is returned, so that intervals in time order cost a
// comparison or two each.
func (tl *Timeline) Split(start, end int64, hint int, fn func(p Period, ms int64)) int {
	s := tl.Segments
	if len(s) == 0 {
		return 0
	}
	i := min(max(hint, 0), len(s)-1)
	for i > 0 && s[i].Start > start {
		i--
	}
	for i+1 < len(s) && s[i+1].Start <= start {
		i++
	}
	for at := start; ; i++ {
		stop := end
		if i+1 < len(s) {
			stop = min(end, s[i+1].Start)
		}
		if stop > at {
			fn(s[i].Period, stop-at)
			at = stop
		}
		if at >= end || i+1 >= len(s) {
			return i
		}
	}
}

// Window returns the start of the window of width ms (a divisor of an
// hour) that holds t, aligned to the local clock. hint is an index into
// tl.Offsets as for Split.
func (tl *Timeline) Window(t, width int64, hint int) (start int64, next int) {
	o := tl.Offsets
	if len(o) == 0 {
		return t - floorMod(t, width), 0
	}
	i := min(max(hint, 0), len(o)-1)
	for i > 0 && o[i].Start > t {
		i--
	}
	for i+1 < len(o) && o[i+1].Start <= t {
		i++
	}
	return t - floorMod(t+o[i].Offset, width), i
}

func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}
