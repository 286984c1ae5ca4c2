package meter

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/clock"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/metrology"
)

// This file is the management core's command and read API: what the COSEM
// objects (package meter/objects), a simulator and tests call. Every
// method locks the meter; the true time of a command is Options.Now's, or
// the last step's.

// ErrNoAccount is returned by payment operations of a meter without one.
var ErrNoAccount = errors.New("meter: no payment account configured")

// ---- clock ----

// ClockDateTime returns the clock's time attribute now.
func (m *Meter) ClockDateTime() axdr.DateTime {
	m.mu.Lock()
	defer m.done()
	return m.clock.DateTime(m.clock.Now(m.trueTime()))
}

// DateTimeOf returns the COSEM date-time of meter time at (local time,
// deviation and status as the clock shows them).
func (m *Meter) DateTimeOf(at time.Time) axdr.DateTime {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clock.DateTime(at)
}

// MeterTime returns what the meter's clock reads (read, or will read) at
// true time trueAt: the time a module stamps an observation with.
func (m *Meter) MeterTime(trueAt time.Time) time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clock.Now(trueAt)
}

// Clock returns the clock's configuration and its status now.
func (m *Meter) Clock() (clock.Config, axdr.ClockStatus) {
	m.mu.Lock()
	defer m.done()
	return m.clock.Config(), m.clock.Status(m.clock.Now(m.trueTime()))
}

// clockChanged records a change of the clock's time and replans.
func (m *Meter) clockChanged(ch clock.Change) {
	m.record(eventlog.ClockAdjustedOld, ch.Old)
	m.record(eventlog.ClockAdjustedNew, ch.New)
	m.markStatus(StatusClockAdjusted)
	m.now = ch.New
	m.reschedule()
}

// SetClock sets the time (SET of the clock's attribute 2).
func (m *Meter) SetClock(dt axdr.DateTime) error {
	m.mu.Lock()
	defer m.done()
	ch, err := m.clock.SetDateTime(m.trueTime(), dt)
	if err != nil {
		return err
	}
	m.clockChanged(ch)
	return nil
}

// SetClockTime sets the time to t (a simulator's time sync).
func (m *Meter) SetClockTime(t time.Time) {
	m.mu.Lock()
	defer m.done()
	m.clockChanged(m.clock.Set(m.trueTime(), t))
}

// AdjustClock runs one of the clock's adjusting methods: KindShift with
// seconds, KindAdjustQuarter, KindAdjustMinute, KindAdjustPeriod (to the
// 15-minute profile's period).
func (m *Meter) AdjustClock(k clock.Kind, seconds int) error {
	m.mu.Lock()
	defer m.done()
	now := m.trueTime()
	var ch clock.Change
	var err error
	switch k {
	case clock.KindShift:
		ch, err = m.clock.Shift(now, seconds)
	case clock.KindAdjustQuarter:
		ch = m.clock.AdjustToQuarter(now)
	case clock.KindAdjustMinute:
		ch = m.clock.AdjustToMinute(now)
	case clock.KindAdjustPeriod:
		ch, err = m.clock.AdjustToPeriod(now, m.cfg.LoadProfile15.Period)
	default:
		err = fmt.Errorf("%w: adjustment %s", clock.ErrRange, k)
	}
	if err != nil {
		return err
	}
	m.clockChanged(ch)
	return nil
}

// AdjustClockToPreset runs adjust_to_preset_time with the preset; false
// when the meter's time is outside its validity interval.
func (m *Meter) AdjustClockToPreset(p clock.Preset) bool {
	m.mu.Lock()
	defer m.done()
	ch, ok := m.clock.AdjustToPreset(m.trueTime(), p)
	if ok {
		m.clockChanged(ch)
	}
	return ok
}

// ConfigureClock writes the time zone, daylight saving settings, base or
// drift (the drift is the simulator's clock fault).
func (m *Meter) ConfigureClock(cfg clock.Config) error {
	m.mu.Lock()
	defer m.done()
	if _, err := m.clock.Configure(m.trueTime(), cfg); err != nil {
		return err
	}
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	m.reschedule()
	return nil
}

// InvalidateClock marks the clock invalid (its backup supply ran out) and
// records the event.
func (m *Meter) InvalidateClock() {
	m.mu.Lock()
	defer m.done()
	m.clock.Invalidate()
	m.markStatus(StatusClockInvalid)
	m.record(eventlog.ClockInvalid, m.clock.Now(m.trueTime()))
}

// ---- registers ----

