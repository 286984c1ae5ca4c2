package calendar

import (
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Wall is a local wall-clock reading: the meter's local date and time
// carried in a time.Time whose location is UTC, so that its fields read
// as the local ones and arithmetic ignores zones. The meter's clock turns
// instants into wall readings and back (it alone knows the time zone and
// daylight saving); everything in this package works on wall readings.
type Wall = time.Time

// MatchDate reports whether the date of w matches pattern p field by
// field: a field not specified matches anything, day DayLast and
// DaySecondLast match the last and second last day of the month, and a
// specified weekday must match too (1 = Monday … 7 = Sunday). Months
// MonthDSTBegin and MonthDSTEnd never match: they name no calendar month.
func MatchDate(p axdr.Date, w Wall) bool {
	if p.Year != axdr.YearNotSpecified && int(p.Year) != w.Year() {
		return false
	}
	if p.Month != axdr.NotSpecified && int(p.Month) != int(w.Month()) {
		return false
	}
	last := daysIn(w.Year(), w.Month())
	switch p.Day {
	case axdr.NotSpecified:
	case axdr.DayLast:
		if w.Day() != last {
			return false
		}
	case axdr.DaySecondLast:
		if w.Day() != last-1 {
			return false
		}
	default:
		if int(p.Day) != w.Day() {
			return false
		}
	}
	return p.Weekday == axdr.NotSpecified || p.Weekday == weekday(w)
}

// MatchTime reports whether the time of day of w matches pattern t; a
// field not specified matches anything and hundredths are ignored.
func MatchTime(t axdr.Time, w Wall) bool {
	return (t.Hour == axdr.NotSpecified || int(t.Hour) == w.Hour()) &&
		(t.Minute == axdr.NotSpecified || int(t.Minute) == w.Minute()) &&
		(t.Second == axdr.NotSpecified || int(t.Second) == w.Second())
}

// Resolve returns the day a recurring date pattern names in year: the
// form season starts and daylight-saving changes are written in. The month
// must be specified (1–12). A specified day of month with a weekday means
// the first such weekday on or after that day ("day 25, Sunday" is the
// last Sunday of a 31-day month); DayLast or DaySecondLast with a weekday
// means the last such weekday on or before that day; a weekday alone
// means its first occurrence in the month. A pattern whose year is
// specified resolves only in that year.
func Resolve(p axdr.Date, year int) (Wall, bool) {
	if p.Year != axdr.YearNotSpecified && int(p.Year) != year {
		return Wall{}, false
	}
	if p.Month < 1 || p.Month > 12 {
		return Wall{}, false
	}
	m := time.Month(p.Month)
	last := daysIn(year, m)
	day, backwards := 1, false
	switch p.Day {
	case axdr.NotSpecified:
	case axdr.DayLast:
		day, backwards = last, true
	case axdr.DaySecondLast:
		day, backwards = last-1, true
	default:
		if p.Day < 1 || int(p.Day) > last {
			return Wall{}, false
		}
		day = int(p.Day)
	}
	d := time.Date(year, m, day, 0, 0, 0, 0, time.UTC)
	if p.Weekday == axdr.NotSpecified {
		if p.Day == axdr.NotSpecified {
			return Wall{}, false // a month alone names no day
		}
		return d, true
	}
	if p.Weekday < 1 || p.Weekday > 7 {
		return Wall{}, false
	}
	step := 1
	if backwards {
		step = -1
	}
	for weekday(d) != p.Weekday {
		d = d.AddDate(0, 0, step)
	}
	if d.Month() != m {
		return Wall{}, false
	}
	return d, true
}

// TimeOfDay returns the offset into the day that t names, reading fields
// not specified as zero; false if a field is out of range.
func TimeOfDay(t axdr.Time) (time.Duration, bool) {
	field := func(v uint8, limit int) (int, bool) {
		if v == axdr.NotSpecified {
			return 0, true
		}
		return int(v), int(v) < limit
	}
	h, ok1 := field(t.Hour, 24)
	m, ok2 := field(t.Minute, 60)
	s, ok3 := field(t.Second, 60)
	c, ok4 := field(t.Hundredths, 100)
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second +
		time.Duration(c)*10*time.Millisecond
	return d, ok1 && ok2 && ok3 && ok4
}

// searchDays bounds how far NextMatch looks ahead: eight years, enough for
// a 29 February pattern to recur.
const searchDays = 8*366 + 1

// NextMatch returns the first whole second strictly after w whose date
// matches d (MatchDate) and whose time matches t (MatchTime); false when
// none falls within eight years.
func NextMatch(d axdr.Date, t axdr.Time, w Wall) (Wall, bool) {
	from := w.Truncate(time.Second).Add(time.Second)
	day := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for range searchDays {
		if MatchDate(d, day) {
			var start time.Duration
			if day.Before(from) {
				start = from.Sub(day)
			}
			if tod, ok := nextTime(t, start); ok {
				return day.Add(tod), true
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return Wall{}, false
}

// nextTime returns the first time of day at or after start (whole
// seconds) that matches t.
func nextTime(t axdr.Time, start time.Duration) (time.Duration, bool) {
	first := func(v uint8, from, limit int) []int {
		if v == axdr.NotSpecified {
			out := make([]int, 0, limit-from)
			for i := from; i < limit; i++ {
				out = append(out, i)
			}
			return out
		}
		if int(v) >= from && int(v) < limit {
			return []int{int(v)}
		}
		return nil
	}
	sh := int(start / time.Hour)
	for _, h := range first(t.Hour, sh, 24) {
		sm := 0
		if h == sh {
			sm = int(start%time.Hour) / int(time.Minute)
		}
		for _, m := range first(t.Minute, sm, 60) {
			ss := 0
			if h == sh && m == sm {
				ss = int(start%time.Minute) / int(time.Second)
			}
			if s := first(t.Second, ss, 60); len(s) > 0 {
				return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s[0])*time.Second, true
			}
		}
	}
	return 0, false
}

// weekday is the COSEM day of week of w: 1 = Monday … 7 = Sunday.
func weekday(w Wall) uint8 {
	if d := w.Weekday(); d != time.Sunday {
		return uint8(d)
	}
	return 7
}

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
