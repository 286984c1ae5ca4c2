package device

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/feed"
	"github.com/amigo-ami/amigo/meter/journal"
	"github.com/amigo-ami/amigo/meter/load"
	nilmmodule "github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

// Config configures a Device.
type Config struct {
	// File is the meter's configuration (config.Demo() for the demo meter).
	File config.File
	// Listen overrides File.Listen ("127.0.0.1:4059" when both are
	// empty; ":0" picks a port). HDLC, when set, overrides File.HDLC.
	Listen string
	HDLC   bool
	// StateDir keeps the journal and invocation counters; empty keeps
	// everything in memory.
	StateDir string
	// Samples, when set, is a sample CSV file the real metrology core runs
	// on, looped, at Rate samples per second (8000 when 0). Otherwise Load
	// is the load model spec (package load; "constant:1000" when empty),
	// and DataDir where its data lives.
	Samples string
	Rate    float64
	Load    string
	DataDir string
	// Speed is how many simulated seconds pass per real second (1 when 0).
	Speed float64
	// Tick is the real time between steps (1 s / Speed, at least 10 ms,
	// when 0). A negative Tick runs no ticker: the caller steps the meter
	// with Advance (tests with a fake clock).
	Tick time.Duration
	// Clock is the host clock (time.Now when nil); tests inject theirs.
	Clock func() time.Time
	// Logger receives the device's logs; discarded when nil.
	Logger *slog.Logger
}

// Device is one software meter serving DLMS.
type Device struct {
	cfg     Config
	log     *slog.Logger
	m       *meter.Meter
	tree    *objects.Tree
	srv     *dlms.Server
	drv     feed.Driver
	nilm    *nilmmodule.Module // nil unless meter.toml enables it
	j       *journal.Journal
	pushCtx context.Context
	stop    context.CancelFunc

	mu                  sync.Mutex // guards the simulated clock's origin
	wallStart, simStart time.Time

	stepMu            sync.Mutex // one Advance at a time
	rejected, replays uint64     // server counts already recorded as events
}

// New builds the meter (restoring it from StateDir if that holds one) and
// starts listening.
func New(cfg Config) (*Device, error) {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Speed == 0 {
		cfg.Speed = 1
	}
	if cfg.Speed < 0 || cfg.Speed > 1e6 {
		return nil, fmt.Errorf("device: speed %v", cfg.Speed)
	}
	if cfg.Tick == 0 {
		cfg.Tick = max(10*time.Millisecond, time.Duration(float64(time.Second)/cfg.Speed))
	}
	if cfg.Listen == "" {
		cfg.Listen = cfg.File.Listen
	}
	cfg.HDLC = cfg.HDLC || cfg.File.HDLC
	d := &Device{cfg: cfg, log: cfg.Logger.With("meter", cfg.File.Meter.Serial)}
	start := cfg.Clock()
	drv, err := newDriver(cfg, start)
	if err != nil {
		return nil, err
	}
	d.drv = drv.Driver
	if cfg.File.NILM.Enabled && drv.phases == ([3]bool{}) {
		return nil, errors.New("device: the NILM module needs a waveform: run the meter on samples (--samples)")
	}
	d.pushCtx, d.stop = context.WithCancel(context.Background())
	opts := meter.Options{Logger: d.log, Now: d.now, JournalEvery: time.Duration(cfg.Speed * float64(time.Second))}
	var counters dlms.CounterStore = dlms.NewMemoryCounters()
	if cfg.StateDir != "" {
		if d.j, err = journal.Open(cfg.StateDir, journal.Options{SyncEvery: time.Second}); err != nil {
			return nil, d.fail(err)
		}
		opts.Journal = d.j
		if counters, err = dlms.OpenFileCounters(filepath.Join(cfg.StateDir, "counters.json"), 64); err != nil {
			return nil, d.fail(err)
		}
	}
	sec := cfg.File.Security
	serial := cfg.File.Meter.Serial
	title := [8]byte(objects.SystemTitle(serial))
	// The security setup's keys: key_transfer changes them, for the next
	// association and push, and they persist in the state directory.
	keys, err := openKeys(cfg.StateDir, map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: sec.EncryptionKey,
		cosem.KeyAuthentication: sec.AuthenticationKey, cosem.KeyMaster: sec.MasterKey})
	if err != nil {
		return nil, d.fail(err)
	}
	// Every push (the meter's and its modules') is sealed with the keys
	// the security setup holds at the time and the persisted push counter.
	pusher := push.NewNetPusher(d.pushCtx, push.NewSealer(title, keys, counters))
	opts.Pusher = pusher
	// The meter's true time starts at the host's, or where a restored
	// meter left off if that is later (a previous run at Speed > 1).
	d.wallStart, d.simStart = start, start
	if d.m, err = meter.New(cfg.File.Meter, d.drv.View(), start, opts); err != nil {
		return nil, d.fail(err)
	}
	if t := d.m.TrueNow(); t.After(start) {
		d.simStart = t
		d.drv.Skip(t)
	}

	schema, err := objects.NewSchema(d.m.Config())
	if err != nil {
		return nil, d.fail(err)
	}
	d.tree = objects.New(schema, d.m, objects.Config{ClientTitle: sec.ClientTitle, ServerTitle: title[:], Keys: keys,
		InvocationCounter: func() uint32 { return d.srv.InvocationCounter(objects.Management) }})
	if cfg.File.NILM.Enabled {
		if err := d.startNILM(drv, start, pusher); err != nil {
			return nil, d.fail(err)
		}
	}
	d.srv, err = dlms.NewServer(dlms.ServerConfig{
		Listen: cfg.Listen, HDLC: cfg.HDLC, Tree: d.tree, SystemTitle: title[:], Counters: counters, Logger: d.log,
		Clients: map[uint16]dlms.ClientPolicy{
			objects.Public:     {Mechanism: dlms.MechanismLowest},
			objects.Reader:     {Mechanism: dlms.MechanismLow, Password: sec.Password},
			objects.Management: {Mechanism: dlms.MechanismHighGMAC, Keys: keys, SystemTitle: sec.ClientTitle},
		},
	})
	if err != nil {
		return nil, d.fail(err)
	}
	return d, nil
}