// Energy returns the energy registers.
func (m *Meter) Energy() energy.Registers {
	m.mu.Lock()
	defer m.done()
	return m.energy
}

// Demand returns the demand register of +A (export false) or −A.
func (m *Meter) Demand(export bool) energy.Demand {
	m.mu.Lock()
	defer m.done()
	d := *m.demand[0]
	if export {
		d = *m.demand[1]
	}
	d.Window = append([]uint64(nil), d.Window...)
	return d
}

// Tariff returns the tariff register in force.
func (m *Meter) Tariff() int {
	m.mu.Lock()
	defer m.done()
	return m.tariff
}

// MonthImport returns the Wh imported in the billing period so far (what
// the tiers are applied to) and the tier the next Wh falls in.
func (m *Meter) MonthImport() (wh uint64, tier int) {
	m.mu.Lock()
	defer m.done()
	return m.month, m.cfg.Pricing.Ladder.Tier(m.month)
}

// Instant returns the metrology core's instantaneous values.
func (m *Meter) Instant() metrology.Power {
	if m.src == nil {
		return metrology.Power{}
	}
	return m.src.Instant()
}

// MetrologyIdentity returns the metrology core's software identification.
func (m *Meter) MetrologyIdentity() metrology.Identity {
	if m.src == nil {
		return metrology.Identity{}
	}
	return m.src.Identity()
}

// BillingPeriods returns the billing period counter.
func (m *Meter) BillingPeriods() uint32 {
	m.mu.Lock()
	defer m.done()
	return m.billingPeriods
}

// EndBillingPeriod ends the billing period now (the billing script run by
// a client).
func (m *Meter) EndBillingPeriod() {
	m.mu.Lock()
	defer m.done()
	m.endBillingPeriod(m.clock.Now(m.trueTime()))
}

// ---- tariffs ----

// Activity returns the activity calendar and the special days.
func (m *Meter) Activity() (calendar.Activity, []calendar.SpecialDay) {
	m.mu.Lock()
	defer m.done()
	a := m.activity
	a.Active, a.Passive = cloneCalendar(a.Active), cloneCalendar(a.Passive)
	return a, append([]calendar.SpecialDay(nil), m.special.Entries...)
}

func cloneCalendar(c calendar.Calendar) calendar.Calendar {
	var a calendar.Activity
	a.Passive = c
	a.ActivatePassive()
	return a.Active
}

// SetPassiveCalendar replaces the passive calendar (a client writing the
// passive attributes) and its activation time (zero: none pending). A
// client writes the parts one by one, so the calendar is not validated
// here but when it is activated.
func (m *Meter) SetPassiveCalendar(c calendar.Calendar, activateAt calendar.Wall) {
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	m.activity.Passive = cloneCalendar(c)
	m.activity.ActivateAt = activateAt
	m.record(eventlog.PassiveTOUProgrammed, m.clock.Now(m.trueTime()))
	m.retariffNow()
}

// ActivatePassiveCalendar activates the passive calendar now (method
// activate_passive_calendar). An inconsistent calendar, or one switching
// to a tariff the meter does not have, is refused.
func (m *Meter) ActivatePassiveCalendar() error {
	m.mu.Lock()
	defer m.done()
	if err := m.activity.Passive.Validate(); err != nil {
		return err
	}
	if err := checkTariffScripts(&m.activity.Passive); err != nil {
		return err
	}
	m.settingsChanged()
	m.activity.ActivatePassive()
	m.record(eventlog.TOUActivated, m.clock.Now(m.trueTime()))
	m.retariffNow()
	return nil
}

// SetSpecialDay inserts or replaces a special day; DeleteSpecialDay
// removes one.
func (m *Meter) SetSpecialDay(d calendar.SpecialDay) error {
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	if err := m.special.Insert(d); err != nil {
		return err
	}
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	m.retariffNow()
	return nil
}

// DeleteSpecialDay removes the special day with index; false if none.
func (m *Meter) DeleteSpecialDay(index uint16) bool {
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	ok := m.special.Delete(index)
	if ok {
		m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
		m.retariffNow()
	}
	return ok
}

// retariffNow re-reads the calendar at the meter's current time (energy
// already registered keeps its tariff).
func (m *Meter) retariffNow() {
	m.retariff()
	m.dirty = true
}

// BillingSchedule returns the end-of-billing-period schedule.
func (m *Meter) BillingSchedule() calendar.Schedule {
	m.mu.Lock()
	defer m.done()
	s := m.billing
	s.Times = append([]calendar.ExecutionTime(nil), s.Times...)
	return s
}

