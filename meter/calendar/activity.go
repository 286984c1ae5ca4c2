package calendar

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("calendar: invalid")

// Script names a script of a script table (IC 9): its logical name and the
// selector of the script in it. A day profile action and a single action
// schedule run one.
type Script struct {
	Table    [6]byte
	Selector uint16
}

// Season is one element of season_profile: from Start (a recurring date
// pattern, see Resolve, with a time of day) the week profile named Week
// applies.
type Season struct {
	Name  string
	Start axdr.DateTime
	Week  string
}

// Week is one element of week_profile_table: the day profile id of each
// day, Monday first.
type Week struct {
	Name string
	Days [7]uint8
}

// Action is one element of a day_schedule: from Start (time of day) the
// script runs and stays in force until the next action.
type Action struct {
	Start  axdr.Time
	Script Script
}

// Day is one element of day_profile_table.
type Day struct {
	ID      uint8
	Actions []Action
}

// Calendar is one of the two calendars of an activity calendar (IC 20):
// its name, seasons, week profiles and day profiles.
type Calendar struct {
	Name    string
	Seasons []Season
	Weeks   []Week
	Days    []Day
}

// Validate checks that every season's start resolves, every week a season
// names and every day a week names exist, and every action time is a
// valid time of day. An empty calendar (no seasons) is valid: it switches
// nothing.
func (c *Calendar) Validate() error {
	for i, s := range c.Seasons {
		if s.Start.Month < 1 || s.Start.Month > 12 {
			return fmt.Errorf("%w: season %d (%q): start %s has no month", ErrInvalid, i, s.Name, s.Start)
		}
		if _, ok := TimeOfDay(s.Start.Time); !ok {
			return fmt.Errorf("%w: season %d (%q): start time %s", ErrInvalid, i, s.Name, s.Start.Time)
		}
		if c.week(s.Week) == nil {
			return fmt.Errorf("%w: season %d (%q): no week profile %q", ErrInvalid, i, s.Name, s.Week)
		}
	}
	for _, w := range c.Weeks {
		for d, id := range w.Days {
			if c.day(id) == nil {
				return fmt.Errorf("%w: week profile %q, %s: no day profile %d", ErrInvalid, w.Name, time.Weekday((d+1)%7), id)
			}
		}
	}
	for _, d := range c.Days {
		for i, a := range d.Actions {
			if _, ok := TimeOfDay(a.Start); !ok {
				return fmt.Errorf("%w: day profile %d, action %d: start %s", ErrInvalid, d.ID, i, a.Start)
			}
		}
	}
	return nil
}

func (c *Calendar) week(name string) *Week {
	for i := range c.Weeks {
		if c.Weeks[i].Name == name {
			return &c.Weeks[i]
		}
	}
	return nil
}

func (c *Calendar) day(id uint8) *Day {
	for i := range c.Days {
		if c.Days[i].ID == id {
			return &c.Days[i]
		}
	}
	return nil
}

// season returns the season in force at w: the one whose start, in this
// year or the one before, is the latest not after w.
func (c *Calendar) season(w Wall) *Season {
	var best *Season
	var bestAt Wall
	for i := range c.Seasons {
		s := &c.Seasons[i]
		tod, _ := TimeOfDay(s.Start.Time)
		for _, y := range []int{w.Year(), w.Year() - 1} {
			d, ok := Resolve(s.Start.Date, y)
			if !ok {
				continue
			}
			at := d.Add(tod)
			if at.After(w) {
				continue // not yet this year: last year's start holds
			}
			if best == nil || at.After(bestAt) {
				best, bestAt = s, at
			}
			break
		}
	}
	return best
}

// dayID returns the day profile id for the date of w: a special day's if
// one matches, else the week profile's of the season in force.
func (c *Calendar) dayID(w Wall, special *SpecialDays) (uint8, bool) {
	if id, ok := special.Match(w); ok {
		return id, true
	}
	s := c.season(w)
	if s == nil {
		return 0, false
	}
	wk := c.week(s.Week)
	if wk == nil {
		return 0, false
	}
	return wk.Days[weekday(w)-1], true
}

// At returns the script in force at w and the wall time until which it
// certainly stays in force (the next action of the day or the next
// midnight, whichever is first). ok is false when the calendar names no
// action for w; until is then the next midnight.
func (c *Calendar) At(w Wall, special *SpecialDays) (s Script, until Wall, ok bool) {
	midnight := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	until = midnight.AddDate(0, 0, 1)
	// Season starts may fall within a day: never trust beyond the next one.
	for i := range c.Seasons {
		tod, _ := TimeOfDay(c.Seasons[i].Start.Time)
		if d, ok := Resolve(c.Seasons[i].Start.Date, w.Year()); ok {
			if at := d.Add(tod); at.After(w) && at.Before(until) {
				until = at
			}
		}
	}
	id, found := c.dayID(w, special)
	if !found {
		return Script{}, until, false
	}
	day := c.day(id)
	if day == nil {
		return Script{}, until, false
	}
	tod := w.Sub(midnight)
	actions := sortedActions(day.Actions)
	idx := -1
	for i, a := range actions {
		start, _ := TimeOfDay(a.Start)
		if start <= tod {
			idx = i
			continue
		}
		if at := midnight.Add(start); at.Before(until) {
			until = at
		}
		break
	}
	if idx >= 0 {
		return actions[idx].Script, until, true
	}
	// Before the day's first action the previous day's last one holds.
	prev, ok := c.lastOfDay(midnight.Add(-time.Nanosecond), special)
	return prev, until, ok
}

// lastOfDay returns the last action of the day profile of w's date.
func (c *Calendar) lastOfDay(w Wall, special *SpecialDays) (Script, bool) {
	id, found := c.dayID(w, special)
	if !found {
		return Script{}, false
	}
	day := c.day(id)
	if day == nil || len(day.Actions) == 0 {
		return Script{}, false
	}
	actions := sortedActions(day.Actions)
	return actions[len(actions)-1].Script, true
}

func sortedActions(a []Action) []Action {
	less := func(x, y Action) int {
		dx, _ := TimeOfDay(x.Start)
		dy, _ := TimeOfDay(y.Start)
		return int(dx - dy)
	}
	if slices.IsSortedFunc(a, less) {
		return a
	}
	return slices.SortedStableFunc(slices.Values(a), less)
}

// Activity is an activity calendar (IC 20): the active calendar, the
// passive one a client writes, and when the passive one becomes active.
// The zero value has empty calendars and no activation pending.
type Activity struct {
	Active, Passive Calendar
	// ActivateAt is the wall time at which Passive replaces Active; zero
	// when no activation is pending (activate_passive_calendar_time with
	// its fields not specified).
	ActivateAt Wall
}

// Due reports whether a pending activation has come at w.
func (a *Activity) Due(w Wall) bool { return !a.ActivateAt.IsZero() && !w.Before(a.ActivateAt) }

// ActivatePassive copies the passive calendar into the active one
// (method activate_passive_calendar, or the activation time reached) and
// clears the pending activation. The passive calendar keeps its content,
// as the Blue Book specifies.
func (a *Activity) ActivatePassive() {
	a.Active = a.Passive.clone()
	a.ActivateAt = Wall{}
}

func (c Calendar) clone() Calendar {
	out := Calendar{Name: c.Name, Seasons: slices.Clone(c.Seasons), Weeks: slices.Clone(c.Weeks)}
	out.Days = make([]Day, len(c.Days))
	for i, d := range c.Days {
		out.Days[i] = Day{ID: d.ID, Actions: slices.Clone(d.Actions)}
	}
	return out
}
