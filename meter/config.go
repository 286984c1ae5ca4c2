package meter

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/clock"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
	"github.com/amigo-ami/amigo/meter/tariff"
)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("meter: invalid configuration")

// Script tables and the scripts the management core runs (IC 9 logical
// names; the selector picks the script).
var (
	// TariffScripts: selector n switches to tariff n (day profile actions).
	TariffScripts = [6]byte{0, 0, 10, 0, 100, 255}
	// BillingScripts: selector 1 ends the billing period.
	BillingScripts = [6]byte{0, 0, 10, 0, 1, 255}
	// DisconnectScripts: selector 1 local disconnect, 2 local reconnect
	// (the limiter's actions).
	DisconnectScripts = [6]byte{0, 0, 10, 0, 106, 255}
	// PushScripts: selector n pushes push setup n (1-based).
	PushScripts = [6]byte{0, 0, 10, 0, 108, 255}
)

// Config is everything a meter is built from. The zero value of a field
// takes the default noted; cmd/amigo reads it from meter.toml.
type Config struct {
	// Serial is the meter's serial number (required): the logical device
	// name is "AMG" + Serial and the server system title "AMG" + 5 bytes
	// derived from it.
	Serial string
	// Start is the meter's time when it is first created; zero takes the
	// true time of creation.
	Start time.Time

	Clock    clock.Config
	Calendar calendar.Activity
	Special  []calendar.SpecialDay
	Pricing  tariff.Pricing
	// Billing is the end-of-billing-period schedule (its script is
	// BillingScripts/1); nil: midnight on the first of each month.
	Billing *calendar.Schedule

	// Demand: subperiod and number of subperiods of the sliding window
	// (default 15 min × 1).
	DemandPeriod  time.Duration
	DemandPeriods int

	// Profiles: capacity of each (0 takes the default); a negative
	// capacity disables the 1-minute profile.
	LoadProfile15, LoadProfile1, DailyProfile, MonthlyProfile ProfileConfig
	// EventCapacity per log (default 100 each).
	EventCapacity [eventlog.NumLogs]int

	// Prepay, when non-nil, is the payment account (credit or prepayment).
	Prepay *prepay.Config
	// DisconnectMode is the disconnect control's control_mode (default 0).
	DisconnectMode supply.Mode
	// Limiter watches the total active import power in W.
	Limiter supply.LimiterConfig

	Push []PushConfig

	Quality QualityConfig

	Firmware FirmwareConfig
}

// FirmwareConfig sets the management core's firmware upgrade.
type FirmwareConfig struct {
	// Target is the device type images must be built for (default
	// "amigo-mgmt"); Version is the factory image's (default
	// "amigo-mgmt 1.0.0").
	Target, Version string
	// PublicKey verifies image signatures; nil refuses every image.
	PublicKey *ecdsa.PublicKey
	// BlockSize is image_block_size (default 192); MaxSize the largest
	// image accepted (default 1 MiB).
	BlockSize, MaxSize uint32
}

// ProfileConfig sets one load or billing profile.
type ProfileConfig struct {
	Capacity int
	Period   time.Duration // load profiles only (15 min and 1 min by default)
}

// PushConfig is one push setup and what triggers it.
type PushConfig struct {
	Setup push.Setup
	// Schedule, if set, pushes at its execution times (single action
	// schedule 0.0.15.0.4.255 for the first push setup with one).
	Schedule *calendar.Schedule
	// OnEvents pushes when one of these events is recorded.
	OnEvents []eventlog.Code
	// LastGasp pushes at once when the power fails.
	LastGasp bool
}

// QualityConfig sets the supervision that records power-quality and
// tamper events.
type QualityConfig struct {
	NominalVoltage float64       // V (default 230)
	Sag, Swell     float64       // fractions of nominal (default 0.10 each)
	ReverseW       float64       // a phase importing below −ReverseW W is reverse current (default 10)
	SelfCheck      float64       // allowed relative gap between measured and reference power (default 0.01)
	SelfCheckFloor float64       // W below which the self-check compares absolute gaps (default 20)
	SelfCheckSteps int           // consecutive steps beyond the tolerance before the event (default 5)
	MaxTerminalC   float64       // terminal over-temperature limit, °C (default 90)
	HysteresisC    float64       // °C below the limit to clear it (default 5)
	Grace          time.Duration // sags/swells shorter than this are ignored (default 0)
}

