package sim_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/store/meta"
)

// capture is a PushDial that keeps what each push connection carried
// instead of delivering it: the test delivers it itself.
type capture chan []byte

func (c capture) dial(context.Context, string, string) (net.Conn, error) {
	meterEnd, far := net.Pipe()
	go func() {
		b, _ := io.ReadAll(far)
		c <- b
	}()
	return meterEnd, nil
}

// rejected reads the head-end's count of pushes refused for reason.
func rejected(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "amigo_hes_pushes_rejected_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// The fleet's pushes are what the head-end's push listener takes: the
// interval push in its default layout, the last gasp in the event layout,
// both opened with the meter's keys; a push sent again is refused as a
// replay and publishes nothing.
func TestPushesToTheHeadEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	c := make(capture, 8)
	f, err := sim.New(sim.Config{Meters: 3, Start: start, PushOnly: true, PushTo: "hes:4060", PushDial: c.dial, FastStep: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.AdvanceTo(start.Add(17 * time.Minute)) // the 00:15 pushes (randomised up to 2 min)
	frames := [][]byte{<-c, <-c, <-c}
	f.Meter(0).PowerDown(start.Add(18 * time.Minute))
	gasp := <-c

	db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var toml bytes.Buffer
	sim.WriteTOML(&toml, f.Registry())
	entries, keys, err := registry.ParseTOML("fleet.toml", &toml)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := registry.Import(ctx, db, "test", entries, keys); err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	rec.published = make(chan struct{}, 16)
	reg := prometheus.NewRegistry()
	h, err := hes.New(ctx, hes.Config{Meta: db, Publisher: rec, StateDir: t.TempDir(), Metrics: reg,
		Push: &push.Config{Listen: "127.0.0.1:0", Linger: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- h.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	send := func(frames ...[]byte) {
		t.Helper()
		conn, err := net.Dial("tcp", h.PushAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		for _, fr := range frames {
			if _, err := conn.Write(fr); err != nil {
				t.Fatal(err)
			}
		}
		conn.Close()
	}
	// waitFor waits until the recorder holds readings and events.
	waitFor := func(readings, events int) {
		t.Helper()
		for {
			if r, e := rec.count(); r >= readings && e >= events {
				if r != readings || e != events {
					t.Fatalf("%d readings and %d events, want %d and %d", r, e, readings, events)
				}
				return
			}
			select {
			case <-rec.published:
			case <-ctx.Done():
				r, e := rec.count()
				t.Fatalf("%d readings and %d events published, waiting for %d and %d", r, e, readings, events)
			}
		}
	}
	// Meter 1's interval push: the clock and four registers.
	send(frames[0])
	waitFor(4, 0)
	// Sent again, then the other meters' on the same connection (handled
	// in order): the replay is refused, the others published.
	send(frames[0], frames[1], frames[2])
	waitFor(12, 0)
	if n := rejected(t, reg, push.ReasonReplay); n != 1 {
		t.Fatalf("%v pushes refused as replays", n)
	}
	// The last gasp carries the power down.
	send(gasp)
	waitFor(12, 1)
	if rec.events[meterdata.Code(eventlog.PowerDown)] != 1 {
		t.Fatalf("events %v", rec.events)
	}
	if n := rejected(t, reg, push.ReasonBody); n != 0 {
		t.Fatalf("%v pushes refused for their body", n)
	}
}

// The CSV export imports as it is, key sets aside (they come from the
// TOML export or exist already).
func TestRegistryCSVImports(t *testing.T) {
	f, err := sim.New(sim.Config{Meters: 5, HDLC: true, Group: "north", Addresses: "127.0.0.1:20000"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var csv bytes.Buffer
	if err := sim.WriteCSV(&csv, f.Registry()); err != nil {
		t.Fatal(err)
	}
	entries, err := registry.ParseCSV("fleet.csv", &csv)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		want := registry.Address{HostPort: fmt.Sprintf("127.0.0.1:%d", 20000+i), HDLC: true, Client: registry.ClientManagement,
			SystemTitle: registry.DefaultSystemTitle(e.Serial), Network: "127.0.0.1"}
		if e.Address != want || e.KeysRef != sim.KeySetName || e.Group != "north" || e.Serial != f.Registry()[i].Serial {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
}
