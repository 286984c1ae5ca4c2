package meter

import (
	"errors"
	"math"
	"time"

	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/supply"
)

// Sensors are the meter's non-metrological inputs: covers, the magnetic
// field sensor, the terminal temperature and the independent reference
// channel of the metrology self-check. Hardware (or a simulator injecting
// faults) sets them; the meter records events on their changes at the
// next step.
type Sensors struct {
	TerminalCoverOpen   bool
	MeterCoverOpen      bool
	MagneticField       bool
	TerminalTemperature float64 // °C
	// Reference is the total active power the reference channel measures
	// (W), compared with the metrology core's when HasReference is set.
	Reference    float64
	HasReference bool
}

// monitors is the supervision's memory of what it has already reported.
type monitors struct {
	seen                Sensors
	sag, swell, reverse [3]bool
	since               [3]time.Time // when a phase's voltage left the band
	selfBad             int
	selfFailed          bool
	hot                 bool
	identAt             time.Time // when the metrology identity was last compared
}

// SetSensors sets the sensor inputs.
func (m *Meter) SetSensors(s Sensors) {
	m.mu.Lock()
	m.sensors = s
	m.mu.Unlock()
}

// supervise turns sensor changes, the instantaneous values and the
// metrology identity into events, and runs the limiter.
func (m *Meter) supervise(now time.Time) {
	s, seen := m.sensors, &m.mon.seen
	edge := func(was, is bool, on, off eventlog.Code) {
		switch {
		case is && !was:
			m.record(on, now)
		case was && !is:
			m.record(off, now)
		}
	}
	edge(seen.TerminalCoverOpen, s.TerminalCoverOpen, eventlog.TerminalCoverOpened, eventlog.TerminalCoverClosed)
	edge(seen.MeterCoverOpen, s.MeterCoverOpen, eventlog.MeterCoverOpened, eventlog.MeterCoverClosed)
	edge(seen.MagneticField, s.MagneticField, eventlog.MagneticField, eventlog.MagneticFieldGone)
	q := m.cfg.Quality
	hot := s.TerminalTemperature > q.MaxTerminalC || (m.mon.hot && s.TerminalTemperature > q.MaxTerminalC-q.HysteresisC)
	edge(m.mon.hot, hot, eventlog.TerminalOverTemperature, eventlog.TerminalTemperatureOK)
	m.mon.hot = hot
	*seen = s
	if m.src == nil {
		return
	}
	inst := m.src.Instant()
	for p, ph := range inst.Phases {
		present := ph.U > 0.05*q.NominalVoltage
		sag := present && ph.U < (1-q.Sag)*q.NominalVoltage
		swell := present && ph.U > (1+q.Swell)*q.NominalVoltage
		switch {
		case !sag && !swell:
			m.mon.since[p], m.mon.sag[p], m.mon.swell[p] = time.Time{}, false, false
		case m.mon.since[p].IsZero():
			m.mon.since[p] = now
		}
		if (sag || swell) && now.Sub(m.mon.since[p]) >= q.Grace {
			if sag && !m.mon.sag[p] {
				m.record(eventlog.VoltageSagL1+eventlog.Code(p), now)
			}
			if swell && !m.mon.swell[p] {
				m.record(eventlog.VoltageSwellL1+eventlog.Code(p), now)
			}
			m.mon.sag[p], m.mon.swell[p] = sag, swell
		}
		rev := ph.P < -q.ReverseW
		if rev && !m.mon.reverse[p] {
			m.record(eventlog.ReverseCurrentL1+eventlog.Code(p), now)
		}
		m.mon.reverse[p] = rev
	}
	p, _, _ := inst.Total()
	m.selfCheck(now, p)
	// The identity is hashed on every read: look once a minute.
	if now.Sub(m.mon.identAt) >= time.Minute || now.Before(m.mon.identAt) {
		m.mon.identAt = now
		if id := m.src.Identity().Checksum; id != m.ident {
			m.ident = id
			m.record(eventlog.MetrologyChanged, now)
		}
	}
	if a := m.limiter.Step(now, int64(math.Max(p, 0))); a != supply.None {
		script := m.limiter.Config.Over
		code := eventlog.LimiterExceeded
		if a == supply.Under {
			script, code = m.limiter.Config.Under, eventlog.LimiterOK
		}
		m.record(code, now)
		m.runScript(script, now)
	}
}

