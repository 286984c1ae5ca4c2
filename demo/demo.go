package demo

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/ami"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/store/meta"
)

// Config is what `amigo demo` takes; every field has a default.
type Config struct {
	// Meters is the fleet's size (200 when 0).
	Meters int
	// Waveform is how many of them run the real metrology core on a
	// household's appliance waveforms (2 when 0, none when negative).
	Waveform int
	// HTTP is the console's and API's address (127.0.0.1:8080 when "").
	HTTP string
	// Speed is simulated seconds per wall second (60 when 0).
	Speed float64
	// Data is the AMI's data directory, kept after Close; it must be new
	// or empty. A temporary one, removed by Close, when "".
	Data string
	// SharedData holds the AMPds and PLAID data the fleet's loads come
	// from; synthetic loads without it.
	SharedData string
	// Seed chooses the fleet (1 when 0).
	Seed uint64
	// Start is the simulated time the fleet starts at (now when zero).
	Start time.Time
	// Logger receives every part's logs; discarded when nil.
	Logger *slog.Logger
}

// TariffName is the demo's residential tariff, which every meter is on:
// the fleet template's two rates (peak 07:00–21:00 on weekdays) with a
// three-step ladder on the monthly energy and a daily standing charge.
const (
	TariffName = "residential"
	tariffJSON = `{"zone": "UTC", "minor_digits": 2,
 "periods": [{"name": "peak", "price": "0.20"}, {"name": "offpeak", "price": "0.12"}],
 "seasons": [{"from": "01-01", "days": {
   "weekday": [{"at": "00:00", "period": "offpeak"}, {"at": "07:00", "period": "peak"}, {"at": "21:00", "period": "offpeak"}],
   "saturday": [{"at": "00:00", "period": "offpeak"}]}}],
 "ladder": [{"up_to_kwh": 200}, {"up_to_kwh": 400, "adder": "0.05"}, {"adder": "0.30"}],
 "standing": {"per_day": "0.10"}}`
)

// WaveformGroup is the registry group of the waveform meters, whose NILM
// module the head-end reads.
const WaveformGroup = "nilm-homes"

// Demo is the running demo: a fleet and the AMI reading it.
type Demo struct {
	cfg   Config
	log   *slog.Logger
	fleet *sim.Fleet
	sys   *ami.System
	temp  string // the data directory Open made, removed by Close
	once  sync.Once
	err   error
}

// Open builds the fleet and the AMI, imports the fleet into the head-end
// and starts the console listening.
func Open(ctx context.Context, cfg Config) (_ *Demo, err error) {
	cfg.Meters = cmp.Or(cfg.Meters, 200)
	cfg.Waveform = min(max(cmp.Or(cfg.Waveform, 2), 0), cfg.Meters)
	cfg.HTTP = cmp.Or(cfg.HTTP, "127.0.0.1:8080")
	cfg.Speed = cmp.Or(cfg.Speed, 60)
	cfg.Seed = cmp.Or(cfg.Seed, 1)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Demo{cfg: cfg, log: cfg.Logger}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
		}
	}()
	if cfg.Data != "" {
		// A fleet starts afresh: counters from 1 (its pushes would be
		// refused as replays), registers from 0, time from now.
		if ents, _ := os.ReadDir(cfg.Data); len(ents) > 0 {
			return nil, fmt.Errorf("demo: %s is not empty: a new simulated fleet cannot continue a previous one's data "+
				"(its counters and registers start afresh); give a new directory, or open this one with amigo serve", cfg.Data)
		}
	}
	if cfg.Data == "" {
		if d.temp, err = os.MkdirTemp("", "amigo-demo-"); err != nil {
			return nil, err
		}
		cfg.Data, d.cfg.Data = d.temp, d.temp
	}

	// The fleet's firmware key, and an image signed with it for campaigns.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	imageDir := filepath.Join(cfg.Data, "images")
	if err := writeImage(imageDir, key); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	tmpl := sim.Template()
	tmpl.Security.FirmwareKey = &key.PublicKey
	tmpl.Meter.Firmware.PublicKey = &key.PublicKey // what the meter verifies with
	if cfg.Waveform > 0 {
		var trained bool
		if tmpl.NILM, trained, err = nilmModule(cfg.SharedData); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		d.log.Info("NILM module on the waveform homes", "library", trained)
	}

	// The fleet first: the AMI runs on its clock. Its pushes name the
	// template's destination; they are delivered to wherever the push
	// listener is.
	d.fleet, err = sim.New(sim.Config{Meters: cfg.Meters, Seed: cfg.Seed, Start: cfg.Start, Speed: cfg.Speed,
		PushTo: "127.0.0.1:4060", PushDial: d.dialPush, Waveform: cfg.Waveform, DataDir: cfg.SharedData, Template: &tmpl,
		Group: "residential", Tariff: TariffName, Logger: d.log.With("part", "sim")})
	if err != nil {
		return nil, fmt.Errorf("demo: fleet: %w", err)
	}
	opts := ami.Options{Logger: d.log, Clock: d.fleet.Clock(), Dial: d.dialMeter}
	if cfg.Waveform > 0 {
		opts.Schedules = nilmSchedules()
	}
	d.sys, err = ami.Open(ctx, d.amiConfig(imageDir), opts)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := d.importFleet(ctx); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	return d, nil
}

