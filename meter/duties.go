package meter

import (
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/meter/supply"
)

// Logical names of the objects the profiles capture.
var (
	ClockLN        = [6]byte{0, 0, 1, 0, 0, 255}
	Status15LN     = [6]byte{0, 0, 96, 10, 1, 255} // AMR profile status of the 15-minute profile
	Status1LN      = [6]byte{0, 0, 96, 10, 2, 255} // … of the 1-minute profile
	LoadProfile15  = [6]byte{1, 0, 99, 1, 0, 255}
	LoadProfile1   = [6]byte{1, 0, 99, 2, 0, 255}
	DailyProfile   = [6]byte{1, 0, 98, 2, 0, 255}
	MonthlyProfile = [6]byte{1, 0, 98, 1, 0, 255}
)

// AMR profile status bits (IDIS), captured with each load profile entry.
const (
	StatusCriticalError = 0x01
	StatusClockInvalid  = 0x02
	StatusDataNotValid  = 0x04
	StatusDST           = 0x08
	StatusClockAdjusted = 0x20
	StatusPowerDown     = 0x80
)

// EnergyLN returns the logical name of an energy register: quantity q,
// tariff t (0 for the total).
func EnergyLN(q energy.Quantity, t int) [6]byte { return [6]byte{1, 0, q.OBISC(), 8, byte(t), 255} }

// Derived reactive registers +R (QI+QII) and −R (QIII+QIV).
var (
	ReactiveImportLN = [6]byte{1, 0, 3, 8, 0, 255}
	ReactiveExportLN = [6]byte{1, 0, 4, 8, 0, 255}
)

// MaxDemandLN returns the logical name of the maximum demand register of
// +A (export false) or −A, tariff t (0 for the total).
func MaxDemandLN(export bool, t int) [6]byte {
	c := byte(1)
	if export {
		c = 2
	}
	return [6]byte{1, 0, c, 6, byte(t), 255}
}

// column is how the meter fills one profile column.
type column struct {
	col   profile.Column
	value func(m *Meter, at time.Time, status uint8) int64
}

func clockColumn() column {
	return column{profile.Column{Class: 8, Name: ClockLN, Attr: 2, Kind: profile.KindDateTime},
		func(m *Meter, at time.Time, _ uint8) int64 { return m.stamp(at).Pack() }}
}

func statusColumn(ln [6]byte) column {
	return column{profile.Column{Class: 1, Name: ln, Attr: 2, Kind: profile.KindUint8},
		func(_ *Meter, _ time.Time, s uint8) int64 { return int64(s) }}
}

func energyColumn(q energy.Quantity, t int) column {
	return column{profile.Column{Class: 3, Name: EnergyLN(q, t), Attr: 2, Kind: profile.KindUint64},
		func(m *Meter, _ time.Time, _ uint8) int64 {
			if t == 0 {
				return int64(m.energy.Total[q])
			}
			return int64(m.energy.Tariff[q][t-1])
		}}
}

func reactiveColumn(export bool) column {
	ln := ReactiveImportLN
	if export {
		ln = ReactiveExportLN
	}
	return column{profile.Column{Class: 3, Name: ln, Attr: 2, Kind: profile.KindUint64},
		func(m *Meter, _ time.Time, _ uint8) int64 {
			if export {
				return int64(m.energy.ReactiveExport())
			}
			return int64(m.energy.ReactiveImport())
		}}
}

func maxDemandColumn() column {
	return column{profile.Column{Class: 4, Name: MaxDemandLN(false, 0), Attr: 2, Kind: profile.KindUint32},
		func(m *Meter, _ time.Time, _ uint8) int64 { return int64(m.demand[0].Max[0].W) }}
}

// Columns of each profile.
var (
	lp15Columns = []column{clockColumn(), statusColumn(Status15LN),
		energyColumn(energy.ActiveImport, 0), energyColumn(energy.ActiveExport, 0), reactiveColumn(false), reactiveColumn(true)}
	lp1Columns  = []column{clockColumn(), statusColumn(Status1LN), energyColumn(energy.ActiveImport, 0), energyColumn(energy.ActiveExport, 0)}
	dailyColumn = []column{clockColumn(), energyColumn(energy.ActiveImport, 0),
		energyColumn(energy.ActiveImport, 1), energyColumn(energy.ActiveImport, 2), energyColumn(energy.ActiveImport, 3), energyColumn(energy.ActiveImport, 4),
		energyColumn(energy.ActiveExport, 0)}
	monthlyColumns = append(append([]column(nil), dailyColumn...), maxDemandColumn())
)

