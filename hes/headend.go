package hes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/hes/schedule"
	"github.com/amigo-ami/amigo/store/meta"
)

// HeadEnd is the head-end component (see the package doc).
type HeadEnd struct {
	cfg   Config
	log   *slog.Logger
	db    *meta.DB
	reg   *registry.Index
	conn  *conn.Manager
	push  *push.Listener
	marks Watermarks
	locks *bus.KV // schedule firing locks across nodes; nil without a bus
	m     *metrics
	local chan int64 // jobs to run in this process (no bus)

	colMu   sync.Mutex
	columns map[columnKey][]cosem.CaptureObject // capture objects of meters' profiles
}

// New builds a head-end: it loads the registry, prepares the connection
// manager and, if configured, opens the push listener's sockets. Run
// starts the work.
func New(ctx context.Context, cfg Config) (*HeadEnd, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	h := &HeadEnd{cfg: cfg, log: cfg.Logger, db: cfg.Meta, m: newMetrics(cfg.Metrics), local: make(chan int64, 4096),
		columns: map[columnKey][]cosem.CaptureObject{}}
	if h.reg, err = registry.Open(ctx, cfg.Meta); err != nil {
		return nil, err
	}
	for _, s := range cfg.Schedules {
		if err := s.validate(); err != nil {
			return nil, err
		}
	}
	cc := cfg.Conn
	cc.Registry, cc.ClientTitle, cc.Dial, cc.Clock, cc.Logger, cc.OnAssociation = h.reg, cfg.ClientTitle, cfg.Dial, cfg.Clock, cfg.Logger, h.m.onAssociation
	h.marks = newMemWatermarks()
	if cfg.Bus != nil {
		counters, err := cfg.Bus.KeyValue(ctx, "amigo_hes_counters", 0)
		if err != nil {
			return nil, err
		}
		marks, err := cfg.Bus.KeyValue(ctx, "amigo_hes_watermarks", 0)
		if err != nil {
			return nil, err
		}
		if h.locks, err = cfg.Bus.KeyValue(ctx, "amigo_hes_schedule", 24*time.Hour); err != nil {
			return nil, err
		}
		cc.Counters, h.marks = conn.NewKVCounters(counters), kvWatermarks{marks}
	}
	if h.conn, err = conn.New(cc); err != nil {
		return nil, err
	}
	if cfg.Push != nil {
		pc := *cfg.Push
		pc.Resolver, pc.Publisher, pc.StateDir, pc.Origin, pc.Logger = titleResolver{h}, cfg.Publisher, cfg.StateDir, cfg.Node, cfg.Logger
		pc.Metrics = push.NewMetrics(cfg.Metrics)
		if h.push, err = push.New(pc); err != nil {
			h.conn.Close()
			return nil, err
		}
	}
	return h, nil
}

// Registry is the meter registry the head-end uses (Reload it after an
// import).
func (h *HeadEnd) Registry() *registry.Index { return h.reg }

// PushAddr is the push listener's TCP address (nil without one);
// PushUDPAddr its UDP address.
func (h *HeadEnd) PushAddr() net.Addr {
	if h.push == nil {
		return nil
	}
	return h.push.Addr()
}

// PushUDPAddr is the push listener's UDP address, nil without one.
func (h *HeadEnd) PushUDPAddr() net.Addr {
	if h.push == nil {
		return nil
	}
	return h.push.UDPAddr()
}

// Run works until ctx ends: job workers (consuming the bus JOBS queue, or
// the in-process queue), the schedules and the push listener. It returns
// once everything has stopped (the push listener's last batch published).
func (h *HeadEnd) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 2+h.cfg.Workers)
	start := func(f func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(ctx); err != nil && ctx.Err() == nil {
				errc <- err
				cancel()
			}
		}()
	}
	if h.push != nil {
		start(h.push.Serve)
	}
	for range h.cfg.Workers {
		start(h.work)
	}
	for _, s := range h.cfg.Schedules {
		start(func(ctx context.Context) error { return h.runSchedule(ctx, s) })
	}
	if h.cfg.Bus == nil {
		start(h.resume)
	}
	start(h.reclaim)
	<-ctx.Done()
	wg.Wait()
	close(errc)
	var err error
	for e := range errc {
		err = errors.Join(err, e)
	}
	return errors.Join(err, h.conn.Close())
}

// work is one job worker: a consumer instance of the JOBS queue, or a
// reader of the local queue.
func (h *HeadEnd) work(ctx context.Context) error {
	if h.cfg.Bus != nil {
		return h.cfg.Bus.Consume(ctx, bus.StreamJobs, "hes", h.consumeJob,
			bus.Prefetch(1), bus.AckWait(h.cfg.JobLease), bus.MaxDeliver(3))
	}
	for {
		select {
		case id := <-h.local:
			if err := h.runJob(ctx, id); err != nil && ctx.Err() == nil {
				h.log.Error("hes: job", "job", id, "err", err)
			}
		case <-ctx.Done():
			return nil
		}
	}
}

// consumeJob runs a job taken from the JOBS queue: a job id, or a request
// from another producer, which is recorded first.
func (h *HeadEnd) consumeJob(ctx context.Context, d *bus.Delivery) error {
	var q queued
	if err := json.Unmarshal(d.Data, &q); err != nil {
		return fmt.Errorf("%w: job message: %v", bus.ErrPermanent, err)
	}
	id := q.Job
	if id == 0 {
		j, err := h.createJob(ctx, Request{Kind: q.Kind, Meter: q.Meter, Group: q.Group, Params: q.Params, Actor: q.Actor})
		if errors.Is(err, ErrBadRequest) {
			return fmt.Errorf("%w: %v", bus.ErrPermanent, err)
		}
		if err != nil {
			return err
		}
		id = j.ID
	}
	return h.runJob(ctx, id)
}

