package sim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/sim/fault"
)

var (
	logicalDeviceName = cosem.Ref{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 42, 0, 0, 255}, ID: 2}
	activeImport      = cosem.Ref{Class: cosem.ClassRegister, Name: cosem.OBIS{1, 0, 1, 8, 0, 255}, ID: 2}
)

// management associates as the management client (HLS-GMAC, demo keys),
// with the invocation counters in ctr (a meter refuses a counter it has
// seen: a head-end keeps them across associations).
func management(ctx context.Context, t dlms.Transport, ctr security.CounterStore) (*dlms.Client, error) {
	sec := Template().Security
	c, err := dlms.NewClient(t, dlms.ClientConfig{Client: 1, Mechanism: apdu.MechanismHighGMAC,
		EncryptionKey: sec.EncryptionKey, AuthenticationKey: sec.AuthenticationKey, SystemTitle: sec.ClientTitle, Counters: ctr})
	if err != nil {
		return nil, err
	}
	if err := c.Associate(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// freePort finds a port free on addr's host.
func freePort(t *testing.T, host string) int {
	t.Helper()
	ln, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Skipf("cannot bind %s here: %v", host, err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Each meter listens on its own loopback address and answers as itself:
// its logical device name, and (HLS-GMAC) its energy, brought up to the
// clock before the answer. An unreachable meter's socket closes at once.
func TestMetersListenOnTheirOwnAddresses(t *testing.T) {
	port := freePort(t, "127.201.0.1")
	const meters = 40
	f, err := New(Config{Meters: meters, Start: t0, Addresses: fmt.Sprintf("127.201.0.0/24:%d", port), Listen: true, Load: "constant:3600"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if st := f.Stats(); st.Listening != meters {
		t.Fatalf("%d sockets for %d meters", st.Listening, meters)
	}
	// Half an hour passes without anyone stepping meter 7: the read
	// catches it up.
	f.clock.Set(t0.Add(30 * time.Minute))
	for _, k := range []int{0, 7, meters - 1} {
		addr := fmt.Sprintf("127.201.0.%d:%d", k+1, port)
		c, err := dlms.Dial(ctx, addr, dlms.ClientConfig{Client: 16})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Associate(ctx); err != nil {
			t.Fatal(err)
		}
		v, err := c.Get(ctx, logicalDeviceName, nil)
		c.Close()
		if want := fmt.Sprintf("AMG%010d", k+1); err != nil || len(v) != 1 || string(v[0].Bytes) != want {
			t.Fatalf("%s: logical device name %v (%v), want %s", addr, v, err, want)
		}
		wt, err := wrapper.Dial(ctx, addr, wrapper.Config{Client: 1})
		if err != nil {
			t.Fatal(err)
		}
		mc, err := management(ctx, wt, nil)
		if err != nil {
			t.Fatal(err)
		}
		e, err := mc.Get(ctx, activeImport, nil)
		mc.Close()
		if wh, _ := e[0].Uint(); err != nil || wh != 1800 {
			t.Fatalf("%s: +A %v (%v), want 1800 Wh after half an hour at 3.6 kW", addr, e, err)
		}
	}
	f.units[3].offline.Store(true)
	c, err := dlms.Dial(ctx, fmt.Sprintf("127.201.0.4:%d", port), dlms.ClientConfig{Client: 16})
	if err == nil {
		err = c.Associate(ctx)
		c.Close()
	}
	if err == nil {
		t.Fatal("an offline meter answered")
	}
	if st := f.Stats(); st.Refused != 1 || st.Connections != 6 {
		t.Fatalf("stats %+v", st)
	}
}

// In memory, a lost answer is a client timeout and a corrupted one fails
// its GCM check; the frames the meters send are lost and corrupted at the
// configured rates.
func TestReadsThroughFrameFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		spec, _ := fault.Parse("loss=0.2,corrupt=0.05")
		f, err := New(Config{Meters: 10, Start: t0, Seed: 9, Faults: spec})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var ok, failed int
		for _, e := range f.Registry() {
			ctr := security.NewMemoryCounters()
			for range 20 {
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
				nc, err := f.DialMeter(ctx, e.Address)
				if err != nil {
					t.Fatal(err)
				}
				wt, _ := wrapper.NewClient(nc, wrapper.Config{Client: 1})
				c, err := management(ctx, wt, ctr)
				if err == nil {
					_, err = c.Get(ctx, activeImport, nil)
					c.Close()
				} else {
					wt.Close()
				}
				cancel()
				if err != nil {
					failed++
				} else {
					ok++
				}
			}
		}
		st := f.Stats()
		lost := float64(st.Dropped) / float64(st.Frames)
		bad := float64(st.Corrupted) / float64(st.Frames)
		// Three answers per read (AARE, HLS, GET), each lost or corrupted:
		// (1 − 0.25)³ ≈ 42 % of reads succeed.
		if lost < 0.15 || lost > 0.25 || bad < 0.025 || bad > 0.08 || ok < 50 || failed < 80 {
			t.Fatalf("%d reads ok, %d failed; %d frames, %.3f lost, %.3f corrupted", ok, failed, st.Frames, lost, bad)
		}
		if _, err := f.DialMeter(t.Context(), "10.0.0.1:4059"); !errors.Is(err, ErrNoMeter) {
			t.Fatalf("dialing no meter: %v", err)
		}
	})
}