func newProfile(cols []column, capacity int, period time.Duration) (*profile.Profile, error) {
	pc := make([]profile.Column, len(cols))
	for i, c := range cols {
		pc[i] = c.col
	}
	p, err := profile.New(profile.Config{Columns: pc, Capacity: capacity, Period: period})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return p, nil
}

func (m *Meter) buildProfiles() error {
	var err error
	c := m.cfg
	if m.lp15, err = newProfile(lp15Columns, c.LoadProfile15.Capacity, c.LoadProfile15.Period); err != nil {
		return err
	}
	if c.LoadProfile1.Capacity > 0 {
		if m.lp1, err = newProfile(lp1Columns, c.LoadProfile1.Capacity, c.LoadProfile1.Period); err != nil {
			return err
		}
	}
	if m.daily, err = newProfile(dailyColumn, c.DailyProfile.Capacity, 24*time.Hour); err != nil {
		return err
	}
	m.monthly, err = newProfile(monthlyColumns, c.MonthlyProfile.Capacity, 0)
	return err
}

func (m *Meter) capture(p *profile.Profile, cols []column, at time.Time, status uint8) {
	row := make([]int64, len(cols))
	for i, c := range cols {
		row[i] = c.value(m, at, status)
	}
	p.Append(row)
	m.dirty = true
}

// nextBoundary returns the first meter time after m at which the local
// wall clock reads a multiple of period.
func (m *Meter) nextBoundary(at time.Time, period time.Duration) time.Time {
	w := m.clock.Wall(at)
	return m.clock.FromWall(w.Truncate(period).Add(period))
}

// nextExecution returns the next meter time of schedule s after at.
func (m *Meter) nextExecution(s *calendar.Schedule, at time.Time) time.Time {
	w, ok := s.Next(m.clock.Wall(at))
	if !ok {
		return time.Time{}
	}
	return m.clock.FromWall(w)
}

// reschedule computes every duty's next time from m.now: at start, after
// a power-up and after the clock or a schedule changed.
func (m *Meter) reschedule() {
	now := m.now
	m.next.demand = m.nextBoundary(now, m.cfg.DemandPeriod)
	m.next.lp15 = m.nextBoundary(now, m.cfg.LoadProfile15.Period)
	if m.lp1 != nil {
		m.next.lp1 = m.nextBoundary(now, m.cfg.LoadProfile1.Period)
	}
	m.next.daily = m.nextBoundary(now, 24*time.Hour)
	m.next.billing = m.nextExecution(&m.billing, now)
	m.next.pushes = make([]time.Time, len(m.pushes))
	for i, p := range m.pushes {
		if p.Schedule != nil {
			m.next.pushes[i] = m.nextExecution(p.Schedule, now)
		}
	}
	m.next.dst, _ = m.clock.NextDSTChange(now)
	m.retariff()
}

// retariff looks up the tariff in force at m.now and until when.
func (m *Meter) retariff() {
	w := m.clock.Wall(m.now)
	s, until, ok := m.activity.Active.At(w, &m.special)
	if ok && s.Table == TariffScripts && s.Selector >= 1 && s.Selector <= energy.MaxTariffs {
		m.tariff = int(s.Selector)
	}
	m.tariffUntil = m.clock.FromWall(until)
	if !m.activity.ActivateAt.IsZero() {
		if at := m.clock.FromWall(m.activity.ActivateAt); at.Before(m.tariffUntil) && at.After(m.now) {
			m.tariffUntil = at
		}
	}
}

// due reports whether a duty scheduled at t has come at now.
func due(t, now time.Time) bool { return !t.IsZero() && !t.After(now) }

