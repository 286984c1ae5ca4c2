package vee

import (
	"fmt"
	"time"
)

// Config sets the validation limits and estimation methods for one
// register channel. The zero value is usable: Defaults fills it.
type Config struct {
	// Interval is the register's recording interval; 15 min if zero.
	// Readings are expected at multiples of it (UTC).
	Interval time.Duration
	// Location is the local clock load profiles follow (weekday and time
	// of day); UTC if nil.
	Location *time.Location
	// MaxPowerW: an interval whose energy means more mean power than this
	// is a spike. 0: no limit (the relative rule still applies).
	MaxPowerW int64
	// SpikeFactor: an interval with more than SpikeFactor times the median
	// energy of the checked range's intervals, and more than MinSpikeWh,
	// is a spike. 10 and 500 Wh if zero.
	SpikeFactor int64
	MinSpikeWh  int64
	// Modulus is the value at which the register wraps to zero (10⁹ Wh for
	// a register of 6 kWh digits and 3 decimals); 0 if it never does. A
	// decrease from the top tenth of the range to the bottom tenth is a
	// rollover.
	Modulus int64
	// ClockTolerance: a reading farther than this from the interval grid
	// shows a clock jump. 30 s if zero.
	ClockTolerance time.Duration
	// SumToleranceWh: the interval channel's sum may differ from the
	// register's difference by this much (rounding in the meter). 1 Wh per
	// interval if zero.
	SumToleranceWh int64
	// ShortGap is the longest gap (missing readings) filled by a straight
	// line; longer gaps follow the meter's profile. 8 (two hours of
	// quarter hours) if zero.
	ShortGap int
	// ProfileWeeks is how many previous weeks the profile averages, per
	// weekday and time of day. 4 if zero.
	ProfileWeeks int
}

// Defaults returns c with zero fields filled.
func (c Config) Defaults() Config {
	if c.Interval == 0 {
		c.Interval = 15 * time.Minute
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.SpikeFactor == 0 {
		c.SpikeFactor = 10
	}
	if c.MinSpikeWh == 0 {
		c.MinSpikeWh = 500
	}
	if c.ClockTolerance == 0 {
		c.ClockTolerance = 30 * time.Second
	}
	if c.SumToleranceWh == 0 {
		c.SumToleranceWh = 1
	}
	if c.ShortGap == 0 {
		c.ShortGap = 8
	}
	if c.ProfileWeeks == 0 {
		c.ProfileWeeks = 4
	}
	return c
}

func (c Config) validate() error {
	if c.Interval < time.Second || (24*time.Hour)%c.Interval != 0 || c.MaxPowerW < 0 || c.SpikeFactor < 1 ||
		c.MinSpikeWh < 0 || c.Modulus < 0 || c.ClockTolerance < 0 || c.ShortGap < 1 || c.ProfileWeeks < 1 {
		return fmt.Errorf("vee: config %+v: interval must divide a day and limits must be positive", c)
	}
	return nil
}

func (c Config) step() int64 { return c.Interval.Milliseconds() }