func (c *Config) withDefaults() Config {
	d := *c
	if d.DemandPeriod == 0 {
		d.DemandPeriod = 15 * time.Minute
	}
	if d.DemandPeriods == 0 {
		d.DemandPeriods = 1
	}
	if d.LoadProfile15.Period == 0 {
		d.LoadProfile15.Period = 15 * time.Minute
	}
	if d.LoadProfile15.Capacity == 0 {
		d.LoadProfile15.Capacity = 96 * 40
	}
	if d.LoadProfile1.Period == 0 {
		d.LoadProfile1.Period = time.Minute
	}
	if d.LoadProfile1.Capacity == 0 {
		d.LoadProfile1.Capacity = 1440
	}
	if d.DailyProfile.Capacity == 0 {
		d.DailyProfile.Capacity = 62
	}
	if d.MonthlyProfile.Capacity == 0 {
		d.MonthlyProfile.Capacity = 24
	}
	for i, n := range d.EventCapacity {
		if n == 0 {
			d.EventCapacity[i] = 100
		}
	}
	if d.Billing == nil {
		ns := uint8(axdr.NotSpecified)
		d.Billing = &calendar.Schedule{
			Script: calendar.Script{Table: BillingScripts, Selector: 1},
			Type:   1,
			Times: []calendar.ExecutionTime{{
				Time: axdr.Time{Hour: 0, Minute: 0, Second: 0, Hundredths: ns},
				Date: axdr.Date{Year: axdr.YearNotSpecified, Month: ns, Day: 1, Weekday: ns},
			}},
		}
	}
	if d.Limiter.Over == (calendar.Script{}) {
		d.Limiter.Over = calendar.Script{Table: DisconnectScripts, Selector: 1}
	}
	if d.Limiter.Under == (calendar.Script{}) {
		d.Limiter.Under = calendar.Script{Table: DisconnectScripts, Selector: 2}
	}
	if d.Firmware.Target == "" {
		d.Firmware.Target = "amigo-mgmt"
	}
	if d.Firmware.Version == "" {
		d.Firmware.Version = "amigo-mgmt 1.0.0"
	}
	if d.Firmware.BlockSize == 0 {
		d.Firmware.BlockSize = 192
	}
	if d.Firmware.MaxSize == 0 {
		d.Firmware.MaxSize = 1 << 20
	}
	q := &d.Quality
	if q.NominalVoltage == 0 {
		q.NominalVoltage = 230
	}
	if q.Sag == 0 {
		q.Sag = 0.10
	}
	if q.Swell == 0 {
		q.Swell = 0.10
	}
	if q.ReverseW == 0 {
		q.ReverseW = 10
	}
	if q.SelfCheck == 0 {
		q.SelfCheck = 0.01
	}
	if q.SelfCheckFloor == 0 {
		q.SelfCheckFloor = 20
	}
	if q.SelfCheckSteps == 0 {
		q.SelfCheckSteps = 5
	}
	if q.MaxTerminalC == 0 {
		q.MaxTerminalC = 90
	}
	if q.HysteresisC == 0 {
		q.HysteresisC = 5
	}
	return d
}

// Validate checks a configuration with its defaults filled in.
func (c *Config) Validate() error {
	d := c.withDefaults()
	if d.Serial == "" || len(d.Serial) > 32 {
		return fmt.Errorf("%w: serial %q: want 1…32 characters", ErrConfig, d.Serial)
	}
	wrap := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrConfig, what, err)
		}
		return nil
	}
	if err := wrap("clock", d.Clock.Validate()); err != nil {
		return err
	}
	for _, cal := range []*calendar.Calendar{&d.Calendar.Active, &d.Calendar.Passive} {
		if err := wrap("activity calendar "+cal.Name, cal.Validate()); err != nil {
			return err
		}
		if err := checkTariffScripts(cal); err != nil {
			return err
		}
	}
	if err := wrap("pricing", d.Pricing.Validate()); err != nil {
		return err
	}
	if err := wrap("billing schedule", d.Billing.Validate()); err != nil {
		return err
	}
	if _, err := energy.NewDemand(d.DemandPeriod, d.DemandPeriods, time.Time{}); err != nil {
		return wrap("demand", err)
	}
	for name, p := range map[string]ProfileConfig{"15-minute": d.LoadProfile15, "1-minute": d.LoadProfile1} {
		if p.Period < time.Second || p.Period > 24*time.Hour || (24*time.Hour)%p.Period != 0 {
			return fmt.Errorf("%w: %s load profile period %v: want a divisor of a day", ErrConfig, name, p.Period)
		}
	}
	for name, n := range map[string]int{"15-minute": d.LoadProfile15.Capacity, "daily": d.DailyProfile.Capacity, "monthly": d.MonthlyProfile.Capacity} {
		if n < 1 {
			return fmt.Errorf("%w: %s profile capacity %d", ErrConfig, name, n)
		}
	}
	if d.Prepay != nil {
		if err := wrap("account", d.Prepay.Validate()); err != nil {
			return err
		}
	}
	if _, err := supply.New(d.DisconnectMode); err != nil {
		return wrap("disconnect control", err)
	}
	if err := wrap("limiter", d.Limiter.Validate()); err != nil {
		return err
	}
	for i := range d.Push {
		p := &d.Push[i]
		if err := wrap(fmt.Sprintf("push setup %d", i+1), p.Setup.Validate()); err != nil {
			return err
		}
		if p.Schedule != nil {
			if err := wrap(fmt.Sprintf("push setup %d schedule", i+1), p.Schedule.Validate()); err != nil {
				return err
			}
		}
	}
	if _, err := firmware.NewTransfer(d.Firmware.BlockSize, d.Firmware.MaxSize); err != nil {
		return wrap("firmware", err)
	}
	q := d.Quality
	if q.Sag <= 0 || q.Sag >= 1 || q.Swell <= 0 || q.SelfCheck <= 0 || q.SelfCheckSteps < 1 || q.NominalVoltage <= 0 {
		return fmt.Errorf("%w: quality thresholds %+v", ErrConfig, q)
	}
	return nil
}

// checkTariffScripts makes sure every day action switches to a tariff the
// registers have.
func checkTariffScripts(c *calendar.Calendar) error {
	for _, d := range c.Days {
		for _, a := range d.Actions {
			if a.Script.Table == TariffScripts && (a.Script.Selector < 1 || a.Script.Selector > energy.MaxTariffs) {
				return fmt.Errorf("%w: calendar %q day %d: tariff %d: want 1…%d", ErrConfig, c.Name, d.ID, a.Script.Selector, energy.MaxTariffs)
			}
		}
	}
	return nil
}