// fail releases what New opened before err.
func (d *Device) fail(err error) error {
	d.stop()
	if d.j != nil {
		err = errors.Join(err, d.j.Close())
	}
	return err
}

// driver is the metrology driver with, for a waveform, its stream.
type driver struct {
	feed.Driver
	phases [3]bool // wired phases of a waveform; none for a load model
	rate   float64
}

func newDriver(cfg Config, start time.Time) (driver, error) {
	if cfg.Samples != "" {
		frames, phases, err := feed.ReadSamples(cfg.Samples)
		if err != nil {
			return driver{}, err
		}
		rate := cfg.Rate
		if rate == 0 {
			rate = 8000
		}
		w, err := feed.NewWaveform(frames, phases, rate, start)
		return driver{w, phases, rate}, err
	}
	spec := cfg.Load
	if spec == "" {
		spec = "constant:1000"
	}
	model, err := load.Parse(spec, cfg.DataDir)
	if err != nil {
		return driver{}, err
	}
	f, err := feed.NewFast(model, start)
	return driver{Driver: f}, err
}

// startNILM builds the NILM module on the waveform's tap and adds its
// objects to the tree. A library activated remotely is kept in the state
// directory.
func (d *Device) startNILM(drv driver, start time.Time, pusher push.Pusher) error {
	n := d.cfg.File.NILM
	mc := nilmmodule.Config{PublicKey: n.PublicKey, Library: n.Library, RateHz: drv.rate, Phases: drv.phases, Start: start,
		Detector: nilmcore.DetectorConfig{MinStepW: n.MinStepW}, LogCapacity: n.LogCapacity, Push: n.Push, Pusher: pusher, Logger: d.log}
	if d.cfg.StateDir != "" {
		mc.LibraryFile = filepath.Join(d.cfg.StateDir, "nilm-library.amnl")
	}
	mod, err := nilmmodule.New(d.m, mc)
	if err != nil {
		return err
	}
	if err := d.tree.Add(mod.Objects()...); err != nil {
		return err
	}
	drv.Driver.(*feed.Waveform).SetTap(mod)
	d.nilm = mod
	return nil
}

// NILM returns the NILM module, nil unless the configuration enables it.
func (d *Device) NILM() *nilmmodule.Module { return d.nilm }

// now is the simulated true time.
func (d *Device) now() time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.simStart.Add(time.Duration(float64(d.cfg.Clock().Sub(d.wallStart)) * d.cfg.Speed))
}

// Addr is the address the DLMS server listens on.
func (d *Device) Addr() net.Addr { return d.srv.Addr() }

// Meter is the device's management core.
func (d *Device) Meter() *meter.Meter { return d.m }

// Serve serves DLMS and runs the meter until ctx is done, then persists
// the state and closes the journal.
func (d *Device) Serve(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srvErr := make(chan error, 1)
	go func() { srvErr <- d.srv.Serve(ctx) }()
	var tick <-chan time.Time
	if d.cfg.Tick > 0 {
		t := time.NewTicker(d.cfg.Tick)
		defer t.Stop()
		tick = t.C
	}
	var err error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err = <-srvErr:
			srvErr = nil
			break loop
		case <-tick:
			if err = d.Advance(d.now()); err != nil {
				break loop
			}
		}
	}
	cancel()
	if srvErr != nil {
		err = errors.Join(err, <-srvErr)
	}
	d.stop()
	err = errors.Join(err, d.m.Flush())
	if d.j != nil {
		err = errors.Join(err, d.j.Close())
	}
	return err
}

// Now returns the simulated true time: the host clock's time since the
// start, times Speed, after the start.
func (d *Device) Now() time.Time { return d.now() }

// Advance feeds the metrology core and steps the meter to true time to,
// stepping exactly at each duty the meter has before it, and records the
// server's refusals as events. Serve calls it every Tick with Now.
func (d *Device) Advance(to time.Time) error {
	d.stepMu.Lock()
	defer d.stepMu.Unlock()
	for {
		next := d.m.Next()
		if !next.Before(to) || !next.After(d.m.TrueNow()) {
			break
		}
		if err := d.drv.Advance(next, d.m.Connected()); err != nil {
			return err
		}
		d.m.Step(next)
	}
	if err := d.drv.Advance(to, d.m.Connected()); err != nil {
		return err
	}
	d.m.Step(to)
	if d.nilm != nil {
		d.nilm.Step(to)
	}
	st := d.srv.Stats()
	for ; d.rejected < st.AssociationsRejected; d.rejected++ {
		d.m.Record(eventlog.AssociationFailed)
	}
	for ; d.replays < st.Replays; d.replays++ {
		d.m.Record(eventlog.ReplayRejected)
	}
	return nil
}
