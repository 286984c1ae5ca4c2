package conn

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/hes/hestest"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/store/meta"
)

// rig is a fleet of in-memory meters registered in a fresh registry.
type rig struct {
	fleet  *hestest.Fleet
	meters []*hestest.Meter
	index  *registry.Index
}

// newRig builds n meters; keys[i], when given, are meter i's own keys
// (the registry keeps the demo keys for all).
func newRig(t *testing.T, n int, keys map[int][]byte) *rig {
	t.Helper()
	ctx := context.Background()
	db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r := &rig{fleet: hestest.NewFleet()}
	t.Cleanup(r.fleet.Close)
	var addrs []string
	for i := range n {
		cfg := hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: time.Now}
		m, err := hestest.NewMeter(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		addr := fmt.Sprintf("m%d:4059", i+1)
		r.fleet.Add(addr, m)
		r.meters = append(r.meters, m)
		addrs = append(addrs, addr)
	}
	if err := hestest.Register(ctx, db, "g", r.meters, addrs); err != nil {
		t.Fatal(err)
	}
	if r.index, err = registry.Open(ctx, db); err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		// The meter gets other keys than the registry has.
		wrong, _ := hestest.NewMeter(hestest.Config{Serial: fmt.Sprintf("%08d", i+1), Now: time.Now, EK: k, AK: k, KEK: k})
		r.fleet.Add(addrs[i], wrong)
		r.meters[i] = wrong
	}
	return r
}

func (r *rig) manager(t *testing.T, cfg Config) *Manager {
	t.Helper()
	cfg.Registry, cfg.ClientTitle, cfg.Dial = r.index, cosemtest.DemoClientTitle, r.fleet.Dial
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func (r *rig) meter(t *testing.T, i int) registry.Meter {
	m, ok := r.index.BySerial(fmt.Sprintf("%08d", i+1))
	if !ok {
		t.Fatalf("meter %d not registered", i+1)
	}
	return m
}

var energyImport = cosem.Ref{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, ID: 2}

func readEnergy(ctx context.Context, s *Session) error {
	_, err := s.Client.Get(ctx, energyImport, nil)
	return err
}

func TestRetryBackoffUnderSynctest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 1, nil)
		m := r.manager(t, Config{Retry: Retry{Attempts: 4, Base: time.Second, Max: 3 * time.Second, Jitter: -1}})
		r.fleet.SetOffline("m1:4059", true)
		start := time.Now()
		err := m.Do(t.Context(), r.meter(t, 0), readEnergy)
		if !errors.Is(err, ErrUnreachable) || Reason(err) != "unreachable" {
			t.Fatalf("offline meter: %v (reason %q)", err, Reason(err))
		}
		// Waits of 1 s, 2 s and 3 s (capped) between four attempts.
		if got := time.Since(start); got != 6*time.Second {
			t.Errorf("gave up after %v, want 6s", got)
		}
		if d := r.fleet.Dials("m1:4059"); d != 4 {
			t.Errorf("%d dials, want 4", d)
		}
	})
}

func TestRetryJitterStaysInBounds(t *testing.T) {
	r := Retry{Attempts: 5, Base: time.Second, Max: time.Minute, Jitter: 0.2}
	for k, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		lo, hi := r.Delay(k+1, 0), r.Delay(k+1, 0.999999)
		if lo != time.Duration(float64(want)*0.8) || hi < time.Duration(float64(want)*1.19) || hi > time.Duration(float64(want)*1.2) {
			t.Errorf("attempt %d: delays %v…%v around %v", k+1, lo, hi, want)
		}
	}
	if d := r.Delay(20, 0.5); d != time.Minute {
		t.Errorf("attempt 20 waits %v, want the 1 min cap", d)
	}
}

func TestRecoversAfterOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 1, nil)
		m := r.manager(t, Config{Retry: Retry{Attempts: 3, Base: 10 * time.Second, Jitter: -1}})
		r.fleet.SetOffline("m1:4059", true)
		time.AfterFunc(15*time.Second, func() { r.fleet.SetOffline("m1:4059", false) })
		if err := m.Do(t.Context(), r.meter(t, 0), readEnergy); err != nil {
			t.Fatalf("meter back after 15 s, third attempt at 30 s: %v", err)
		}
	})
}

func TestWrongKeyReportedNotRetried(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		other := []byte("0123456789abcdef")
		r := newRig(t, 1, map[int][]byte{0: other})
		m := r.manager(t, Config{Retry: Retry{Attempts: 5, Base: time.Second, Jitter: -1}})
		start := time.Now()
		err := m.Do(t.Context(), r.meter(t, 0), readEnergy)
		if !errors.Is(err, ErrWrongKey) || Reason(err) != "wrong-key" {
			t.Fatalf("wrong key: %v (reason %q)", err, Reason(err))
		}
		// One association, one public read of the counter, one more
		// association: then it gives up, without backoff.
		if d := r.fleet.Dials("m1:4059"); d != 3 {
			t.Errorf("%d dials, want 3", d)
		}
		if time.Since(start) != 0 {
			t.Errorf("waited %v before giving up", time.Since(start))
		}
	})
}

func TestInvocationCounterResync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 1, nil)
		first := r.manager(t, Config{})
		for range 3 {
			if err := first.Do(t.Context(), r.meter(t, 0), readEnergy); err != nil {
				t.Fatal(err)
			}
		}
		// A head-end that lost its counters starts from 1 again; the
		// meter refuses, the counter is read and raised, and it works.
		second := r.manager(t, Config{})
		if err := second.Do(t.Context(), r.meter(t, 0), readEnergy); err != nil {
			t.Fatalf("after losing counters: %v", err)
		}
		if st := r.meters[0].Stats(); st.AssociationsRejected != 1 {
			t.Errorf("%d associations refused, want 1 (before the resync)", st.AssociationsRejected)
		}
	})
}

func TestAssociationReuse(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 1, nil)
		m := r.manager(t, Config{Idle: time.Minute})
		for range 3 {
			if err := m.Do(t.Context(), r.meter(t, 0), readEnergy); err != nil {
				t.Fatal(err)
			}
		}
		if d := r.fleet.Dials("m1:4059"); d != 1 {
			t.Errorf("%d dials for three reads within the idle time, want 1", d)
		}
		time.Sleep(2 * time.Minute) // fake time: the idle association expires
		if err := m.Do(t.Context(), r.meter(t, 0), readEnergy); err != nil {
			t.Fatal(err)
		}
		if d := r.fleet.Dials("m1:4059"); d != 2 {
			t.Errorf("%d dials after the idle expiry, want 2", d)
		}
	})
}

func TestConcurrencyBounds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, 6, nil)
		m := r.manager(t, Config{MaxConns: 2})
		var running, peak atomic.Int32
		var perMeter [6]atomic.Int32
		var wg sync.WaitGroup
		for i := range 6 {
			for range 2 { // two jobs per meter: they must not overlap
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := m.Do(t.Context(), r.meter(t, i), func(ctx context.Context, s *Session) error {
						if perMeter[i].Add(1) > 1 {
							t.Errorf("meter %d: two jobs at once", i)
						}
						n := running.Add(1)
						for {
							p := peak.Load()
							if n <= p || peak.CompareAndSwap(p, n) {
								break
							}
						}
						time.Sleep(time.Second)
						running.Add(-1)
						perMeter[i].Add(-1)
						return readEnergy(ctx, s)
					})
					if err != nil {
						t.Error(err)
					}
				}()
			}
		}
		wg.Wait()
		if peak.Load() != 2 {
			t.Errorf("peak %d associations at once, want 2", peak.Load())
		}
	})
}