// resume queues the jobs this process left queued or running (no bus: the
// in-process queue does not survive a restart, the store does).
func (h *HeadEnd) resume(ctx context.Context) error {
	for _, state := range []meta.JobState{meta.JobRunning, meta.JobQueued} {
		js, err := h.db.Jobs(ctx, meta.JobFilter{State: state})
		if err != nil {
			return err
		}
		sort.Slice(js, func(a, b int) bool { return js[a].ID < js[b].ID })
		for _, j := range js {
			select {
			case h.local <- j.ID:
			case <-ctx.Done():
				return nil
			}
		}
	}
	return nil
}

// reclaim runs again, every half lease, the jobs whose lease ran out: their
// node died (a bus redelivery of such a job may already have been
// answered by a node that saw the lease still live).
func (h *HeadEnd) reclaim(ctx context.Context) error {
	for {
		select {
		case <-h.cfg.Clock.After(h.cfg.JobLease / 2):
		case <-ctx.Done():
			return nil
		}
		js, err := h.db.Jobs(ctx, meta.JobFilter{State: meta.JobRunning})
		if err != nil {
			h.log.Warn("hes: listing running jobs", "err", err)
			continue
		}
		now := h.cfg.Clock.Now()
		for _, j := range js {
			if j.LeaseUntil.Before(now) {
				go func() {
					if err := h.runJob(ctx, j.ID); err != nil && ctx.Err() == nil {
						h.log.Error("hes: reclaimed job", "job", j.ID, "err", err)
					}
				}()
			}
		}
	}
}

// execute runs job j's kind on its meter, or on its group.
func (h *HeadEnd) execute(ctx context.Context, j Job) (any, error) {
	spec := kinds[j.Kind]
	if j.Meter != "" {
		m, ok := h.reg.BySerial(j.Meter)
		if !ok {
			return nil, conn.Permanent(fmt.Errorf("meter %s: %w", j.Meter, registry.ErrUnknownMeter))
		}
		return h.onMeter(ctx, spec, j, m)
	}
	meters := h.groupMeters(j.Group)
	if spec.group != nil {
		return spec.group(ctx, h, j, meters)
	}
	return h.fanOut(ctx, j, meters, func(ctx context.Context, m registry.Meter) (any, error) { return h.onMeter(ctx, spec, j, m) })
}

// Outcome is how one operation on one meter ended (Config.OnOutcome).
type Outcome struct {
	Meter  registry.Meter
	Job    int64
	Kind   Kind
	At     time.Time // on the head-end's clock
	Result any       // the kind's result (ReadResult, SupplyResult, StatusResult, …); nil on failure
	Err    error     // nil on success; conn.Reason names the failure
}

// onMeter runs kind spec on meter m for job j and tells Config.OnOutcome
// how it ended. An operation cut short because the head-end is stopping
// is not an outcome of the meter's.
func (h *HeadEnd) onMeter(ctx context.Context, spec kindSpec, j Job, m registry.Meter) (any, error) {
	res, err := spec.meter(ctx, h, j, m)
	if h.cfg.OnOutcome != nil && ctx.Err() == nil {
		o := Outcome{Meter: m, Job: j.ID, Kind: j.Kind, At: h.cfg.Clock.Now(), Err: err}
		if err == nil {
			o.Result = res
		}
		h.cfg.OnOutcome(o)
	}
	return res, err
}

// GroupResult is the result of a meter job run over a group.
type GroupResult struct {
	Meters  int            `json:"meters"`
	OK      int            `json:"ok"`
	Failed  map[string]int `json:"failed,omitempty"`  // by reason
	Failing []string       `json:"failing,omitempty"` // the first 100 meters that failed
}

// fanOut runs one on every meter of a group (bounded by the connection
// manager), each at its jitter offset, recording progress.
func (h *HeadEnd) fanOut(ctx context.Context, j Job, meters []registry.Meter, one func(context.Context, registry.Meter) (any, error)) (GroupResult, error) {
	res := GroupResult{Meters: len(meters), Failed: map[string]int{}}
	done := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	last := h.cfg.Clock.Now()
	for _, m := range meters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if off := schedule.Offset(string(j.Kind)+"/"+j.Group, m.Serial, j.Jitter); off > 0 {
				select {
				case <-h.cfg.Clock.After(off):
				case <-ctx.Done():
					return
				}
			}
			_, err := one(ctx, m)
			mu.Lock()
			defer mu.Unlock()
			done++
			if err != nil {
				res.Failed[conn.Reason(err)]++
				if len(res.Failing) < 100 {
					res.Failing = append(res.Failing, m.Serial)
				}
			} else {
				res.OK++
			}
			if now := h.cfg.Clock.Now(); now.Sub(last) >= time.Second {
				last = now
				h.progress(ctx, j.ID, Progress{Total: len(meters), Done: res.OK, Failed: done - res.OK})
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return res, err
	}
	sort.Strings(res.Failing)
	if res.OK == 0 && len(meters) > 0 {
		return res, fmt.Errorf("every meter of group %s failed", j.Group)
	}
	return res, nil
}
