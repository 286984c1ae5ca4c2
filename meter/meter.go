package meter

import (
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"sync"
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
	"github.com/amigo-ami/amigo/metrology"
)

// Metrology is what the management core reads from the metrology core:
// registers, instantaneous values and the software identification. It has
// no method that changes anything; *metrology.View implements it. This is
// the legal separation of IR46 / WELMEC 7.2: the management core holds
// nothing through which it could write a register or a calibration.
type Metrology interface {
	Registers() metrology.Registers
	Instant() metrology.Power
	Identity() metrology.Identity
}

// Quality is the rest of a metrology core's read-only face, which a
// meter shows when its core has it: the last analysis window (harmonics,
// THD) and the latest samples for power-quality reads. *metrology.View
// implements it; an accumulator's view reports no window.
type Quality interface {
	Measurement() (metrology.Measurement, bool)
	Capture(cycles int) (metrology.Waveform, error)
}

// Options are the meter's collaborators.
type Options struct {
	// Logger receives operational logs (never keys); nil discards.
	Logger *slog.Logger
	// Pusher sends pushes; nil drops them (and records nothing).
	Pusher push.Pusher
	// Now is the true time for calls between steps (a SET of the clock,
	// an ACTION); nil uses the true time of the last Step.
	Now func() time.Time
	// Journal persists the state; nil keeps it in memory only.
	Journal Journal
	// JournalEvery is the longest true time between two journal records
	// while energy is counted (default 1 s: a crash loses at most the
	// last second). Commands and captures are journaled at once.
	JournalEvery time.Duration
	// SnapshotEvery is how many records go between two snapshots
	// (default 3600).
	SnapshotEvery int
	// SelfTest is the management core's start-up self-test, run at the
	// first step after a new firmware image is activated; an error rolls
	// the image back. nil passes every image.
	SelfTest func(version string, payload []byte) error
}

// Meter is the management core of one meter. It is driven by Step; every
// exported method is safe for concurrent use (a DLMS server's
// associations call in while a scheduler steps), and a Meter starts no
// goroutine.
type Meter struct {
	mu   sync.Mutex
	cfg  Config
	src  Metrology
	log  *slog.Logger
	opts Options

	clock   *clock.Clock
	trueNow time.Time // true time of the last Step
	now     time.Time // meter time of the last Step
	powered bool
	last    metrology.Registers // metrology registers read at the last Step
	ident   [32]byte            // metrology checksum last seen

	energy energy.Registers
	demand [2]*energy.Demand // +A, −A
	month  uint64            // Wh imported in the billing period (tiers)
	tariff int               // tariff in force

	activity    calendar.Activity
	special     calendar.SpecialDays
	billing     calendar.Schedule
	tariffUntil time.Time // meter time the tariff stays valid until

	lp15, lp1, daily, monthly *profile.Profile
	status                    [2]uint8 // AMR status bits pending for lp15, lp1
	billingPeriods            uint32

	events *eventlog.Book

	account *prepay.Account
	disc    *supply.Disconnector
	limiter supply.Limiter

	pushes   []PushConfig
	pushQ    *push.Queue
	reader   push.Reader
	invokeID uint32

	sensors Sensors
	mon     monitors

	transfer *firmware.Transfer
	slots    firmware.Slots
	selfTest bool // an activated image waits for its self-test

	next schedule // when each periodic duty is next due (meter time)

	// dirty is set when state a journal persists has changed.
	dirty   bool
	persist *persistence
}

// schedule holds the next meter time of each periodic duty.
type schedule struct {
	demand, lp15, lp1, daily, billing time.Time
	pushes                            []time.Time // per push setup with a schedule
	dst                               time.Time
}

