package clock

import (
	"time"

	"github.com/amigo-ami/amigo/meter/calendar"
)

// DST reports whether daylight saving is active at meter time m. Both
// changes of m's year are resolved in standard local time (the end is
// given in daylight time, so its deviation is taken off); where the end
// comes before the begin in the year (southern hemisphere) saving is
// active outside [end, begin).
func (c *Clock) DST(m time.Time) bool {
	if !c.cfg.DSTEnabled {
		return false
	}
	std := m.UTC().Add(-time.Duration(c.cfg.TimeZone) * time.Minute)
	begin, ok1 := c.change(true, std.Year())
	end, ok2 := c.change(false, std.Year())
	if !ok1 || !ok2 {
		return false
	}
	if begin.Before(end) {
		return !std.Before(begin) && std.Before(end)
	}
	return !std.Before(begin) || std.Before(end)
}

// change returns the standard local wall time of the daylight saving
// begin (or end) in year.
func (c *Clock) change(begin bool, year int) (calendar.Wall, bool) {
	p := c.cfg.DSTEnd
	if begin {
		p = c.cfg.DSTBegin
	}
	day, ok := calendar.Resolve(p.Date, year)
	if !ok {
		return calendar.Wall{}, false
	}
	tod, _ := calendar.TimeOfDay(p.Time)
	at := day.Add(tod)
	if !begin {
		at = at.Add(-time.Duration(c.cfg.DSTDeviation) * time.Minute)
	}
	return at, true
}

// NextDSTChange returns the first meter time after m at which daylight
// saving begins or ends, and false when it is not enabled or the patterns
// name no day in the next two years.
func (c *Clock) NextDSTChange(m time.Time) (time.Time, bool) {
	if !c.cfg.DSTEnabled {
		return time.Time{}, false
	}
	std := m.UTC().Add(-time.Duration(c.cfg.TimeZone) * time.Minute)
	var best calendar.Wall
	found := false
	for y := std.Year(); y <= std.Year()+2; y++ {
		for _, b := range []bool{true, false} {
			if at, ok := c.change(b, y); ok && at.After(std) && (!found || at.Before(best)) {
				best, found = at, true
			}
		}
	}
	if !found {
		return time.Time{}, false
	}
	return best.Add(time.Duration(c.cfg.TimeZone) * time.Minute), true
}
