package meter

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/clock"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
)

// Journal is where a meter persists its state: *journal.Journal (a state
// directory), or nothing at all in a simulator that keeps meters in memory.
type Journal interface {
	// Load returns the last snapshot (nil if none) and the records
	// appended after it.
	Load() (snapshot []byte, records [][]byte, err error)
	Append(record []byte) error
	Snapshot(state []byte) error
}

// What is persisted, and how:
//
//   - hot state (registers, demand, credit, clock anchor, counters, switch
//     state, firmware slots): in every record, at most JournalEvery apart
//     and after every command that changed something;
//   - settings a client can write (calendars, special days, billing
//     schedule, limiter, push setups): in snapshots, one written whenever
//     they change;
//   - profile and log rows: each record carries the rows captured since
//     the previous one; a snapshot carries them all.
//
// Everything else (prices, thresholds, keys, capacities) comes from the
// configuration at every start. A restart is a power cycle: the meter
// records a power down at the last persisted time and a power up now.
const stateVersion = 1

type hotState struct {
	TrueNow, Now   time.Time
	Clock          clock.State
	Energy         energy.Registers
	Demand         [2]energy.Demand
	Month          uint64
	Tariff         int
	BillingPeriods uint32
	Status         [2]uint8
	Account        *prepay.Account `json:",omitempty"`
	Mode           supply.Mode
	State          supply.State
	LimiterTripped bool
	InvokeID       uint32
	LastEvents     [eventlog.NumLogs]eventlog.Code
	Firmware       firmware.Slots
	SelfTest       bool
	Metrology      [32]byte // metrology checksum last seen
}

type settingsState struct {
	Activity calendar.Activity
	Special  []calendar.SpecialDay
	Billing  calendar.Schedule
	Limiter  supply.LimiterConfig
	Pushes   []push.Setup
}

type rows struct {
	Seq  uint64 // sequence number of the last row
	Rows [][]int64
}

type snapshotState struct {
	Version  int
	Serial   string
	Hot      hotState
	Settings settingsState
	Profiles map[string]rows
}

type recordState struct {
	Hot  hotState
	Rows map[string]rows `json:",omitempty"`
}

// persistence is the meter's bookkeeping of its journal.
type persistence struct {
	j             Journal
	every         time.Duration
	snapshotEvery int
	records       int
	lastAppend    time.Time         // true time
	seq           map[string]uint64 // last row persisted, per profile
	settings      bool              // settings changed: snapshot at the next commit
	err           error             // the last journal error, reported by Flush
}

type namedProfile struct {
	name string
	p    *profile.Profile
}

func (m *Meter) namedProfiles() []namedProfile {
	out := []namedProfile{{"lp15", m.lp15}, {"daily", m.daily}, {"monthly", m.monthly}}
	if m.lp1 != nil {
		out = append(out, namedProfile{"lp1", m.lp1})
	}
	for l := range eventlog.NumLogs {
		out = append(out, namedProfile{"log-" + l.String(), m.events.Profile(l)})
	}
	return out
}

func (m *Meter) hot() hotState {
	h := hotState{
		TrueNow: m.trueNow, Now: m.now, Clock: m.clock.State(), Energy: m.energy,
		Month: m.month, Tariff: m.tariff, BillingPeriods: m.billingPeriods, Status: m.status,
		Mode: m.disc.Mode(), State: m.disc.State(), LimiterTripped: m.limiter.Tripped(),
		InvokeID: m.invokeID, LastEvents: m.events.LastCodes(), Firmware: m.slots, SelfTest: m.selfTest,
		Metrology: m.ident,
	}
	for i, d := range m.demand {
		h.Demand[i] = *d
	}
	if m.account != nil {
		a := *m.account
		a.Config = prepay.Config{} // keys and prices come from the configuration
		h.Account = &a
	}
	return h
}

func (m *Meter) settingsState() settingsState {
	s := settingsState{Activity: m.activity, Special: m.special.Entries, Billing: m.billing, Limiter: m.limiter.Config}
	for _, p := range m.pushes {
		s.Pushes = append(s.Pushes, p.Setup)
	}
	return s
}

// restoreHot puts a persisted hot state back.
func (m *Meter) restoreHot(h hotState) error {
	clk, err := clock.Restore(h.Clock)
	if err != nil {
		return err
	}
	m.clock, m.trueNow, m.now = clk, h.TrueNow, h.Now
	m.energy, m.month, m.billingPeriods, m.status = h.Energy, h.Month, h.BillingPeriods, h.Status
	if h.Tariff >= 1 && h.Tariff <= energy.MaxTariffs {
		m.tariff = h.Tariff
	}
	for i := range m.demand {
		d := h.Demand[i]
		if d.Period != m.cfg.DemandPeriod || d.Periods != m.cfg.DemandPeriods || len(d.Window) == 0 || len(d.Window) > d.Periods {
			continue // the demand settings changed: start a fresh window
		}
		m.demand[i] = &d
	}
	if m.account != nil && h.Account != nil {
		a := *h.Account
		a.Config = m.account.Config
		m.account = &a
	}
	if err := m.disc.Restore(h.Mode, h.State); err != nil {
		return err
	}
	m.limiter.SetTripped(h.LimiterTripped)
	m.invokeID = h.InvokeID
	m.events.SetLast(h.LastEvents)
	m.slots, m.selfTest, m.ident = h.Firmware, h.SelfTest, h.Metrology
	return nil
}