// New builds a meter from cfg reading src, at true time trueNow. The meter
// starts powered, its clock reading cfg.Start (or trueNow).
func New(cfg Config, src Metrology, trueNow time.Time, opts Options) (*Meter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	start := c.Start
	if start.IsZero() {
		start = trueNow
	}
	clk, err := clock.New(c.Clock, trueNow, start)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	m := &Meter{
		cfg: c, src: src, opts: opts, log: opts.Logger,
		clock: clk, trueNow: trueNow, now: clk.Now(trueNow), powered: true,
		activity: c.Calendar, billing: *c.Billing,
	}
	if p := &m.activity.Passive; p.Name == "" && len(p.Seasons)+len(p.Weeks)+len(p.Days) == 0 {
		// Until a client writes one, the passive calendar is the active.
		*p = cloneCalendar(m.activity.Active)
	}
	if m.log == nil {
		m.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, s := range c.Special {
		if err := m.special.Insert(s); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	for i := range m.demand {
		if m.demand[i], err = energy.NewDemand(c.DemandPeriod, c.DemandPeriods, m.now); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	if err := m.buildProfiles(); err != nil {
		return nil, err
	}
	if m.events, err = eventlog.New(c.EventCapacity); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Prepay != nil {
		if m.account, err = prepay.New(*c.Prepay); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
	}
	m.disc, _ = supply.New(c.DisconnectMode)
	m.transfer, _ = firmware.NewTransfer(c.Firmware.BlockSize, c.Firmware.MaxSize)
	m.slots = firmware.Factory(c.Firmware.Version)
	m.limiter.Config = c.Limiter
	m.pushes = c.Push
	h := fnv.New64a()
	h.Write([]byte(c.Serial))
	m.pushQ = push.NewQueue(h.Sum64())
	if src != nil {
		m.last = src.Registers()
		m.ident = src.Identity().Checksum
	}
	m.tariff = 1
	m.retariff()
	m.reschedule()
	if m.account != nil && m.account.Prepayment() && m.account.Out {
		// A new prepayment meter has no credit yet: the supply stays off
		// until the first top-up (in the modes that allow it).
		m.switchSupply(supply.LocalDisconnect, m.now)
	}
	if opts.Journal != nil {
		if err := m.openJournal(trueNow); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// openJournal restores the meter from its journal, if it holds a state,
// and starts a new snapshot. A restored meter was off since its last
// record: it powers up now.
func (m *Meter) openJournal(trueNow time.Time) error {
	m.persist = &persistence{j: m.opts.Journal, every: m.opts.JournalEvery, snapshotEvery: m.opts.SnapshotEvery, seq: map[string]uint64{}}
	if m.persist.every <= 0 {
		m.persist.every = time.Second
	}
	if m.persist.snapshotEvery <= 0 {
		m.persist.snapshotEvery = 3600
	}
	restored, err := m.load()
	if err != nil {
		return err
	}
	if restored {
		m.record(eventlog.PowerDown, m.now)
		m.powered = false
		m.powerUp(later(trueNow, m.trueNow))
	}
	m.snapshot()
	return m.persist.err
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// TrueNow returns the true time of the last step (after a restart, the
// last one persisted or the restart time, whichever is later).
func (m *Meter) TrueNow() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.trueNow
}

// done ends a command: it journals what the command changed, then
// unlocks.
func (m *Meter) done() {
	if m.dirty {
		m.commit(true)
	}
	m.mu.Unlock()
}

// Serial returns the meter's serial number.
func (m *Meter) Serial() string { return m.cfg.Serial }

// Config returns the configuration the meter was built from (defaults
// filled in).
func (m *Meter) Config() Config { return m.cfg }

// SetPushReader sets what encodes the pushed attributes: the meter's
// object tree (package meter/objects), which needs the meter to exist
// first.
func (m *Meter) SetPushReader(r push.Reader) {
	m.mu.Lock()
	m.reader = r
	m.mu.Unlock()
}

// trueTime is the true time for a call between steps.
func (m *Meter) trueTime() time.Time {
	if m.opts.Now != nil {
		if t := m.opts.Now(); t.After(m.trueNow) {
			return t
		}
	}
	return m.trueNow
}

// Step advances the meter to true time trueNow (non-decreasing): it
// registers the energy the metrology core counted since the previous step
// with the tariff that was in force, charges it, runs the supervision, and
// performs every duty whose time has come (tariff switches, profile
// captures, demand periods, billing, schedules, pushes). Duties are
// performed with the values at trueNow, so a scheduler that wants them
// exact steps at Next.
func (m *Meter) Step(trueNow time.Time) {
	m.mu.Lock()
	m.step(trueNow)
	out := m.duePushes()
	m.commit(false)
	m.mu.Unlock()
	m.send(out)
}

func (m *Meter) step(trueNow time.Time) {
	if trueNow.Before(m.trueNow) {
		trueNow = m.trueNow
	}
	if !m.powered {
		m.trueNow = trueNow
		return
	}
	now := m.clock.Now(trueNow)
	if m.selfTest {
		m.runSelfTest(now)
	}
	elapsed := max(now.Sub(m.now), 0)
	m.register(elapsed)
	m.supervise(now)
	m.trueNow = trueNow
	m.runDuties(now)
	m.now = now
}

// register reads the metrology registers and books their increase.
func (m *Meter) register(elapsed time.Duration) {
	if m.src == nil {
		return
	}
	regs := m.src.Registers()
	d := regs.Sub(m.last)
	m.last = regs
	for _, v := range energy.Micro(d) {
		if v < 0 {
			// The metrology core restarted (its registers begin at zero
			// in every process): take the new values as the baseline.
			m.log.Warn("metrology registers went back; rebaselined", "meter", m.cfg.Serial)
			return
		}
	}
	inc := m.energy.Add(d, m.tariff)
	m.demand[0].Add(uint64(d.ActiveImport))
	m.demand[1].Add(uint64(d.ActiveExport))
	wh := inc[energy.ActiveImport]
	cost := m.cfg.Pricing.Cost(m.tariff, m.month, wh)
	m.month += wh
	if m.account != nil {
		m.accountChanged(m.account.Charge(cost, elapsed))
	}
}

// Next returns the true time by which the meter must be stepped next for
// its duties to happen on time (the earliest tariff switch, capture,
// period end, schedule or pending push). A fleet scheduler steps each
// meter at least at this time; stepping more often is harmless.
func (m *Meter) Next() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.earliest()
	return m.clock.TrueAt(t)
}

// Now returns the meter's time (its clock's reading) at the last step.
func (m *Meter) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Record records an event observed outside the meter's own supervision: a
// DLMS server reports a failed association, a failed decryption or a
// rejected replay; a configuration change reports ParameterChanged.
func (m *Meter) Record(code eventlog.Code) {
	m.mu.Lock()
	defer m.done()
	m.record(code, m.clock.Now(m.trueTime()))
}

// record logs an event at meter time at and triggers the pushes that
// wait for it.
func (m *Meter) record(code eventlog.Code, at time.Time) {
	m.events.Record(eventlog.Event{Code: code, At: m.stamp(at)})
	m.dirty = true
	for i, p := range m.pushes {
		for _, c := range p.OnEvents {
			if c == code {
				m.triggerPush(i, at, false)
				break
			}
		}
	}
}

// stamp is a profile stamp of meter time at.
func (m *Meter) stamp(at time.Time) profile.Stamp {
	dt := m.clock.DateTime(at)
	return profile.Stamp{Unix: at.Unix(), Deviation: dt.Deviation, Status: dt.Status}
}
