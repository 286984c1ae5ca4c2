package sim_test

import (
	"bytes"
	"context"
	"math"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/store"
)

// tee is a PushDial that delivers every push connection to the head-end's
// listener and keeps what each carried.
type tee struct {
	addr func() net.Addr
	mu   sync.Mutex
	sent []*bytes.Buffer
}

func (d *tee) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var dialer net.Dialer
	c, err := dialer.DialContext(ctx, network, d.addr().String())
	if err != nil {
		return nil, err
	}
	buf := new(bytes.Buffer)
	d.mu.Lock()
	d.sent = append(d.sent, buf)
	d.mu.Unlock()
	return teeConn{c, buf, &d.mu}, nil
}

// all returns everything every connection carried, in dial order.
func (d *tee) all() []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []byte
	for _, b := range d.sent {
		out = append(out, b.Bytes()...)
	}
	return out
}

type teeConn struct {
	net.Conn
	buf *bytes.Buffer
	mu  *sync.Mutex
}

func (c teeConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.buf.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// A waveform home whose NILM module pushes its appliance events to a real
// head-end push listener: each event arrives as it happened, the
// meterdata.ApplianceLog reading of its appliance, direction and power
// step at the time the module logged it; the same pushes sent again are
// refused as replays and publish nothing; and the head-end's later read
// of the module's event log publishes the very same readings, which a
// store keeps once (store.Merge: unchanged).
func TestWaveformHomePushesApplianceEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	apps, key := builtInHome(t)
	// Between the quarter hours: the module's are the only pushes.
	start := time.Date(2024, 6, 3, 6, 3, 0, 0, time.UTC)
	tmpl := sim.Template()
	tmpl.NILM = config.NILM{Enabled: true, PublicKey: key}
	d := &tee{}
	f, err := sim.New(sim.Config{Meters: 1, Waveform: 1, Appliances: apps, Template: &tmpl, Start: start, Seed: 2,
		Habits: busy, PushTo: "hes:4060", PushDial: d.dial})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	reg := prometheus.NewRegistry()
	h, entries, rec := headEnd(t, ctx, f, &push.Config{Listen: "127.0.0.1:0", Linger: time.Millisecond}, reg)
	d.addr = h.PushAddr
	rec.mu.Lock()
	rec.published = make(chan struct{}, 64)
	rec.mu.Unlock()
	// waitAppliance waits until the recorder holds n appliance readings.
	waitAppliance := func(n int) []store.Reading {
		t.Helper()
		for {
			rec.mu.Lock()
			got := append([]store.Reading(nil), rec.appliance...)
			rec.mu.Unlock()
			if len(got) >= n {
				return got
			}
			select {
			case <-rec.published:
			case <-ctx.Done():
				t.Fatalf("%d appliance readings published, waiting for %d", len(got), n)
			}
		}
	}

	f.AdvanceTo(start.Add(time.Minute))
	mod := f.NILM(0).Events()
	if len(mod) < 3 {
		t.Fatalf("the module logged %d events in a busy minute", len(mod))
	}
	t.Logf("%d appliance events in a minute", len(mod))
	pushed := waitAppliance(len(mod))
	if len(pushed) != len(mod) {
		t.Fatalf("%d appliance readings pushed for %d events", len(pushed), len(mod))
	}
	m := f.Meter(0)
	id := pushed[0].Meter
	for i, e := range mod {
		at, q, err := profile.DateTimeMillis(axdr.OctetString(m.DateTimeOf(m.MeterTime(e.At)).Append(nil)))
		if err != nil {
			t.Fatal(err)
		}
		want := store.Reading{Meter: id, Channel: meterdata.ApplianceLog, Time: at + int64(e.Phase) - 1, Quality: q, Value: meterdata.ApplianceEvent{
			Appliance: e.Appliance, On: e.On, DeltaW: int32(math.Round(e.DeltaW)), Confidence: uint16(math.Round(e.Confidence * 1000)), Phase: uint8(e.Phase)}.Value()}
		if pushed[i] != want {
			t.Errorf("event %d (%s on=%v %+.0f W at %s): pushed %v, want %v", i, e.Label, e.On, e.DeltaW, e.At.Format(time.StampMilli), pushed[i], want)
		}
	}

	// Every push again, then one the meter never sent (its counter far
	// ahead), all on one connection: the listener takes them in order, so
	// once the last one's readings are out the replays were refused.
	ahead := dlms.NewMemoryCounters()
	if err := ahead.Raise("push", 1<<30); err != nil {
		t.Fatal(err)
	}
	keys := f.Registry()[0].Keys
	sealer, err := push.NewSealer([8]byte(objects.SystemTitle(entries[0].Serial)), keys.EK, keys.AK, ahead)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := sealer.AppendDataPush(nil, push.DefaultLayout(), 1, start.Add(15*time.Minute), []int64{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", h.PushAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(append(d.all(), fresh...)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	for {
		if n, _ := rec.count(); n >= len(mod)+4 {
			break
		}
		select {
		case <-rec.published:
		case <-ctx.Done():
			t.Fatal("the fresh push after the replays was not published")
		}
	}
	if n := rejected(t, reg, push.ReasonReplay); n != float64(len(mod)) {
		t.Errorf("%v pushes refused as replays, want the %d sent again", n, len(mod))
	}
	if got := waitAppliance(0); len(got) != len(mod) {
		t.Errorf("%d appliance readings after the replays, want %d", len(got), len(mod))
	}

	// The scheduled read of the event log finds the same events: the same
	// readings, which the store keeps once.
	res, _ := readAppliances(t, ctx, h, rec, entries[0].Serial)
	all := waitAppliance(2 * len(mod))
	if res.Events != len(mod) || len(all) != 2*len(mod) {
		t.Fatalf("read %d events, %d appliance readings in all; want %d and %d", res.Events, len(all), len(mod), 2*len(mod))
	}
	for i, p := range pushed {
		if r := all[len(mod)+i]; r != p {
			t.Errorf("event %d: read %v, pushed %v", i, r, p)
		} else if _, o := store.Merge(p, r); o != store.Unchanged {
			t.Errorf("event %d: the read merges into the pushed reading as %v", i, o)
		}
	}
}