// restoreRows appends persisted rows a profile does not have yet.
func restoreRows(p *profile.Profile, r rows, replace bool) error {
	if replace {
		return p.Restore(r.Seq, r.Rows)
	}
	first := r.Seq - uint64(len(r.Rows)) + 1
	for i, row := range r.Rows {
		if first+uint64(i) <= p.Seq() {
			continue // already there
		}
		if len(row) != len(p.Config().Columns) {
			return fmt.Errorf("%w: persisted row of %d values", ErrConfig, len(row))
		}
		p.Append(row)
	}
	return nil
}

// load restores the meter from its journal; false when it holds nothing.
func (m *Meter) load() (bool, error) {
	snap, recs, err := m.persist.j.Load()
	if err != nil {
		return false, err
	}
	if snap == nil {
		return false, nil
	}
	var s snapshotState
	if err := json.Unmarshal(snap, &s); err != nil {
		return false, fmt.Errorf("meter %s: snapshot: %w", m.cfg.Serial, err)
	}
	if s.Version != stateVersion || s.Serial != m.cfg.Serial {
		return false, fmt.Errorf("meter %s: state of meter %q version %d", m.cfg.Serial, s.Serial, s.Version)
	}
	st := s.Settings
	m.activity, m.billing, m.limiter.Config = st.Activity, st.Billing, st.Limiter
	m.special.Entries = st.Special
	for i := range min(len(st.Pushes), len(m.pushes)) {
		m.pushes[i].Setup = st.Pushes[i]
	}
	if err := m.restoreHot(s.Hot); err != nil {
		return false, err
	}
	for _, np := range m.namedProfiles() {
		if r, ok := s.Profiles[np.name]; ok {
			if err := restoreRows(np.p, r, true); err != nil {
				return false, err
			}
		}
	}
	for i, b := range recs {
		var r recordState
		if err := json.Unmarshal(b, &r); err != nil {
			// A record that passed its CRC but does not decode is a bug,
			// not a torn write: stop at the last good state.
			m.log.Error("journal record unreadable; state as of the previous one", "meter", m.cfg.Serial, "record", i, "err", err)
			break
		}
		if err := m.restoreHot(r.Hot); err != nil {
			return false, err
		}
		for _, np := range m.namedProfiles() {
			if rr, ok := r.Rows[np.name]; ok {
				if err := restoreRows(np.p, rr, false); err != nil {
					return false, err
				}
			}
		}
	}
	m.persist.records = len(recs)
	return true, nil
}

// commit appends a record (or writes a snapshot) when something changed
// and it is time; force skips the time check. Called with m.mu held.
func (m *Meter) commit(force bool) {
	p := m.persist
	if p == nil {
		m.dirty = false
		return
	}
	if !force && !m.dirty && m.trueNow.Sub(p.lastAppend) < p.every {
		return
	}
	if p.settings || p.records >= p.snapshotEvery {
		m.snapshot()
		return
	}
	r := recordState{Hot: m.hot(), Rows: map[string]rows{}}
	for _, np := range m.namedProfiles() {
		if rs := rowsAfter(np.p, p.seq[np.name]); len(rs.Rows) > 0 {
			r.Rows[np.name] = rs
		}
	}
	b, err := json.Marshal(r)
	if err == nil {
		err = p.j.Append(b)
	}
	if err != nil {
		m.journalFailed(err)
		return
	}
	for name, rs := range r.Rows {
		p.seq[name] = rs.Seq
	}
	p.records++
	p.lastAppend = m.trueNow
	m.dirty = false
}

// rowsAfter copies the rows of p captured after sequence number after.
func rowsAfter(p *profile.Profile, after uint64) rows {
	rs := rows{Seq: p.Seq()}
	p.Tail(after, func(_ uint64, row []int64) {
		rs.Rows = append(rs.Rows, append([]int64(nil), row...))
	})
	return rs
}

// snapshot writes the whole state.
func (m *Meter) snapshot() {
	p := m.persist
	s := snapshotState{Version: stateVersion, Serial: m.cfg.Serial, Hot: m.hot(), Settings: m.settingsState(), Profiles: map[string]rows{}}
	for _, np := range m.namedProfiles() {
		s.Profiles[np.name] = rowsAfter(np.p, 0)
	}
	b, err := json.Marshal(s)
	if err == nil {
		err = p.j.Snapshot(b)
	}
	if err != nil {
		m.journalFailed(err)
		return
	}
	for _, np := range m.namedProfiles() {
		p.seq[np.name] = np.p.Seq()
	}
	p.records, p.settings, p.lastAppend, m.dirty = 0, false, m.trueNow, false
}

func (m *Meter) journalFailed(err error) {
	if m.persist.err == nil {
		m.log.Error("journal write failed", "meter", m.cfg.Serial, "err", err)
	}
	m.persist.err = err
}

// Flush persists the state now (a clean shutdown) and returns the last
// journal error, if any.
func (m *Meter) Flush() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.persist == nil {
		return nil
	}
	m.persist.err = nil
	m.commit(true)
	return m.persist.err
}

// settingsChanged marks the client-writable settings for the next snapshot.
func (m *Meter) settingsChanged() {
	m.dirty = true
	if m.persist != nil {
		m.persist.settings = true
	}
}
