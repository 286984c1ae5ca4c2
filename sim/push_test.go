package sim

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/sim/fault"
)

// received is one push a test head-end opened.
type received struct {
	title [8]byte
	setup [6]byte // the body's first element: the push setup's name
	body  []axdr.Value
}

// headEnd is a push listener for tests: it opens pushes with each meter's
// demo keys, refusing replays, as the real one does.
type headEnd struct {
	mu      sync.Mutex
	ctr     *dlms.MemoryCounters
	pushes  []received
	refused []error
	wg      sync.WaitGroup
}

func newHeadEnd() *headEnd { return &headEnd{ctr: dlms.NewMemoryCounters()} }

// dial is Config.PushDial: a pipe whose far end the head-end reads.
func (h *headEnd) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if addr != "hes.test:4060" {
		return nil, errors.New("no head-end at " + addr)
	}
	meterEnd, hesEnd := net.Pipe()
	h.wg.Go(func() { h.serve(hesEnd) })
	return meterEnd, nil
}

func (h *headEnd) serve(c net.Conn) {
	defer c.Close()
	t, _ := wrapper.NewServer(c, wrapper.Config{})
	for {
		apdu, err := t.ReadAPDU(context.Background())
		if err != nil {
			return
		}
		h.open(apdu)
	}
}

func (h *headEnd) open(apdu []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	refuse := func(err error) { h.refused = append(h.refused, err) }
	var ca dlms.CipheredAPDU
	if err := ca.Decode(apdu); err != nil || len(ca.SystemTitle) != 8 {
		refuse(errors.Join(errors.New("not general-glo-ciphering"), err))
		return
	}
	tmpl := Template()
	sec, err := dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: tmpl.Security.EncryptionKey, AuthenticationKey: tmpl.Security.AuthenticationKey,
		LocalTitle: push.HeadEndTitle[:], PeerTitle: ca.SystemTitle, Policy: dlms.SecurityAuthenticatedEncryption, Counters: h.ctr,
		SendKey: "unused", ReceiveKey: string(ca.SystemTitle)})
	if err != nil {
		refuse(err)
		return
	}
	plain, err := sec.OpenAPDU(nil, &ca)
	if err != nil {
		refuse(err)
		return
	}
	a, err := dlms.Decode(plain)
	n, ok := a.(*dlms.DataNotification)
	if err != nil || !ok || len(n.Body) < 2 || n.Body[0].Tag != axdr.TagStructure || len(n.Body[1].Bytes) != 6 {
		refuse(errors.Join(errors.New("not a data notification of a push setup"), err))
		return
	}
	r := received{setup: [6]byte(n.Body[1].Bytes), body: n.Body}
	copy(r.title[:], ca.SystemTitle)
	h.pushes = append(h.pushes, r)
}

// Push-only meters dial the head-end, push and hang up: every quarter hour
// each meter's registers in the head-end's default layout, and its last
// gasp as the power fails; the counters never go back.
func TestPushOnlyDelivers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHeadEnd()
		spec, _ := fault.Parse("outage=3%@30m")
		const meters = 20
		f, err := New(Config{Meters: meters, Start: t0, Seed: 2, PushOnly: true, PushTo: "hes.test:4060", PushDial: h.dial,
			Faults: spec, FastStep: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.DialMeter(t.Context(), f.Registry()[0].Address); !errors.Is(err, ErrNoMeter) {
			t.Fatalf("dialing a push-only meter: %v", err)
		}
		end := t0.Add(24*time.Hour + 5*time.Minute)
		for at := t0; !at.After(end); at = at.Add(5 * time.Minute) {
			f.AdvanceTo(at)
			synctest.Wait()
		}
		st := f.Stats()
		if len(h.refused) != 0 {
			t.Fatalf("%d pushes refused: %v", len(h.refused), h.refused[0])
		}
		if int(st.Pushes) != len(h.pushes) || st.PushesFailed != 0 {
			t.Fatalf("%d pushes sent (%d failed), %d received", st.Pushes, st.PushesFailed, len(h.pushes))
		}
		var interval, gasps int
		for _, p := range h.pushes {
			switch p.setup {
			case [6]byte{0, 0, 25, 9, 0, 255}:
				interval++
				if len(p.body) < 7 || p.body[0].N != 6 {
					t.Fatalf("interval push %v", p.body)
				}
			case [6]byte{0, 0, 25, 9, 1, 255}:
				gasps++
				if code, _ := p.body[3].Uint(); len(p.body) != 4 || code != uint64(eventlog.PowerDown) {
					t.Fatalf("last gasp with event code %d", code)
				}
			default:
				t.Fatalf("push of setup %v", p.setup)
			}
		}
		if gasps != int(st.Outages) || st.Outages == 0 {
			t.Fatalf("%d last gasps for %d outages", gasps, st.Outages)
		}
		// A quarter hour each, but not while the power is off.
		if interval > meters*24*4 || interval < meters*24*4*9/10 {
			t.Fatalf("%d interval pushes from %d meters in a day", interval, meters)
		}
	})
}

// Lost frames never arrive, corrupted ones fail the head-end's tag check:
// what opens is exactly what was sent neither lost nor corrupted.
func TestPushFrameFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHeadEnd()
		spec, _ := fault.Parse("loss=0.3,corrupt=0.1")
		f, err := New(Config{Meters: 20, Start: t0, Seed: 4, PushTo: "hes.test:4060", PushDial: h.dial, Faults: spec, FastStep: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for at := t0; !at.After(t0.Add(6 * time.Hour)); at = at.Add(5 * time.Minute) {
			f.AdvanceTo(at)
			synctest.Wait()
		}
		st := f.Stats()
		if st.Frames != st.Pushes || st.Dropped == 0 || st.Corrupted == 0 {
			t.Fatalf("stats %+v", st)
		}
		if got, want := len(h.pushes), int(st.Pushes-st.Dropped-st.Corrupted); got != want {
			t.Fatalf("%d pushes opened, want %d (%+v)", got, want, st)
		}
		if len(h.refused) != int(st.Corrupted) {
			t.Fatalf("%d refused for %d corrupted", len(h.refused), st.Corrupted)
		}
	})
}