// amiConfig is `amigo serve` with everything embedded, on the demo's
// directory and address.
func (d *Demo) amiConfig(imageDir string) ami.Config {
	c := ami.Config{Data: d.cfg.Data, Zone: "UTC"}
	c.HES.ImageDir = imageDir
	c.Web.Listen = d.cfg.HTTP
	c.HES.PushListen = "127.0.0.1:0"
	c.MDM.BillEvery = ami.Duration(time.Hour) // the running month's draft bills, hourly
	// A job's lease guards against a dead node, a wall-clock matter: ten
	// minutes of wall time, not of the fast simulated clock the head-end
	// runs on (at ×900 a 10-minute lease would lapse under a busy job).
	c.HES.JobLease = ami.Duration(time.Duration(float64(10*time.Minute) * d.cfg.Speed))
	return c
}

// nilmSchedules read the waveform homes' NILM appliance events and their
// power quality every quarter hour, besides the head-end's default
// schedules.
func nilmSchedules() []hes.Schedule {
	return []hes.Schedule{
		{Name: "appliances-15min", Spec: "@every 15m", Kind: hes.ReadAppliances, Group: WaveformGroup, Jitter: 5 * time.Minute},
		{Name: "power-quality-15min", Spec: "@every 15m", Kind: hes.ReadPowerQuality, Group: WaveformGroup, Jitter: 5 * time.Minute},
	}
}

// importFleet creates the tariff (once) and imports the fleet's registry
// export, the waveform meters in their own group.
func (d *Demo) importFleet(ctx context.Context) error {
	db := d.sys.Meta()
	tariffs, err := db.Tariffs(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(tariffs, func(t meta.Tariff) bool { return t.Name == TariffName }) {
		if _, err := db.CreateTariff(ctx, meta.Tariff{Name: TariffName, Currency: "EUR", Definition: []byte(tariffJSON)}); err != nil {
			return fmt.Errorf("tariff: %w", err)
		}
	}
	entries := d.fleet.Registry()
	for k := range d.cfg.Waveform {
		entries[k].Group = WaveformGroup
	}
	var buf bytes.Buffer
	if err := sim.WriteTOML(&buf, entries); err != nil {
		return err
	}
	parsed, keys, err := registry.ParseTOML("fleet", &buf)
	if err != nil {
		return err
	}
	res, err := registry.Import(ctx, db, "amigo demo", parsed, keys)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	// The head-end indexed the registry when it opened.
	if err := d.sys.HeadEnd().Registry().Reload(ctx); err != nil {
		return err
	}
	d.log.Info("fleet imported", "meters", len(entries), "created", res.Created, "updated", res.Updated)
	return nil
}

// URL is the console's address.
func (d *Demo) URL() string { return "http://" + d.sys.WebAddr().String() }

// DataDir is the AMI's data directory.
func (d *Demo) DataDir() string { return d.cfg.Data }

// System is the AMI.
func (d *Demo) System() *ami.System { return d.sys }

// Fleet is the simulated meters.
func (d *Demo) Fleet() *sim.Fleet { return d.fleet }

// AdminToken issues a token of the admin user for the console.
func (d *Demo) AdminToken(ctx context.Context, ttl time.Duration) (string, error) {
	return d.sys.AdminToken(ctx, "amigo demo", ttl, false)
}

// Run runs the fleet and the AMI until ctx ends or one of them fails, then
// closes everything.
func (d *Demo) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var sysErr, fleetErr error
	wg.Go(func() {
		defer cancel()
		sysErr = d.sys.Run(ctx)
	})
	wg.Go(func() {
		defer cancel()
		fleetErr = d.fleet.Run(ctx)
	})
	// The first readings and every meter's supply and credit at once,
	// not at the schedules' first turn.
	for _, k := range []hes.Kind{hes.ReadRegisters, hes.ReadStatus} {
		if _, err := d.sys.HeadEnd().Submit(ctx, hes.Request{Kind: k, Group: hes.AllMeters, Actor: "amigo demo"}); err != nil {
			d.log.Warn("demo: first read not submitted", "kind", k, "err", err)
		}
	}
	wg.Wait()
	return errors.Join(sysErr, fleetErr, d.Close())
}

// Close stops the AMI, then the fleet, and removes a temporary data
// directory.
func (d *Demo) Close() error {
	d.once.Do(func() {
		if d.sys != nil {
			d.err = d.sys.Close()
		}
		if d.fleet != nil {
			d.err = errors.Join(d.err, d.fleet.Close())
		}
		if d.temp != "" {
			d.err = errors.Join(d.err, os.RemoveAll(d.temp))
		}
	})
	return d.err
}

// dialMeter reaches a meter of the fleet in memory.
func (d *Demo) dialMeter(ctx context.Context, a registry.Address) (dlms.Transport, error) {
	c, err := d.fleet.DialMeter(ctx, a.HostPort)
	if err != nil {
		return nil, err
	}
	return wrapper.NewClient(c, wrapper.Config{Client: a.Client})
}

// dialPush delivers a meter's push to the head-end's listener.
func (d *Demo) dialPush(ctx context.Context, network, _ string) (net.Conn, error) {
	if d.sys == nil {
		return nil, errors.New("demo: the head-end is not open yet")
	}
	addr := d.sys.PushAddr()
	if addr == nil {
		return nil, errors.New("demo: the head-end has no push listener")
	}
	var dialer net.Dialer
	return dialer.DialContext(ctx, network, addr.String())
}
