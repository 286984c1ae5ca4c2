package ami

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/clock"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/mdm/analytics"
	"github.com/amigo-ami/amigo/mdm/billing"
	"github.com/amigo-ami/amigo/mdm/ingest"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/clickhouse"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
	"github.com/amigo-ami/amigo/web"
)

// Options are what a configuration file does not say: how the process
// tells time and reaches meters, where it logs and counts.
type Options struct {
	// Logger receives every component's logs; nil discards.
	Logger *slog.Logger
	// Clock is the system's time: the head-end's schedules, the
	// metadata's timestamps, the API's "now". clock.Real when nil; the
	// demo passes its fleet's simulated clock.
	Clock clock.Clock
	// Wall is the wall clock for what must not speed up with a simulated
	// clock (cache ages, polling); time.Now when nil.
	Wall func() time.Time
	// Dial opens transports to meters (TCP when nil).
	Dial conn.Dialer
	// PushLayouts decode pushes besides the head-end's default layout.
	PushLayouts []push.Layout
	// Registry collects every component's metrics and /metrics serves it;
	// a new one when nil.
	Registry *prometheus.Registry
	// Schedules run on the head-end besides the configured ones (or
	// DefaultSchedules): what a program embedding the system adds.
	Schedules []hes.Schedule
	// DraftEvery recomputes draft bills of the running cycle this often
	// on the system's clock (the configuration's mdm.bill_every when 0).
	DraftEvery time.Duration
}

// System is the AMI of one process: the roles of its configuration over
// one bus, readings store and metadata store (ARCHITECTURE §1, §10).
type System struct {
	cfg  Config
	opts Options
	log  *slog.Logger
	now  func() time.Time

	bus    *bus.Bus
	store  store.Store
	meta   *meta.DB
	status *statusBook
	hub    *web.Hub
	head   *hes.HeadEnd     // the head-end (run with the hes role; without it, only to submit jobs)
	ingest *ingest.Consumer // nil without the mdm role
	runner *mdmRunner       // nil without the mdm role
	web    *web.Server      // nil without the web role
	ann    *announcer       // nil without the web role
	closes []func() error   // in the order they must run
	once   sync.Once
	closed error
}

