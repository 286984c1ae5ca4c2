package sim

import (
	"fmt"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/feed"
	nilmmodule "github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
	nilmcore "github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/sim/fault"
	"github.com/amigo-ami/amigo/sim/wave"
)

// unit is one simulated meter: its driver, management core, object tree
// and DLMS server, its faults, and what is connected to it.
type unit struct {
	f      *Fleet
	idx    int
	serial string
	addr   string
	title  [8]byte
	keys   Keys                       // as exported to the registry
	live   *cosem.MemKeys             // as the meter has them now (key transfer changes them)
	plan   atomic.Pointer[fault.Plan] // replaced by SetFaults; nil: no faults
	ctr    *counters
	sealer *push.Sealer // seals the meter's pushes with its live keys and ctr
	m      *meter.Meter
	tree   *objects.Tree
	srv    *dlms.Server       // nil for push-only meters
	nilm   *nilmmodule.Module // nil unless a waveform meter of a template with [modules.nilm]

	mu      sync.Mutex // one driver of the meter at a time: the scheduler or a catch-up
	drv     feed.Driver
	downs   int // reasons the power is off (outage, restart)
	sensors meter.Sensors

	offline, down atomic.Bool // unreachable: no network, or no power

	connMu sync.Mutex
	conns  []net.Conn // open connections, cut when the meter goes away

	pushMu  sync.Mutex // guards outbox and sending
	outbox  []outgoing
	sending bool // a goroutine is emptying the outbox
}

// newUnit builds meter k of the fleet.
func (f *Fleet) newUnit(k int, tmpl *config.File) (*unit, error) {
	serial := fmt.Sprintf("%010d", f.cfg.FirstSerial+uint64(k))
	u := &unit{f: f, idx: k, serial: serial, addr: f.addrs.of(k), ctr: newCounters()}
	plan := fault.NewPlan(f.faults, f.cfg.Seed, k, f.cfg.Start)
	u.plan.Store(plan)
	copy(u.title[:], objects.SystemTitle(serial))
	u.keys = keysOf(f.cfg.Keys, f.cfg.Seed, serial, tmpl.Security)
	u.live = cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: u.keys.EK, cosem.KeyAuthentication: u.keys.AK, cosem.KeyMaster: u.keys.KEK})
	u.sealer = push.NewSealer(u.title, u.live, u.ctr)

	cfg := tmpl.Meter
	cfg.Serial = serial
	cfg.Start = time.Time{}
	if plan != nil {
		cfg.Clock.DriftPPM = plan.DriftPPM()
	}
	// Meters change their push setups in place: each needs its own.
	cfg.Push = slices.Clone(cfg.Push)
	for i := range cfg.Push {
		cfg.Push[i].Setup.Destination.Address = f.cfg.PushTo
	}
	var err error
	if u.drv, err = f.driver(k); err != nil {
		return nil, fmt.Errorf("sim: meter %s: %w", serial, err)
	}
	opts := meter.Options{Logger: f.log, Now: f.clock.Now}
	if f.cfg.PushTo != "" {
		opts.Pusher = pusher{u}
	}
	if u.m, err = meter.New(cfg, u.drv.View(), f.cfg.Start, opts); err != nil {
		return nil, fmt.Errorf("sim: meter %s: %w", serial, err)
	}
	if f.schema == nil {
		if f.schema, err = objects.NewSchema(u.m.Config()); err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
	}
	u.tree = objects.New(f.schema, u.m, objects.Config{ClientTitle: tmpl.Security.ClientTitle, ServerTitle: u.title[:], Keys: u.live,
		InvocationCounter: u.receivedCounter})
	if wd, ok := u.drv.(*wave.Driver); ok && tmpl.NILM.Enabled {
		if err := u.startNILM(wd, tmpl.NILM, opts.Pusher); err != nil {
			return nil, fmt.Errorf("sim: meter %s: %w", serial, err)
		}
	}
	if f.cfg.PushOnly {
		return u, nil
	}
	u.srv, err = dlms.NewServer(dlms.ServerConfig{
		Listen: dlms.NoListen, HDLC: f.cfg.HDLC, Tree: u.tree, SystemTitle: u.title[:], Counters: u.ctr, Logger: f.log,
		Clients: map[uint16]dlms.ClientPolicy{
			objects.Public:     {Mechanism: dlms.MechanismLowest},
			objects.Reader:     {Mechanism: dlms.MechanismLow, Password: u.keys.Password},
			objects.Management: {Mechanism: dlms.MechanismHighGMAC, Keys: u.live, SystemTitle: tmpl.Security.ClientTitle},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("sim: meter %s: %w", serial, err)
	}
	return u, nil
}

// startNILM runs the NILM expansion module on a waveform meter as
// meter/device does for amigo meter: on the driver's tap, its objects in
// the meter's tree, stepped with the meter. It pushes each appliance event
// wherever the fleet pushes (Config.PushTo, nowhere without it) like the
// meter's own pushes, with the template's retries and repetition delay,
// or amigo meter's defaults when the template sets neither.
func (u *unit) startNILM(wd *wave.Driver, n config.NILM, pusher push.Pusher) error {
	f := u.f
	if n.Push.Retries == 0 && n.Push.RepetitionDelay == 0 {
		n.Push = config.NILMPush("")
	}
	n.Push.Destination.Address = f.cfg.PushTo // "" without pushes, and then pusher is nil
	mod, err := nilmmodule.New(u.m, nilmmodule.Config{PublicKey: n.PublicKey, Library: n.Library, RateHz: f.cfg.WaveRate,
		Phases: [3]bool{true}, Start: f.cfg.Start, Detector: nilmcore.DetectorConfig{MinStepW: n.MinStepW}, LogCapacity: n.LogCapacity,
		Push: n.Push, Pusher: pusher, Logger: f.log.With("meter", u.serial)})
	if err != nil {
		return err
	}
	if err := u.tree.Add(mod.Objects()...); err != nil {
		return err
	}
	wd.SetTap(mod)
	u.nilm = mod
	return nil
}

// receivedCounter is the invocation counter object's value: the last
// counter the meter accepted from the management client.
func (u *unit) receivedCounter() uint32 {
	if u.srv == nil {
		return 0
	}
	return u.srv.InvocationCounter(objects.Management)
}

// driver returns meter k's metrology driver: a household's waveform for
// the first Config.Waveform meters, a load model's powers for the rest.
func (f *Fleet) driver(k int) (feed.Driver, error) {
	if k >= f.cfg.Waveform {
		d, err := feed.NewFast(f.loads.of(k), f.cfg.Start)
		if d != nil {
			d.Step = f.cfg.FastStep
		}
		return d, err
	}
	uses, err := wave.Household(f.appliances, f.cfg.Habits, f.cfg.Seed, k)
	if err != nil {
		return nil, err
	}
	cfg := wave.Config{Rate: f.cfg.WaveRate, Start: f.cfg.Start, Uses: uses, Seed: f.cfg.Seed, Meter: k}
	if on := f.cfg.OnSwitch; on != nil {
		cfg.OnSwitch = func(s wave.Switch) { on(k, s) }
	}
	return wave.New(cfg)
}

// unreachable reports whether the meter can be talked to.
func (u *unit) unreachable() bool { return u.offline.Load() || u.down.Load() }

// advance drives the meter to simulated time t: it steps it exactly at
// each duty it announces and applies each fault of its plan at its time,
// in time order. It returns when the meter next needs stepping.
func (u *unit) advance(t time.Time) time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	plan := u.plan.Load()
	for {
		next := t
		if mn := u.m.Next(); u.downs == 0 && mn.After(u.m.TrueNow()) && mn.Before(next) {
			next = mn
		}
		if pe := plan.Next(); !pe.IsZero() && !pe.After(next) {
			u.driveTo(pe)
			u.apply(plan.Pop())
			continue
		}
		u.driveTo(next)
		if !next.Before(t) {
			break
		}
	}
	// A meter without power has no duty until its power comes back.
	next := plan.Next()
	if mn := u.m.Next(); u.downs == 0 && (next.IsZero() || mn.Before(next)) {
		next = mn
	}
	if !next.After(t) {
		// A duty that stays due (a push waiting for its window) is
		// looked at again a second later, not in a loop.
		next = t.Add(time.Second)
	}
	return next
}