// runDuties performs, in time order, every duty due at now.
func (m *Meter) runDuties(now time.Time) {
	if due(m.next.dst, now) {
		m.record(eventlog.DSTChanged, m.next.dst)
		m.next.dst, _ = m.clock.NextDSTChange(now)
	}
	if due(m.next.demand, now) {
		// A long gap rolls at most a whole window of empty subperiods.
		for i := 0; due(m.next.demand, now); i++ {
			if i < m.cfg.DemandPeriods+1 {
				for _, d := range m.demand {
					d.Roll(m.next.demand, m.tariff)
				}
			}
			m.next.demand = m.nextBoundary(m.next.demand, m.cfg.DemandPeriod)
		}
	}
	if due(m.next.lp1, now) && m.lp1 != nil {
		m.capture(m.lp1, lp1Columns, m.next.lp1, m.statusBits(1, m.next.lp1))
		m.next.lp1 = m.nextBoundary(now, m.cfg.LoadProfile1.Period)
	}
	if due(m.next.lp15, now) {
		m.capture(m.lp15, lp15Columns, m.next.lp15, m.statusBits(0, m.next.lp15))
		m.next.lp15 = m.nextBoundary(now, m.cfg.LoadProfile15.Period)
	}
	if due(m.next.daily, now) {
		m.capture(m.daily, dailyColumn, m.next.daily, 0)
		m.next.daily = m.nextBoundary(now, 24*time.Hour)
	}
	if due(m.next.billing, now) {
		at := m.next.billing
		m.runScript(m.billing.Script, at)
		m.next.billing = m.nextExecution(&m.billing, now)
	}
	for i, t := range m.next.pushes {
		if due(t, now) {
			m.runScript(m.pushes[i].Schedule.Script, t)
			m.next.pushes[i] = m.nextExecution(m.pushes[i].Schedule, now)
		}
	}
	activated := false
	if m.activity.Due(m.clock.Wall(now)) {
		m.settingsChanged()
		if err := errors.Join(m.activity.Passive.Validate(), checkTariffScripts(&m.activity.Passive)); err != nil {
			m.log.Warn("passive calendar not activated", "meter", m.cfg.Serial, "err", err)
			m.activity.ActivateAt = calendar.Wall{}
		} else {
			m.activity.ActivatePassive()
			m.record(eventlog.TOUActivated, now)
			activated = true
		}
	}
	if activated || due(m.tariffUntil, now) {
		m.now = now
		m.retariff()
	}
}

// statusBits returns and clears the AMR status pending for profile i,
// with the clock's state at at.
func (m *Meter) statusBits(i int, at time.Time) uint8 {
	s := m.status[i]
	m.status[i] = 0
	cs := m.clock.Status(at)
	if cs&0x80 != 0 {
		s |= StatusDST
	}
	if cs&0x01 != 0 {
		s |= StatusClockInvalid
	}
	return s
}

// markStatus sets AMR status bits on the next entry of both load profiles.
func (m *Meter) markStatus(bits uint8) {
	m.status[0] |= bits
	m.status[1] |= bits
}

// earliest returns the meter time of the next duty.
func (m *Meter) earliest() time.Time {
	t := m.tariffUntil
	consider := func(u time.Time) {
		if !u.IsZero() && (t.IsZero() || u.Before(t)) {
			t = u
		}
	}
	consider(m.next.demand)
	consider(m.next.lp15)
	consider(m.next.lp1)
	consider(m.next.daily)
	consider(m.next.billing)
	consider(m.next.dst)
	for _, u := range m.next.pushes {
		consider(u)
	}
	if !m.activity.ActivateAt.IsZero() {
		consider(m.clock.FromWall(m.activity.ActivateAt))
	}
	if u, ok := m.pushQ.Next(); ok {
		consider(u)
	}
	return t
}

// runScript runs a script of the meter's script tables at meter time at.
func (m *Meter) runScript(s calendar.Script, at time.Time) {
	if !m.knownScript(s) {
		m.log.Warn("unknown script", "meter", m.cfg.Serial, "table", s.Table, "selector", s.Selector)
		return
	}
	switch {
	case s.Table == BillingScripts:
		m.endBillingPeriod(at)
	case s.Table == TariffScripts:
		m.tariff = int(s.Selector)
	case s.Table == DisconnectScripts && s.Selector == 1:
		m.switchSupply(supply.LocalDisconnect, at)
	case s.Table == DisconnectScripts:
		m.switchSupply(supply.LocalReconnect, at)
	case s.Table == PushScripts:
		m.triggerPush(int(s.Selector)-1, at, false)
	}
}

// knownScript reports whether runScript has s.
func (m *Meter) knownScript(s calendar.Script) bool {
	switch s.Table {
	case BillingScripts:
		return s.Selector == 1
	case TariffScripts:
		return s.Selector >= 1 && s.Selector <= energy.MaxTariffs
	case DisconnectScripts:
		return s.Selector == 1 || s.Selector == 2
	case PushScripts:
		return s.Selector >= 1 && int(s.Selector) <= len(m.pushes)
	}
	return false
}

// endBillingPeriod freezes the billing values into the monthly profile,
// then resets the maximum demands and the tier consumption.
func (m *Meter) endBillingPeriod(at time.Time) {
	m.capture(m.monthly, monthlyColumns, at, 0)
	for _, d := range m.demand {
		d.ResetMax()
	}
	m.month = 0
	m.billingPeriods++
	m.record(eventlog.BillingPeriodReset, at)
}
