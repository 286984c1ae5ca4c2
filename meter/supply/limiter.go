package supply

import (
	"fmt"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/meter/calendar"
)

// Emergency is emergency_profile: while active, the emergency threshold
// replaces the normal one from Start for Duration, if ID is in the
// limiter's group list.
type Emergency struct {
	ID       uint16
	Start    time.Time
	Duration time.Duration
}

// LimiterConfig is the limiter's settings (IC 71 attributes 4–11). The
// monitored value is set by the meter.
type LimiterConfig struct {
	Normal, Emergency int64 // thresholds, in the monitored value's unit
	MinOver, MinUnder time.Duration
	Profile           Emergency
	Groups            []uint16
	Over, Under       calendar.Script // actions
}

// Validate checks the durations.
func (c *LimiterConfig) Validate() error {
	if c.MinOver < 0 || c.MinUnder < 0 || c.Profile.Duration < 0 {
		return fmt.Errorf("%w: negative duration in limiter", ErrNotAllowed)
	}
	return nil
}

// Action is what a limiter step fires.
type Action uint8

// Limiter actions.
const (
	None  Action = iota
	Over         // the value stayed above the threshold for MinOver
	Under        // after Over, it stayed at or below it for MinUnder
)

// Limiter is a limiter's state machine. Step it with the monitored value
// at each meter step.
type Limiter struct {
	Config  LimiterConfig
	over    bool      // Over fired and Under not since
	started bool      // a value has been seen since the limiter was enabled
	above   bool      // the side of the threshold the value is on
	since   time.Time // when it got there
}

// Threshold returns threshold_active at t: the emergency threshold while
// an emergency profile of one of the groups is in force.
func (l *Limiter) Threshold(t time.Time) int64 {
	if l.EmergencyActive(t) {
		return l.Config.Emergency
	}
	return l.Config.Normal
}

// EmergencyActive returns emergency_profile_active at t.
func (l *Limiter) EmergencyActive(t time.Time) bool {
	p := l.Config.Profile
	return p.Duration > 0 && slices.Contains(l.Config.Groups, p.ID) &&
		!t.Before(p.Start) && t.Before(p.Start.Add(p.Duration))
}

// Tripped reports whether the over-threshold action fired and the
// under-threshold one has not since.
func (l *Limiter) Tripped() bool { return l.over }

// Step feeds the monitored value at meter time t and returns the action to
// run, if any. A threshold of 0 disables the limiter.
func (l *Limiter) Step(t time.Time, value int64) Action {
	th := l.Threshold(t)
	if th == 0 && !l.over {
		l.started = false
		return None
	}
	above := value > th
	if !l.started || above != l.above {
		l.started, l.above, l.since = true, above, t
	}
	switch {
	case above && !l.over && t.Sub(l.since) >= l.Config.MinOver:
		l.over = true
		return Over
	case !above && l.over && t.Sub(l.since) >= l.Config.MinUnder:
		l.over = false
		return Under
	}
	return None
}

// SetTripped restores the tripped flag after a restart.
func (l *Limiter) SetTripped(v bool) { l.over = v }
