package device_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	hespush "github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// headEnd is a real head-end push listener (hes/push) over TCP and UDP
// that knows one meter, publishing to a recorder.
type headEnd struct {
	l   *hespush.Listener
	reg *prometheus.Registry
	rec *published
}

// meterResolver knows the meters by system title.
type meterResolver map[[8]byte]hespush.Meter

func (r meterResolver) ResolveTitle(_ context.Context, t [8]byte) (hespush.Meter, bool, error) {
	m, ok := r[t]
	return m, ok, nil
}

// published is a Publisher keeping the readings and events of the
// batches it was given.
type published struct {
	mu       sync.Mutex
	readings []store.Reading
	events   []meterdata.Event
	got      chan struct{}
}

func (p *published) PublishMsg(_ context.Context, m bus.Message) error {
	members, err := meterdata.SplitBatch(m.Data, nil)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range members {
		if meterdata.IsReadings(b) {
			var x meterdata.Readings
			if err := meterdata.DecodeReadings(b, &x); err != nil {
				return err
			}
			p.readings = append(p.readings, x.Readings...)
			continue
		}
		var x meterdata.Events
		if err := meterdata.DecodeEvents(b, &x); err != nil {
			return err
		}
		p.events = append(p.events, x.Events...)
	}
	select {
	case p.got <- struct{}{}:
	default: // a wake-up is pending already
	}
	return nil
}

// wait waits until readings and events have been published and returns
// them; more is an error.
func (p *published) wait(t *testing.T, readings, events int) ([]store.Reading, []meterdata.Event) {
	t.Helper()
	timeout := time.After(time.Minute) // a deadlock guard, not a timing assertion
	for {
		p.mu.Lock()
		rs, es := append([]store.Reading(nil), p.readings...), append([]meterdata.Event(nil), p.events...)
		p.mu.Unlock()
		if len(rs) >= readings && len(es) >= events {
			if len(rs) != readings || len(es) != events {
				t.Fatalf("%d readings and %d events published, want %d and %d", len(rs), len(es), readings, events)
			}
			return rs, es
		}
		select {
		case <-p.got:
		case <-timeout:
			t.Fatalf("%d readings and %d events published, waiting for %d and %d", len(rs), len(es), readings, events)
		}
	}
}