// SetBillingSchedule replaces the end-of-billing-period schedule.
func (m *Meter) SetBillingSchedule(s calendar.Schedule) error {
	if err := s.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	s.Times = append([]calendar.ExecutionTime(nil), s.Times...)
	m.billing = s
	now := m.clock.Now(m.trueTime())
	m.next.billing = m.nextExecution(&m.billing, now)
	m.record(eventlog.ParameterChanged, now)
	return nil
}

// RunScript executes script selector of script table table (method
// execute of a script table object).
func (m *Meter) RunScript(table [6]byte, selector uint16) error {
	m.mu.Lock()
	defer m.done()
	s := calendar.Script{Table: table, Selector: selector}
	if !m.knownScript(s) {
		return fmt.Errorf("%w: no script %d in table %v", ErrConfig, selector, table)
	}
	m.runScript(s, m.clock.Now(m.trueTime()))
	return nil
}

// UnitPrices returns the price of the next Wh imported in each tariff:
// the tier price for the billing period's consumption so far plus the
// tariff's time-of-use price.
func (m *Meter) UnitPrices() [energy.MaxTariffs]tariff.Money {
	m.mu.Lock()
	defer m.mu.Unlock()
	var p [energy.MaxTariffs]tariff.Money
	for t := range p {
		p[t] = m.cfg.Pricing.UnitPrice(t+1, m.month)
	}
	return p
}

// ---- supply ----

// Supply returns the disconnect control's mode, state and output.
func (m *Meter) Supply() (supply.Mode, supply.State, bool) {
	m.mu.Lock()
	defer m.done()
	return m.disc.Mode(), m.disc.State(), m.disc.Output()
}

// Connected reports whether the load is connected (output_state). A
// simulator feeding the metrology core feeds no current while it is not.
func (m *Meter) Connected() bool {
	m.mu.Lock()
	defer m.done()
	return m.disc.Output()
}

// SwitchSupply applies a disconnect control trigger: RemoteDisconnect and
// RemoteReconnect are the object's methods, ManualDisconnect and
// ManualReconnect the customer's button. It reports whether the state
// changed; supply.ErrNotAllowed when the mode forbids the trigger.
func (m *Meter) SwitchSupply(t supply.Trigger) (bool, error) {
	m.mu.Lock()
	defer m.done()
	return m.switchSupply(t, m.clock.Now(m.trueTime()))
}

// SetDisconnectMode writes control_mode.
func (m *Meter) SetDisconnectMode(mode supply.Mode) error {
	m.mu.Lock()
	defer m.done()
	if err := m.disc.SetMode(mode); err != nil {
		return err
	}
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	return nil
}

// Limiter returns the limiter's settings, its active threshold and
// whether an emergency profile is active.
func (m *Meter) Limiter() (supply.LimiterConfig, int64, bool) {
	m.mu.Lock()
	defer m.done()
	now := m.clock.Now(m.trueTime())
	c := m.limiter.Config
	c.Groups = append([]uint16(nil), c.Groups...)
	return c, m.limiter.Threshold(now), m.limiter.EmergencyActive(now)
}

// SetLimiter replaces the limiter's settings.
func (m *Meter) SetLimiter(c supply.LimiterConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	c.Groups = append([]uint16(nil), c.Groups...)
	m.limiter.Config = c
	m.record(eventlog.LimiterChanged, m.clock.Now(m.trueTime()))
	return nil
}

// ---- payment ----

// Account returns a copy of the payment account; false without one.
func (m *Meter) Account() (prepay.Account, bool) {
	m.mu.Lock()
	defer m.done()
	if m.account == nil {
		return prepay.Account{}, false
	}
	a := *m.account
	a.Config.TokenKey = nil // never leaves the meter
	return a, true
}

// TopUp enters a credit token. A forged token records TokenRejected, a
// replayed one ReplayRejected; both return the error.
func (m *Meter) TopUp(token []byte) (prepay.Token, error) {
	m.mu.Lock()
	defer m.done()
	if m.account == nil {
		return prepay.Token{}, ErrNoAccount
	}
	now := m.clock.Now(m.trueTime())
	t, ch, err := m.account.TopUp(token, m.cfg.Serial)
	switch {
	case errors.Is(err, prepay.ErrReplay):
		m.record(eventlog.ReplayRejected, now)
		return t, err
	case err != nil:
		m.record(eventlog.TokenRejected, now)
		return t, err
	}
	m.record(eventlog.TokenAccepted, now)
	m.accountChanged(ch)
	return t, nil
}

