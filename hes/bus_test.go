package hes

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/hes/hestest"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// TestJobsAndPushesOverTheBus runs two head-end nodes on a real embedded
// bus: jobs submitted on one (and published raw by another producer) are
// run through the JOBS work queue, and a push to one node's listener
// arrives on READINGS.
func TestJobsAndPushesOverTheBus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	b, err := bus.Open(ctx, bus.Config{StateDir: filepath.Join(dir, "bus")})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	db, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fleet := hestest.NewFleet()
	defer fleet.Close()
	var meters []*hestest.Meter
	var addrs []string
	for i := range 2 {
		m, err := hestest.NewMeter(hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: time.Now})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		meters, addrs = append(meters, m), append(addrs, fmt.Sprintf("m%d:4059", i+1))
		fleet.Add(addrs[i], m)
	}
	if err := hestest.Register(ctx, db, "g", meters, addrs); err != nil {
		t.Fatal(err)
	}
	var nodes []*HeadEnd
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 2)
	for i := range 2 {
		cfg := Config{Meta: db, Bus: b, Dial: fleet.Dial, Node: fmt.Sprintf("hes-%d", i+1), Workers: 2, StateDir: filepath.Join(dir, fmt.Sprint(i))}
		if i == 0 {
			cfg.Push = &push.Config{Listen: "127.0.0.1:0", Linger: time.Millisecond}
		}
		h, err := New(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, h)
		go func() { done <- h.Run(runCtx) }()
	}
	defer func() {
		stop()
		for range nodes {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}()

	id, err := nodes[1].Submit(ctx, Request{Kind: Disconnect, Meter: "00000001", Actor: "web"})
	if err != nil {
		t.Fatal(err)
	}
	if j, err := nodes[0].Wait(ctx, id, 10*time.Millisecond); err != nil || j.State != meta.JobDone || meters[0].Connected() {
		t.Fatalf("disconnect over the bus: %+v %v", j, err)
	}
	raw, _ := json.Marshal(map[string]any{"kind": "credit-top-up", "meter": "00000002", "params": map[string]int{"amount": 42}, "actor": "billing"})
	if err := b.Publish(ctx, bus.JobsSubject("00000002"), "billing-1", raw); err != nil {
		t.Fatal(err)
	}
	for meters[1].CreditAmount() != 42 {
		if ctx.Err() != nil {
			t.Fatal("the raw job request never ran")
		}
		js, _ := nodes[0].Jobs(ctx, JobFilter{Kind: CreditTopUp})
		if len(js) == 1 && js[0].State == meta.JobFailed {
			t.Fatalf("credit job failed: %s", js[0].Result)
		}
		if len(js) == 1 {
			nodes[0].Wait(ctx, js[0].ID, 10*time.Millisecond)
		}
	}

	// A push to node 1 comes out on READINGS as a batch.
	s, err := push.NewSealer(meters[0].SystemTitle(), cosemtest.DemoEncryptionKey, cosemtest.DemoAuthenticationKey, security.NewMemoryCounters())
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 5, 1, 10, 15, 0, 0, time.UTC)
	frame, err := s.AppendDataPush(nil, push.DefaultLayout(), 1, at, []int64{111, 222, 333, 444})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan []store.Reading, 1)
	cctx, ccancel := context.WithCancel(ctx)
	defer ccancel()
	go b.Consume(cctx, bus.StreamReadings, "test", func(_ context.Context, d *bus.Delivery) error {
		if !bus.IsBatchSubject(d.Subject) {
			return nil
		}
		members, err := meterdata.SplitBatch(d.Data, nil)
		if err != nil {
			return errors.Join(bus.ErrPermanent, err)
		}
		var r meterdata.Readings
		if err := meterdata.DecodeReadings(members[0], &r); err != nil {
			return err
		}
		got <- r.Readings
		return nil
	}, bus.FilterSubject("amigo.readings.batch.>"))
	sendPush(t, nodes[0].PushAddr().String(), frame)
	select {
	case rs := <-got:
		if len(rs) != 4 || rs[0] != (store.Reading{Meter: 1, Channel: store.ActiveImport, Time: at.UnixMilli(), Value: 111}) {
			t.Errorf("pushed readings %v", rs)
		}
	case <-ctx.Done():
		t.Fatal("no push batch on the bus")
	}
}
