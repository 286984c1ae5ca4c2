package hes

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/hestest"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// recorder is a Publisher that keeps messages, once per ID as the bus does.
type recorder struct {
	mu   sync.Mutex
	ids  map[string]bool
	msgs []bus.Message
}

func (r *recorder) PublishMsg(_ context.Context, m bus.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ids == nil {
		r.ids = map[string]bool{}
	}
	if m.ID != "" && r.ids[m.ID] {
		return nil
	}
	r.ids[m.ID] = true
	m.Data = bytes.Clone(m.Data)
	r.msgs = append(r.msgs, m)
	return nil
}

// readings decodes every readings message published.
func (r *recorder) readings(t *testing.T) []store.Reading {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []store.Reading
	for _, m := range r.msgs {
		if len(m.Data) == 0 || !meterdata.IsReadings(m.Data) {
			continue
		}
		var x meterdata.Readings
		if err := meterdata.DecodeReadings(m.Data, &x); err != nil {
			t.Fatal(err)
		}
		out = append(out, x.Readings...)
	}
	return out
}

// rig is a head-end over an in-memory fleet, without a bus.
type rig struct {
	t      *testing.T
	db     *meta.DB
	fleet  *hestest.Fleet
	meters []*hestest.Meter
	addrs  []string
	rec    *recorder
	h      *HeadEnd
	stop   context.CancelFunc
	done   chan error
}

type rigOptions struct {
	meters    int
	group     string
	start     time.Time // profile start; now when zero
	cfg       Config
	wrongKeys map[int]bool
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, db: db, fleet: hestest.NewFleet(), rec: &recorder{}}
	if o.group == "" {
		o.group = "feeder-1"
	}
	for i := range o.meters {
		cfg := hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: time.Now, ProfileStart: o.start}
		m, err := hestest.NewMeter(cfg)
		if err != nil {
			t.Fatal(err)
		}
		r.meters = append(r.meters, m)
		r.addrs = append(r.addrs, fmt.Sprintf("m%d:4059", i+1))
	}
	if err := hestest.Register(ctx, db, o.group, r.meters, r.addrs); err != nil {
		t.Fatal(err)
	}
	for i := range o.wrongKeys {
		k := []byte("another-key-0123")
		m, _ := hestest.NewMeter(hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: time.Now, EK: k, AK: k, KEK: k, ProfileStart: o.start})
		r.meters[i] = m
	}
	for i, m := range r.meters {
		r.fleet.Add(r.addrs[i], m)
	}
	cfg := o.cfg
	cfg.Meta, cfg.Publisher, cfg.Dial = db, r.rec, r.fleet.Dial
	if cfg.Conn.Retry.Attempts == 0 {
		cfg.Conn.Retry = conn.Retry{Attempts: 3, Base: 10 * time.Second, Max: time.Minute, Jitter: -1}
	}
	if r.h, err = New(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	r.stop, r.done = cancel, make(chan error, 1)
	go func() { r.done <- r.h.Run(runCtx) }()
	return r
}

// close stops the head-end and frees everything (inside the bubble).
func (r *rig) close() {
	r.stop()
	if err := <-r.done; err != nil {
		r.t.Error(err)
	}
	r.fleet.Close()
	for _, m := range r.meters {
		m.Close()
	}
	r.db.Close()
}

// run submits a job and waits for its end.
func (r *rig) run(req Request) Job {
	r.t.Helper()
	id, err := r.h.Submit(context.Background(), req)
	if err != nil {
		r.t.Fatal(err)
	}
	j, err := r.h.Wait(context.Background(), id, time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	return j
}

func sendPush(t *testing.T, addr string, frames ...[]byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, f := range frames {
		if _, err := c.Write(f); err != nil {
			t.Fatal(err)
		}
	}
}
