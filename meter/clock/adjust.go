package clock

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Kind says what changed the clock.
type Kind uint8

// Kinds of clock change; each becomes an event in the meter's log.
const (
	KindSet           Kind = iota + 1 // attribute time written
	KindShift                         // method shift_time
	KindAdjustQuarter                 // method adjust_to_quarter
	KindAdjustMinute                  // method adjust_to_minute
	KindAdjustPeriod                  // method adjust_to_measuring_period
	KindAdjustPreset                  // method adjust_to_preset_time
	KindConfig                        // time zone or daylight saving settings written
)

func (k Kind) String() string {
	switch k {
	case KindSet:
		return "set"
	case KindShift:
		return "shift_time"
	case KindAdjustQuarter:
		return "adjust_to_quarter"
	case KindAdjustMinute:
		return "adjust_to_minute"
	case KindAdjustPeriod:
		return "adjust_to_measuring_period"
	case KindAdjustPreset:
		return "adjust_to_preset_time"
	case KindConfig:
		return "configuration"
	}
	return fmt.Sprintf("kind-%d", uint8(k))
}

// Change records one change of the clock: the meter time just before and
// just after it (equal for a configuration change, which moves local time
// but not the instant).
type Change struct {
	Kind     Kind
	Old, New time.Time
}

// Set sets the meter's time to to at true time trueNow (a SET of
// attribute time) and clears the invalid and doubtful bits.
func (c *Clock) Set(trueNow, to time.Time) Change {
	return c.jump(KindSet, trueNow, to.UTC())
}

// SetDateTime sets the time from a COSEM date-time, read in the meter's
// zone when its deviation is not specified.
func (c *Clock) SetDateTime(trueNow time.Time, dt axdr.DateTime) (Change, error) {
	now := c.Now(trueNow)
	t, err := dt.TimeIn(time.FixedZone("", int(c.Offset(now)/time.Second)))
	if err != nil {
		return Change{}, fmt.Errorf("%w: %v", ErrRange, err)
	}
	return c.Set(trueNow, t), nil
}

// Shift moves the time by seconds, −900…900 (method shift_time).
func (c *Clock) Shift(trueNow time.Time, seconds int) (Change, error) {
	if seconds < -900 || seconds > 900 {
		return Change{}, fmt.Errorf("%w: shift of %d s beyond ±900 s", ErrRange, seconds)
	}
	return c.jump(KindShift, trueNow, c.Now(trueNow).Add(time.Duration(seconds)*time.Second)), nil
}

// AdjustToQuarter rounds the time to the nearest quarter hour (method
// adjust_to_quarter): up to 7 min 29 s past a quarter goes down, from
// 7 min 30 s up.
func (c *Clock) AdjustToQuarter(trueNow time.Time) Change {
	return c.round(KindAdjustQuarter, trueNow, 15*time.Minute)
}

// AdjustToMinute rounds the time to the nearest minute (method
// adjust_to_minute).
func (c *Clock) AdjustToMinute(trueNow time.Time) Change {
	return c.round(KindAdjustMinute, trueNow, time.Minute)
}

// AdjustToPeriod rounds the time to the nearest multiple of a measuring
// period (method adjust_to_measuring_period).
func (c *Clock) AdjustToPeriod(trueNow time.Time, period time.Duration) (Change, error) {
	if period < time.Second || period > 24*time.Hour {
		return Change{}, fmt.Errorf("%w: measuring period %v", ErrRange, period)
	}
	return c.round(KindAdjustPeriod, trueNow, period), nil
}

// Preset is the argument of preset_adjusting_time: the time to set, valid
// only if the adjustment comes within the validity interval.
type Preset struct {
	Time, ValidFrom, ValidTo time.Time
}

// AdjustToPreset sets the preset time if the meter's time lies within the
// preset's validity interval (method adjust_to_preset_time); otherwise it
// changes nothing and returns false.
func (c *Clock) AdjustToPreset(trueNow time.Time, p Preset) (Change, bool) {
	now := c.Now(trueNow)
	if p.Time.IsZero() || now.Before(p.ValidFrom) || now.After(p.ValidTo) {
		return Change{}, false
	}
	return c.jump(KindAdjustPreset, trueNow, p.Time.UTC()), true
}

// round rounds local time, so quarters and periods fall on the local
// clock face.
func (c *Clock) round(k Kind, trueNow time.Time, unit time.Duration) Change {
	now := c.Now(trueNow)
	w := c.Wall(now)
	return c.jump(k, trueNow, c.FromWall(w.Round(unit)))
}

func (c *Clock) jump(k Kind, trueNow, to time.Time) Change {
	old := c.Now(trueNow)
	c.anchorTrue, c.anchorMeter = trueNow, to
	c.status &^= axdr.StatusInvalid | axdr.StatusDoubtful
	return Change{Kind: k, Old: old, New: to}
}

// Configure replaces the time zone, daylight saving settings, drift and
// base (writes of attributes 3, 5–9, or the simulator's drift fault). The
// meter's time runs on from its current reading.
func (c *Clock) Configure(trueNow time.Time, cfg Config) (Change, error) {
	if err := cfg.Validate(); err != nil {
		return Change{}, err
	}
	if cfg.Base == BaseNotDefined {
		cfg.Base = BaseCrystal
	}
	now := c.Now(trueNow)
	c.anchorTrue, c.anchorMeter = trueNow, now
	c.cfg = cfg
	return Change{Kind: KindConfig, Old: now, New: now}, nil
}