// driveTo feeds the metrology core and steps the meter to at; while the
// power is off nothing is fed and the meter is not stepped (PowerUp takes
// it from the power down to the time the power comes back). Called with
// u.mu held.
func (u *unit) driveTo(at time.Time) {
	if u.downs > 0 {
		u.drv.Skip(at)
		return
	}
	if err := u.drv.Advance(at, u.m.Connected()); err != nil {
		u.f.stats.driverErrors.Add(1)
		u.f.log.Warn("metrology driver failed", "meter", u.serial, "err", err)
	}
	u.m.Step(at)
	if u.nilm != nil {
		u.nilm.Step(at)
	}
	u.f.stats.steps.Add(1)
}

// apply carries out a fault event at its time. Called with u.mu held.
func (u *unit) apply(e fault.Event) {
	u.f.stats.count(e)
	switch e.Kind {
	case fault.Offline:
		u.offline.Store(e.Start)
		if e.Start {
			u.cut()
		}
	case fault.Outage, fault.Restart:
		if e.Start {
			if u.downs == 0 {
				// The last gasp goes out from PowerDown, before the meter
				// counts as down.
				u.m.PowerDown(e.At)
				u.down.Store(true)
				u.cut()
			}
			u.downs++
			return
		}
		if u.downs--; u.downs == 0 {
			u.m.PowerUp(e.At)
			u.down.Store(false)
		}
	case fault.Tamper:
		switch e.Sensor {
		case fault.MeterCover:
			u.sensors.MeterCoverOpen = e.Start
		case fault.TerminalCover:
			u.sensors.TerminalCoverOpen = e.Start
		case fault.Magnet:
			u.sensors.MagneticField = e.Start
		}
		u.m.SetSensors(u.sensors)
	case fault.ICLoss:
		u.ctr.lose()
	}
}

// setPlan ends the faults in progress at now and replaces the plan.
func (u *unit) setPlan(spec *fault.Spec, now time.Time) {
	u.advance(now)
	u.mu.Lock()
	defer u.mu.Unlock()
	u.offline.Store(false)
	if u.downs > 0 {
		u.downs = 0
		u.m.PowerUp(now)
		u.down.Store(false)
	}
	if u.sensors != (meter.Sensors{}) {
		u.sensors = meter.Sensors{}
		u.m.SetSensors(u.sensors)
	}
	u.plan.Store(fault.NewPlan(spec, u.f.cfg.Seed, u.idx, now))
}

// track adds an open connection; untrack removes it.
func (u *unit) track(c net.Conn) {
	u.connMu.Lock()
	u.conns = append(u.conns, c)
	u.connMu.Unlock()
}

func (u *unit) untrack(c net.Conn) {
	u.connMu.Lock()
	if i := slices.Index(u.conns, c); i >= 0 {
		u.conns = slices.Delete(u.conns, i, i+1)
	}
	u.connMu.Unlock()
}

// cut closes every open connection: the meter lost its network or power.
func (u *unit) cut() {
	u.connMu.Lock()
	defer u.connMu.Unlock()
	for _, c := range u.conns {
		c.Close()
	}
}