// Open opens what cfg asks for — bus, stores, head-end, MDM, web server
// (listening already) — and imports the configured registry. Run starts
// the work; Close releases everything without running (Run closes too).
func Open(ctx context.Context, cfg Config, opts Options) (_ *System, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Wall == nil {
		opts.Wall = time.Now
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.DraftEvery == 0 {
		opts.DraftEvery = time.Duration(cfg.MDM.BillEvery)
	}
	s := &System{cfg: cfg, opts: opts, log: opts.Logger, now: opts.Clock.Now, hub: web.NewHub(web.HubConfig{})}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.Close())
		}
	}()
	data := cfg.dataDir()
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	if err := s.openStores(ctx, data); err != nil {
		return nil, err
	}
	if s.status, err = newStatusBook(ctx, s.bus, s.now, opts.Wall, s.hub, s.log); err != nil {
		return nil, err
	}
	if cfg.HES.Registry != "" && cfg.has(RoleHES) {
		res, err := registry.ImportFile(ctx, s.meta, "amigo serve", cfg.HES.Registry)
		if err != nil {
			return nil, err
		}
		s.log.Info("registry imported", "file", cfg.HES.Registry, "result", fmt.Sprintf("%+v", res))
	}
	if err := s.openHeadEnd(ctx, data); err != nil {
		return nil, err
	}
	if cfg.has(RoleMDM) {
		if err := s.openMDM(); err != nil {
			return nil, err
		}
	}
	if cfg.has(RoleWeb) {
		if err := s.openWeb(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// openStores opens the bus, the readings store and the metadata store.
func (s *System) openStores(ctx context.Context, data string) error {
	var err error
	s.bus, err = bus.Open(ctx, bus.Config{URLs: s.cfg.Bus.URLs, StateDir: filepath.Join(data, "bus"), Listen: s.cfg.Bus.Listen,
		Name: "amigo", Replicas: s.cfg.Bus.Replicas, Logger: s.log.With("part", "bus")})
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	s.closes = append(s.closes, s.bus.Close)
	engine, where, _ := readingsEngine(s.cfg.Store.Readings)
	switch engine {
	case "clickhouse":
		ch, err := clickhouse.Open(ctx, clickhouse.Config{URL: where, Logger: s.log.With("part", "store")})
		if err != nil {
			return fmt.Errorf("readings store: %w", err)
		}
		s.store = ch
	default:
		if where == "" {
			where = filepath.Join(data, "readings")
		}
		st, err := pebble.Open(ctx, where, pebble.Options{Logger: s.log.With("part", "store")})
		if err != nil {
			return fmt.Errorf("readings store %s: %w", where, err)
		}
		s.store = st
	}
	s.closes = append([]func() error{s.store.Close}, s.closes...)
	u := s.cfg.Store.Meta
	if u == "" {
		u = "sqlite:" + filepath.Join(data, "meta.db")
	}
	md, err := meta.Open(ctx, u, meta.Config{Logger: s.log.With("part", "meta"), Now: s.now})
	if err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	s.meta = md
	s.closes = append([]func() error{md.Close}, s.closes...)
	return nil
}

// openHeadEnd builds the head-end: run with the hes role, and used by the
// web role to submit jobs (onto the bus's JOBS queue, for whichever
// head-end node takes them).
func (s *System) openHeadEnd(ctx context.Context, data string) error {
	c := s.cfg.HES
	hc := hes.Config{Meta: s.meta, Bus: s.bus, Node: c.Node, StateDir: filepath.Join(data, "hes"), Dial: s.opts.Dial,
		Workers: c.Workers, InitialBackfill: time.Duration(c.InitialBackfill), ImageDir: c.ImageDir, JobLease: time.Duration(c.JobLease), Clock: s.opts.Clock,
		OnOutcome: s.status.Outcome, Logger: s.log.With("part", "hes"),
		Conn: conn.Config{MaxConns: c.MaxConns, Timeout: time.Duration(c.Timeout)}}
	if s.cfg.has(RoleHES) {
		hc.Metrics = s.opts.Registry
		hc.Schedules = DefaultSchedules()
		if len(c.Schedules) > 0 {
			hc.Schedules = hc.Schedules[:0]
			for _, sc := range c.Schedules {
				hs, err := sc.schedule(s.cfg.location())
				if err != nil {
					return err
				}
				hc.Schedules = append(hc.Schedules, hs)
			}
		}
		hc.Schedules = append(hc.Schedules, s.opts.Schedules...)
		if c.PushListen != "-" {
			hc.Push = &push.Config{Listen: c.PushListen, UDP: c.PushUDP, Layouts: s.opts.PushLayouts}
		}
	}
	var err error
	if s.head, err = hes.New(ctx, hc); err != nil {
		return fmt.Errorf("head-end: %w", err)
	}
	return nil
}

// openMDM builds the ingest consumer and the recurring MDM work.
func (s *System) openMDM() error {
	tapped := tappedStore{Store: s.store, status: s.status, hub: s.hub, now: s.now}
	var err error
	s.ingest, err = ingest.New(ingest.Config{Store: tapped, Bus: s.bus, Alarms: s.meta, Batch: s.cfg.MDM.IngestBatch,
		Workers: s.cfg.MDM.IngestWorkers, Logger: s.log.With("part", "ingest"), Now: s.now})
	if err != nil {
		return err
	}
	biller, err := billing.NewBiller(billing.Config{Readings: s.store, Records: s.meta, Status: meta.BillIssued, Logger: s.log.With("part", "billing")})
	if err != nil {
		return err
	}
	s.runner = &mdmRunner{store: s.store, meta: s.meta, biller: biller, clock: s.opts.Clock, loc: s.cfg.location(),
		draftEvery: max(s.opts.DraftEvery, 0), log: s.log.With("part", "mdm")}
	if s.cfg.MDM.CheckLoadCurves == nil || *s.cfg.MDM.CheckLoadCurves {
		s.runner.curves = analytics.NewLoadCurve(s.store, analytics.LoadCurveConfig{Location: s.cfg.location(), Alarms: s.meta, Logger: s.log.With("part", "analytics")})
	}
	return nil
}

// openWeb builds the API over the adapters and listens.
func (s *System) openWeb() error {
	j := jobs{head: s.head, meta: s.meta, tokenKey: s.cfg.Prepay.TokenKey}
	var err error
	s.web, err = web.New(web.Config{
		Listen: s.cfg.Web.Listen, Logger: s.log.With("part", "web"), Now: s.now, Registry: s.opts.Registry, Hub: s.hub,
		Auth: s.meta, Audit: s.meta, Users: s.meta, Alarms: s.meta, Bills: s.meta, Readings: s.store,
		Fleet:    fleet{meta: s.meta, status: s.status},
		Commands: &commands{head: s.head, meta: s.meta, status: s.status, tokenKey: s.cfg.Prepay.TokenKey, now: s.now, lastToken: map[string]uint32{}},
		Jobs:     j, Campaigns: j,
		Events:       events{store: s.store, meta: s.meta, now: s.now},
		PowerQuality: powerQuality{head: s.head, meta: s.meta, now: s.now},
		NILM:         nilm{meta: s.meta, store: s.store, status: s.status},
		Analytics:    analyticsView{store: s.store, meta: s.meta, status: s.status, ingest: s.ingest, now: s.now},
	})
	if err != nil {
		return err
	}
	s.ann = &announcer{meta: s.meta, head: s.head, jobs: j, status: s.status, hub: s.hub, every: 500 * time.Millisecond, log: s.log}
	return nil
}

// DefaultSchedules are the head-end's schedules unless configured:
// hes.DefaultSchedules and an hourly status read (supply state and
// credit, which the console shows).
func DefaultSchedules() []hes.Schedule {
	return append(hes.DefaultSchedules(), hes.Schedule{Name: "status-hourly", Spec: "@every 1h", Kind: hes.ReadStatus, Jitter: 30 * time.Minute})
}

// WebAddr is the API's address (nil without the web role).
func (s *System) WebAddr() net.Addr {
	if s.web == nil {
		return nil
	}
	return s.web.Addr()
}

// PushAddr is the push listener's TCP address (nil without one).
func (s *System) PushAddr() net.Addr { return s.head.PushAddr() }

// Meta is the metadata store.
func (s *System) Meta() *meta.DB { return s.meta }

// Store is the readings store.
func (s *System) Store() store.Store { return s.store }

// HeadEnd is the head-end.
func (s *System) HeadEnd() *hes.HeadEnd { return s.head }

// Run works until ctx ends, then stops the parts in order — the API (no
// new commands), the head-end (its last push batch published), the MDM
// (its last batch stored), the announcer — and closes the stores and the
// bus, so the data directory is consistent when it returns. A part that
// fails stops the others the same way and its error is returned.
func (s *System) Run(ctx context.Context) error {
	type part struct {
		name string
		run  func(context.Context) error
	}
	var parts []part // in stopping order
	if s.web != nil {
		parts = append(parts, part{"web", s.web.Serve})
	}
	if s.cfg.has(RoleHES) {
		parts = append(parts, part{"hes", s.head.Run})
	}
	if s.ingest != nil {
		parts = append(parts, part{"ingest", s.ingest.Run}, part{"mdm", s.runner.run})
	}
	if s.ann != nil {
		parts = append(parts, part{"live", s.ann.run})
	}
	failed := make(chan struct{})
	var failOnce sync.Once
	errs := make([]error, len(parts))
	stops := make([]context.CancelFunc, len(parts))
	dones := make([]chan struct{}, len(parts))
	for i, p := range parts {
		pctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		stops[i], dones[i] = stop, make(chan struct{})
		go func() {
			defer close(dones[i])
			if err := p.run(pctx); err != nil && pctx.Err() == nil {
				errs[i] = fmt.Errorf("%s: %w", p.name, err)
				failOnce.Do(func() { close(failed) })
			}
		}()
	}
	select {
	case <-ctx.Done():
	case <-failed:
	}
	for i, p := range parts {
		stops[i]()
		<-dones[i]
		s.log.Debug("stopped", "part", p.name)
	}
	return errors.Join(errors.Join(errs...), s.Close())
}

// Close releases the stores and the bus (after Run, or instead of it).
func (s *System) Close() error {
	s.once.Do(func() {
		for _, c := range s.closes {
			s.closed = errors.Join(s.closed, c())
		}
	})
	return s.closed
}

var _ io.Closer = (*System)(nil)