// startHeadEnd listens for the pushes of the meters with serials (IDs 42,
// 43, …), all with keys ek, ak, decoding them with layouts.
func startHeadEnd(t *testing.T, ek, ak []byte, layouts []hespush.Layout, serials ...string) *headEnd {
	t.Helper()
	meters := meterResolver{}
	for i, serial := range serials {
		meters[[8]byte(objects.SystemTitle(serial))] = hespush.Meter{ID: store.MeterID(42 + i), Serial: serial, EK: ek, AK: ak}
	}
	reg := prometheus.NewRegistry()
	rec := &published{got: make(chan struct{}, 64)}
	l, err := hespush.New(hespush.Config{Listen: "127.0.0.1:0", UDP: "127.0.0.1:0", StateDir: t.TempDir(), Layouts: layouts,
		Resolver: meters, Publisher: rec, Metrics: hespush.NewMetrics(reg), Linger: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	serveInBackground(t, "push listener", l.Serve)
	return &headEnd{l: l, reg: reg, rec: rec}
}

// counted reads how many pushes the listener refused for reason.
func (h *headEnd) counted(t *testing.T, reason string) float64 {
	t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if mf.GetName() == "amigo_hes_pushes_rejected_total" && l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// tap relays TCP connections to a destination, one at a time, and keeps
// each connection's bytes: what a meter sent, for the test to send again.
type tap struct {
	ln     net.Listener
	frames chan []byte
}

func newTap(t *testing.T, to string) *tap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tp := &tap{ln: ln, frames: make(chan []byte, 16)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			// Hang up on the meter only once the head-end has read what it
			// sent, as the head-end itself does.
			b, _ := io.ReadAll(c)
			if out, err := net.Dial("tcp", to); err == nil {
				out.Write(b)
				out.(*net.TCPConn).CloseWrite()
				io.Copy(io.Discard, out)
				out.Close()
			}
			c.Close()
			tp.frames <- b
		}
	}()
	return tp
}

// layoutOf is the head-end's layout of a push setup of the meter's
// configuration: its object list, named by the setup.
func layoutOf(f config.File, name cosem.OBIS) hespush.Layout {
	l := hespush.Layout{Name: name}
	for _, p := range f.Meter.Push {
		if cosem.OBIS(p.Setup.Name) != name {
			continue
		}
		for _, o := range p.Setup.Objects {
			l.Elements = append(l.Elements, hespush.Element{Object: cosem.CaptureObject{Class: cosem.ClassID(o.Class), Name: cosem.OBIS(o.Name), Attribute: o.Attr}})
		}
	}
	return l
}

// pushMeterTOML is a meter with the head-end's default push (at a quarter
// past each hour, over TCP), +A over UDP at half past, and a last gasp.
const pushMeterTOML = `serial = "0000000042"
[[push]]
name = "0.0.25.9.0.255"
destination = %[1]q
objects = ["40/0.0.25.9.0.255/1", "8/0.0.1.0.0.255/2", "3/1.0.1.8.0.255/2", "3/1.0.2.8.0.255/2", "3/1.0.3.8.0.255/2", "3/1.0.4.8.0.255/2"]
schedule = ["*-*-* *:15"]
[[push]]
name = "0.0.25.9.3.255"
destination = %[2]q
transport = "udp"
objects = ["40/0.0.25.9.3.255/1", "8/0.0.1.0.0.255/2", "3/1.0.1.8.0.255/2"]
schedule = ["*-*-* *:30"]
[[push]]
name = "0.0.25.9.1.255"
destination = %[1]q
objects = ["40/0.0.25.9.1.255/1", "8/0.0.1.0.0.255/2", "1/0.0.96.11.0.255/2"]
last_gasp = true
`

// TestPushesReachTheHeadEndSealed runs a software meter pushing to the
// head-end's push listener: the interval push over the TCP wrapper and
// over UDP, and the last gasp when the power fails, each sealed with the
// meter's keys and push counter, opened, decoded and published; a push
// sent again is refused as a replay. The counter persists: after a
// restart the meter's pushes are still accepted.
func TestPushesReachTheHeadEndSealed(t *testing.T) {
	demo := config.Demo().Security
	// The layouts come from the meter's configuration (any destinations).
	f, err := config.Parse("layouts.toml", fmt.Appendf(nil, pushMeterTOML, "127.0.0.1:1", "127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	layouts := []hespush.Layout{layoutOf(f, cosem.OBIS{0, 0, 25, 9, 3, 255}), layoutOf(f, cosem.OBIS{0, 0, 25, 9, 1, 255})}
	he := startHeadEnd(t, demo.EncryptionKey, demo.AuthenticationKey, layouts, "0000000042", "0000000043")
	tp := newTap(t, he.l.Addr().String())
	if f, err = config.Parse("meter.toml", fmt.Appendf(nil, pushMeterTOML, tp.ln.Addr(), he.l.UDPAddr())); err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	r := startFile(t, f, "constant:1000", state)
	// One push at a time: a head-end takes a meter's counters only
	// increasing, and a push through the tap can be overtaken.
	r.run(16 * time.Minute) // the 06:15 push over TCP
	rs, _ := he.rec.wait(t, 4, 0)
	r.run(15 * time.Minute) // the 06:30 push over UDP
	rs, _ = he.rec.wait(t, 5, 0)
	// 1000 W is 250 Wh a quarter hour.
	quarter := monday6.Add(15 * time.Minute).UnixMilli()
	half := monday6.Add(30 * time.Minute).UnixMilli()
	want := []store.Reading{
		{Meter: 42, Channel: store.ActiveImport, Time: quarter, Value: 250},
		{Meter: 42, Channel: store.ActiveExport, Time: quarter},
		{Meter: 42, Channel: store.ReactiveImport, Time: quarter},
		{Meter: 42, Channel: store.ReactiveExport, Time: quarter},
		{Meter: 42, Channel: store.ActiveImport, Time: half, Value: 500},
	}
	if !slices.Equal(rs, want) {
		t.Fatalf("readings\n%+v\nwant\n%+v", rs, want)
	}
	// The TCP push as the meter sent it, once more, then another meter's
	// push on the same connection (handled in order): once the other's
	// readings are out, the replay has been refused.
	other, err := hespush.NewSealer([8]byte(objects.SystemTitle("0000000043")), demo.EncryptionKey, demo.AuthenticationKey, dlms.NewMemoryCounters())
	if err != nil {
		t.Fatal(err)
	}
	next, err := other.AppendDataPush(nil, hespush.DefaultLayout(), 1, monday6, []int64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", he.l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Write(append(<-tp.frames, next...))
	c.Close()
	he.rec.wait(t, 9, 0)
	if n := he.counted(t, hespush.ReasonReplay); n != 1 {
		t.Fatalf("%v pushes refused as replays, want 1", n)
	}
	// The power fails: the last gasp carries the power down.
	r.d.Meter().PowerDown(r.d.Now())
	_, es := he.rec.wait(t, 9, 1)
	if len(es) != 1 || es[0].Code != meterdata.Code(eventlog.PowerDown) || es[0].Time != half+60_000 {
		t.Fatalf("events %+v, want the power down at 06:31", es)
	}
	<-tp.frames // the last gasp went through the tap

	// Restarted on its state, the meter pushes above the counters it
	// used before: the head-end keeps accepting.
	r.stop()
	r2 := startFile(t, f, "constant:1000", state)
	r2.run(45 * time.Minute) // 07:16, past the 07:15 push
	he.rec.wait(t, 13, 1)
	r2.run(15 * time.Minute) // 07:30 over UDP
	he.rec.wait(t, 14, 1)
	<-tp.frames
	if n := he.counted(t, hespush.ReasonReplay); n != 1 {
		t.Errorf("%v pushes refused as replays after the restart, want the one replayed", n)
	}
	for _, reason := range []string{hespush.ReasonAuth, hespush.ReasonBody, hespush.ReasonPlain, hespush.ReasonUnknown, hespush.ReasonPolicy} {
		if n := he.counted(t, reason); n != 0 {
			t.Errorf("%v pushes refused as %s", n, reason)
		}
	}
}