// InvokeEmergencyCredit invokes the emergency credit (the customer's
// button, or the credit object's invoke_credit method).
func (m *Meter) InvokeEmergencyCredit() error {
	m.mu.Lock()
	defer m.done()
	if m.account == nil {
		return ErrNoAccount
	}
	ch, err := m.account.InvokeEmergency()
	if err != nil {
		return err
	}
	m.accountChanged(ch)
	m.dirty = true
	return nil
}

// SetAccountStatus activates (prepay.StatusActive) or closes the account.
func (m *Meter) SetAccountStatus(s prepay.AccountStatus) error {
	m.mu.Lock()
	defer m.done()
	if m.account == nil {
		return ErrNoAccount
	}
	switch s {
	case prepay.StatusActive:
		m.accountChanged(m.account.Activate())
	case prepay.StatusClosed:
		m.account.Close()
	default:
		return fmt.Errorf("%w: account status %d", prepay.ErrState, s)
	}
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	return nil
}

// ---- profiles and logs ----

// Profile names a profile the meter keeps.
type Profile uint8

// The meter's profiles.
const (
	LP15 Profile = iota
	LP1
	Daily
	Monthly
)

// Read calls fn with profile p under the meter's lock (fn must not call
// the meter). It returns false when the meter does not keep p (the
// 1-minute profile may be disabled).
func (m *Meter) Read(p Profile, fn func(*profile.Profile)) bool {
	m.mu.Lock()
	defer m.done()
	pr := m.profileOf(p)
	if pr == nil {
		return false
	}
	fn(pr)
	return true
}

func (m *Meter) profileOf(p Profile) *profile.Profile {
	switch p {
	case LP15:
		return m.lp15
	case LP1:
		return m.lp1
	case Daily:
		return m.daily
	case Monthly:
		return m.monthly
	}
	return nil
}

// ReadLog calls fn with event log l under the meter's lock.
func (m *Meter) ReadLog(l eventlog.Log, fn func(*profile.Profile)) {
	m.mu.Lock()
	defer m.done()
	fn(m.events.Profile(l))
}

// Events returns the events of log l, oldest first.
func (m *Meter) Events(l eventlog.Log) []eventlog.Event {
	m.mu.Lock()
	defer m.done()
	return m.events.Events(l)
}

// LastEvent returns the last code recorded in log l since start.
func (m *Meter) LastEvent(l eventlog.Log) eventlog.Code {
	m.mu.Lock()
	defer m.done()
	return m.events.Last(l)
}

// CaptureNow captures an entry of profile p now (method capture).
func (m *Meter) CaptureNow(p Profile) bool {
	m.mu.Lock()
	defer m.done()
	now := m.clock.Now(m.trueTime())
	switch p {
	case LP15:
		m.capture(m.lp15, lp15Columns, now, m.statusBits(0, now))
	case LP1:
		if m.lp1 == nil {
			return false
		}
		m.capture(m.lp1, lp1Columns, now, m.statusBits(1, now))
	case Daily:
		m.capture(m.daily, dailyColumn, now, 0)
	case Monthly:
		m.capture(m.monthly, monthlyColumns, now, 0)
	default:
		return false
	}
	return true
}

// ResetProfile empties profile p (method reset); false if not kept.
func (m *Meter) ResetProfile(p Profile) bool {
	m.mu.Lock()
	defer m.done()
	pr := m.profileOf(p)
	if pr == nil {
		return false
	}
	pr.Reset()
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	return true
}

// ---- push ----

// PushSetups returns the push setups and their triggers.
func (m *Meter) PushSetups() []PushConfig {
	m.mu.Lock()
	defer m.done()
	return append([]PushConfig(nil), m.pushes...)
}

// SetPushSetup replaces push setup i (its objects, destination, windows,
// randomisation and retries; the triggers stay).
func (m *Meter) SetPushSetup(i int, s push.Setup) error {
	if err := s.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.done()
	m.settingsChanged()
	if i < 0 || i >= len(m.pushes) {
		return fmt.Errorf("%w: no push setup %d", ErrConfig, i+1)
	}
	m.pushes[i].Setup = s
	m.record(eventlog.ParameterChanged, m.clock.Now(m.trueTime()))
	return nil
}

// PushNow triggers push setup i (method push); it goes at the next step.
func (m *Meter) PushNow(i int) error {
	m.mu.Lock()
	defer m.done()
	if i < 0 || i >= len(m.pushes) {
		return fmt.Errorf("%w: no push setup %d", ErrConfig, i+1)
	}
	m.triggerPush(i, m.clock.Now(m.trueTime()), false)
	return nil
}
