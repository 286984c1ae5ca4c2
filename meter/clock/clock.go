package clock

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
)

// ErrRange is wrapped by every rejected argument (a shift beyond ±900 s, a
// time zone beyond ±14 h, a drift beyond ±1000 ppm, a bad date-time).
var ErrRange = errors.New("clock: out of range")

// Base is the clock_base enum: where the clock's time comes from.
type Base uint8

// Clock bases (Blue Book IC 8, clock_base).
const (
	BaseNotDefined Base = 0
	BaseCrystal    Base = 1
	BaseMains50    Base = 2
	BaseMains60    Base = 3
	BaseGPS        Base = 4
	BaseRadio      Base = 5
)

// Config is the clock's configuration: the IC 8 settings and the simulated
// crystal's error.
type Config struct {
	// TimeZone is the deviation of local standard time from UTC in minutes
	// with the date-time convention UTC = local + deviation: central
	// European time (UTC+1) is −60.
	TimeZone int16
	// DSTBegin and DSTEnd are recurring date-time patterns (see
	// calendar.Resolve): daylight saving begins at DSTBegin read in
	// standard local time and ends at DSTEnd read in daylight local time.
	DSTBegin, DSTEnd axdr.DateTime
	// DSTDeviation is how many minutes local time moves forward while
	// daylight saving is active (usually 60).
	DSTDeviation int8
	DSTEnabled   bool
	// DriftPPM is the crystal's error in parts per million: positive runs
	// fast. A real RTC drifts by a few ppm; the simulator injects more.
	DriftPPM float64
	Base     Base
}

// Validate checks the ranges the Blue Book and the drift simulation allow.
func (c *Config) Validate() error {
	if c.TimeZone < -840 || c.TimeZone > 720 {
		return fmt.Errorf("%w: time zone %d minutes", ErrRange, c.TimeZone)
	}
	if c.DSTDeviation < -120 || c.DSTDeviation > 120 {
		return fmt.Errorf("%w: daylight saving deviation %d minutes", ErrRange, c.DSTDeviation)
	}
	if math.IsNaN(c.DriftPPM) || math.Abs(c.DriftPPM) > 1000 {
		return fmt.Errorf("%w: drift %v ppm", ErrRange, c.DriftPPM)
	}
	if c.DSTEnabled {
		for _, p := range []axdr.DateTime{c.DSTBegin, c.DSTEnd} {
			if p.Date.Month < 1 || p.Date.Month > 12 {
				return fmt.Errorf("%w: daylight saving date %s names no month", ErrRange, p.Date)
			}
			if _, ok := calendar.TimeOfDay(p.Time); !ok {
				return fmt.Errorf("%w: daylight saving time %s", ErrRange, p.Time)
			}
		}
	}
	return nil
}

// Clock is the meter's real-time clock (IC 8). It is driven by true time
// (the simulator's or the host's), which it never reports: the meter's
// time is an anchor set by the last adjustment plus the true time elapsed
// since, scaled by the crystal's drift. Methods taking trueNow must be
// called with non-decreasing true times. A Clock is not safe for concurrent
// use; the meter serialises access.
type Clock struct {
	cfg Config
	// The meter's time at true time anchorTrue was anchorMeter.
	anchorTrue, anchorMeter time.Time
	status                  axdr.ClockStatus // invalid, doubtful, different-base bits; DST is computed
}

// New returns a clock reading meterNow at true time trueNow.
func New(cfg Config, trueNow, meterNow time.Time) (*Clock, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Base == BaseNotDefined {
		cfg.Base = BaseCrystal
	}
	return &Clock{cfg: cfg, anchorTrue: trueNow, anchorMeter: meterNow.UTC()}, nil
}

// Config returns the configuration in force.
func (c *Clock) Config() Config { return c.cfg }

// Now returns the meter's time (an instant) at true time trueNow.
func (c *Clock) Now(trueNow time.Time) time.Time {
	d := trueNow.Sub(c.anchorTrue)
	return c.anchorMeter.Add(d + time.Duration(float64(d)*c.cfg.DriftPPM*1e-6))
}

// TrueAt returns the true time at which the meter's clock reads meter: the
// inverse of Now, for scheduling a step exactly at a meter-time boundary.
// It rounds up, so Now(TrueAt(m)) is never before m.
func (c *Clock) TrueAt(meter time.Time) time.Time {
	d := meter.Sub(c.anchorMeter)
	t := c.anchorTrue.Add(time.Duration(math.Ceil(float64(d) / (1 + c.cfg.DriftPPM*1e-6))))
	for c.Now(t).Before(meter) {
		t = t.Add(time.Nanosecond)
	}
	return t
}

// Status returns the clock status at meter time m: the stored invalid,
// doubtful and different-base bits, and daylight saving active.
func (c *Clock) Status(m time.Time) axdr.ClockStatus {
	s := c.status
	if c.DST(m) {
		s |= axdr.StatusDaylightSaving
	}
	return s
}

// Invalidate marks the time invalid (the backup supply of the RTC ran out);
// the next Set clears it.
func (c *Clock) Invalidate() { c.status |= axdr.StatusInvalid }

// MarkDoubtful marks the time doubtful (the clock ran on its backup supply
// for a long time); the next Set clears it.
func (c *Clock) MarkDoubtful() { c.status |= axdr.StatusDoubtful }

// Offset returns how far local time is ahead of UTC at meter time m:
// −(time zone), plus the daylight saving deviation while it is active.
func (c *Clock) Offset(m time.Time) time.Duration {
	off := -time.Duration(c.cfg.TimeZone) * time.Minute
	if c.DST(m) {
		off += time.Duration(c.cfg.DSTDeviation) * time.Minute
	}
	return off
}

// Wall returns the local wall-clock reading of meter time m.
func (c *Clock) Wall(m time.Time) calendar.Wall {
	return m.UTC().Add(c.Offset(m))
}

// FromWall returns the instant whose local wall-clock reading is w. A wall
// time repeated when daylight saving ends is read as its first (daylight)
// occurrence; one skipped when it begins is read in standard time.
func (c *Clock) FromWall(w calendar.Wall) time.Time {
	std := w.Add(time.Duration(c.cfg.TimeZone) * time.Minute)
	if dst := std.Add(-time.Duration(c.cfg.DSTDeviation) * time.Minute); c.DST(dst) {
		return dst
	}
	return std
}

// DateTime returns the COSEM date-time of meter time m: local time, its
// deviation and the clock status (the value of attribute time).
func (c *Clock) DateTime(m time.Time) axdr.DateTime {
	off := c.Offset(m)
	dt := axdr.FromTime(m.In(time.FixedZone("", int(off/time.Second))))
	dt.Status = c.Status(m)
	return dt
}

// State is what a clock needs to resume after a restart: its settings,
// its anchor and its status bits. True time keeps running while the meter
// is down (the RTC's backup supply), so the anchor stays valid.
type State struct {
	Config      Config
	AnchorTrue  time.Time
	AnchorMeter time.Time
	Status      axdr.ClockStatus
}

// State returns the clock's state for persistence.
func (c *Clock) State() State {
	return State{Config: c.cfg, AnchorTrue: c.anchorTrue, AnchorMeter: c.anchorMeter, Status: c.status}
}

// Restore returns the clock a State describes.
func Restore(s State) (*Clock, error) {
	c, err := New(s.Config, s.AnchorTrue, s.AnchorMeter)
	if err != nil {
		return nil, err
	}
	c.status = s.Status &^ axdr.StatusDaylightSaving
	return c, nil
}