// selfCheck compares the metrology core's total power with the reference
// channel's: SelfCheckSteps consecutive steps beyond the tolerance record a
// measurement system error, as many within it clear it.
func (m *Meter) selfCheck(now time.Time, p float64) {
	s := m.sensors
	if !s.HasReference {
		m.mon.selfBad = 0
		return
	}
	q := m.cfg.Quality
	gap := math.Abs(p - s.Reference)
	bad := gap > q.SelfCheck*math.Max(math.Abs(s.Reference), q.SelfCheckFloor)
	if bad != m.mon.selfFailed {
		m.mon.selfBad++
	} else {
		m.mon.selfBad = 0
	}
	if m.mon.selfBad >= q.SelfCheckSteps {
		m.mon.selfBad = 0
		m.mon.selfFailed = bad
		code := eventlog.MeasurementSystemOK
		if bad {
			code = eventlog.MeasurementSystemError
		}
		m.record(code, now)
	}
}

// switchSupply applies a disconnect control trigger and records its event
// if the state changed. A trigger the control mode does not allow changes
// nothing (the limiter and the account ask regardless of the mode).
func (m *Meter) switchSupply(t supply.Trigger, at time.Time) (bool, error) {
	changed, err := m.disc.Apply(t)
	if err != nil || !changed {
		return changed, err
	}
	code := map[supply.Trigger]eventlog.Code{
		supply.RemoteDisconnect: eventlog.RemoteDisconnection,
		supply.RemoteReconnect:  eventlog.RemoteConnection,
		supply.ManualDisconnect: eventlog.ManualDisconnection,
		supply.ManualReconnect:  eventlog.ManualConnection,
		supply.LocalDisconnect:  eventlog.LocalDisconnection,
		supply.LocalReconnect:   eventlog.LocalConnection,
	}[t]
	m.record(code, at)
	return true, nil
}

// accountChanged records the events of a change of the account and
// disconnects or reconnects the supply.
func (m *Meter) accountChanged(ch prepay.Change) {
	if !ch.Any() {
		return
	}
	now := m.clock.Now(m.trueTime())
	if ch.EmergencyInvoked {
		m.record(eventlog.EmergencyCreditInvoked, now)
	}
	if ch.LowCredit {
		m.record(eventlog.CreditLow, now)
	}
	if ch.Exhausted {
		m.record(eventlog.CreditExhausted, now)
		if _, err := m.switchSupply(supply.LocalDisconnect, now); err != nil && !errors.Is(err, supply.ErrNotAllowed) {
			m.log.Warn("disconnect on exhausted credit", "meter", m.cfg.Serial, "err", err)
		}
	}
	if ch.Restored {
		m.record(eventlog.CreditRestored, now)
		m.switchSupply(supply.LocalReconnect, now) // modes 5 and 6 only; otherwise the customer reconnects
	}
}

// PowerDown tells the meter its supply failed at true time trueNow: it
// records the power down, sends the last-gasp pushes at once, and stops
// until PowerUp (steps change nothing meanwhile; the clock runs on).
func (m *Meter) PowerDown(trueNow time.Time) {
	m.mu.Lock()
	if !m.powered {
		m.mu.Unlock()
		return
	}
	m.step(trueNow)
	now := m.clock.Now(trueNow)
	m.record(eventlog.PowerDown, now)
	for i, p := range m.pushes {
		if p.LastGasp {
			m.triggerPush(i, now, true)
		}
	}
	out := m.duePushes()
	m.powered = false
	m.commit(true)
	m.mu.Unlock()
	m.send(out)
}

// PowerUp tells the meter its supply came back at true time trueNow. The
// metrology core's registers are taken as they are (nothing was measured
// while down), duties missed while down are not caught up, and the next
// load profile entries carry the power-down status bit.
func (m *Meter) PowerUp(trueNow time.Time) {
	m.mu.Lock()
	defer m.done()
	if !m.powered {
		m.powerUp(later(trueNow, m.trueNow))
	}
}

func (m *Meter) powerUp(trueNow time.Time) {
	m.powered = true
	m.trueNow = trueNow
	m.now = m.clock.Now(trueNow)
	if m.src != nil {
		m.last = m.src.Registers()
	}
	for _, d := range m.demand {
		d.Start = m.now
		clear(d.Window)
	}
	m.markStatus(StatusPowerDown)
	m.record(eventlog.PowerUp, m.now)
	m.reschedule()
}

// Powered reports whether the meter has supply.
func (m *Meter) Powered() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.powered
}
