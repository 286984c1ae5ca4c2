package nilm

import (
	"slices"
	"strings"
)

// Interval is a span during which an appliance was on at a power.
type Interval struct {
	Label    string  `json:"label"`
	FromS    float64 `json:"from_s"` // seconds since the start of the stream
	ToS      float64 `json:"to_s"`
	PowerW   float64 `json:"power_w"`
	EnergyWh float64 `json:"energy_wh"`
}

// Usage is an appliance's state and energy at a moment.
type Usage struct {
	Label    string  `json:"label"`
	On       bool    `json:"on"`
	PowerW   float64 `json:"power_w"`
	EnergyWh float64 `json:"energy_wh"`
	Switches int     `json:"switches"`
}

// Tracker follows each appliance's state from classified events and
// integrates its energy as the event power times the time it stays on.
// An unknown switch-off that a running appliance can account for is taken
// as that appliance changing to a lower mode (its power drops by the
// event's); other unknown events are counted but not tracked. Not safe for
// concurrent use.
type Tracker struct {
	open     map[string]*Interval
	closed   []Interval
	switches map[string]int
	unknown  int
	modes    int
}

// NewTracker returns a tracker with every appliance off.
func NewTracker() *Tracker {
	return &Tracker{open: map[string]*Interval{}, switches: map[string]int{}}
}

// Observe applies one classified event at time atS (seconds) whose own
// current draws powerW. A switch-on of an appliance already on is taken as
// a change of mode: the running interval ends and one at the new power
// begins. A switch-off of an appliance that is off changes nothing.
func (t *Tracker) Observe(atS float64, r Result, powerW float64) {
	if r.Label == Unknown || r.Label == "" {
		t.unknown++
		if r.State == Off {
			t.modeDown(atS, powerW)
		}
		return
	}
	t.switches[r.Label]++
	if cur, ok := t.open[r.Label]; ok {
		t.close(cur, atS)
		delete(t.open, r.Label)
	}
	if r.State == On {
		t.open[r.Label] = &Interval{Label: r.Label, FromS: atS, PowerW: powerW}
	}
}

// modeSlack is how much more than a running appliance draws an unknown
// switch-off may remove and still be taken as its change of mode
// (measurement error, and the appliance's own drift).
const modeSlack = 1.1

// modeDown takes an unknown switch-off of powerW as a drop to a lower mode
// of the running appliance that draws the least power above it.
func (t *Tracker) modeDown(atS, powerW float64) {
	var best *Interval
	for _, iv := range t.open {
		if iv.PowerW*modeSlack >= powerW && (best == nil || iv.PowerW < best.PowerW ||
			iv.PowerW == best.PowerW && iv.Label < best.Label) {
			best = iv
		}
	}
	if best == nil {
		return
	}
	t.close(best, atS)
	t.open[best.Label] = &Interval{Label: best.Label, FromS: atS, PowerW: max(best.PowerW-powerW, 0)}
	t.modes++
}

func (t *Tracker) close(iv *Interval, atS float64) {
	iv.ToS = atS
	iv.EnergyWh = iv.PowerW * (atS - iv.FromS) / 3600
	t.closed = append(t.closed, *iv)
}

// Intervals returns every on-interval up to atS, running ones cut at atS,
// ordered by start.
func (t *Tracker) Intervals(atS float64) []Interval {
	out := slices.Clone(t.closed)
	for _, iv := range t.open {
		c := *iv
		c.ToS = atS
		c.EnergyWh = c.PowerW * (atS - c.FromS) / 3600
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Interval) int {
		if a.FromS != b.FromS {
			if a.FromS < b.FromS {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Label, b.Label)
	})
	return out
}

// Usage returns each appliance seen so far with its state at atS and its
// energy up to atS, ordered by label.
func (t *Tracker) Usage(atS float64) []Usage {
	by := map[string]*Usage{}
	for label, n := range t.switches {
		by[label] = &Usage{Label: label, Switches: n}
	}
	for _, iv := range t.Intervals(atS) {
		by[iv.Label].EnergyWh += iv.EnergyWh
	}
	for label, iv := range t.open {
		by[label].On, by[label].PowerW = true, iv.PowerW
	}
	out := make([]Usage, 0, len(by))
	for _, u := range by {
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b Usage) int { return strings.Compare(a.Label, b.Label) })
	return out
}

// Unknown counts the events no prototype accepted.
func (t *Tracker) Unknown() int { return t.unknown }

// ModeChanges counts the unknown switch-offs taken as a change of mode.
func (t *Tracker) ModeChanges() int { return t.modes }
