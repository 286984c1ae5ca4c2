package sim

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/meter"
	nilmmodule "github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/nilm/plaid"
	"github.com/amigo-ami/amigo/sim/clock"
	"github.com/amigo-ami/amigo/sim/fault"
	"github.com/amigo-ami/amigo/sim/listen"
	"github.com/amigo-ami/amigo/sim/sched"
	"github.com/amigo-ami/amigo/sim/wave"
)

// Fleet is a simulated fleet of meters; see the package documentation.
type Fleet struct {
	cfg        Config
	faults     *fault.Spec // the plans' spec (SetFaults makes another)
	log        *slog.Logger
	clock      *clock.Clock
	addrs      addressing
	loads      *loads
	appliances []appliance.Appliance
	schema     *objects.Schema
	units      []*unit
	byAddr     map[string]*unit
	bySerial   map[string]int
	listeners  *listen.Set
	stats      stats

	stepMu sync.Mutex // one AdvanceTo at a time; guards queue and due
	queue  sched.Queue
	due    []sched.Entry

	ctx       context.Context // connections and pushes; ended by Close
	cancel    context.CancelFunc
	goMu      sync.Mutex // guards closed and starting goroutines on wg
	closed    bool
	wg        sync.WaitGroup
	pushSlots chan struct{}
}

// MaxPushes bounds the pushes a fleet has in flight at once.
const MaxPushes = 256

// New builds the fleet: every meter, and a listening socket each when
// Config.Listen is set.
func New(cfg Config) (*Fleet, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	faults := cfg.Faults
	f := &Fleet{cfg: cfg, faults: &faults, log: cfg.Logger, byAddr: make(map[string]*unit, cfg.Meters), bySerial: make(map[string]int, cfg.Meters),
		pushSlots: make(chan struct{}, MaxPushes)}
	if f.clock, err = clock.New(cfg.Start, cfg.Speed, cfg.Wall); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if f.addrs, err = f.addressing(); err != nil {
		return nil, err
	}
	if err := f.loadData(); err != nil {
		return nil, err
	}
	tmpl := cfg.Template
	if tmpl == nil {
		t := Template()
		tmpl = &t
	}
	f.ctx, f.cancel = context.WithCancel(context.Background())
	f.units = make([]*unit, cfg.Meters)
	for k := range f.units {
		u, err := f.newUnit(k, tmpl)
		if err != nil {
			return nil, err
		}
		f.units[k] = u
		f.byAddr[u.addr] = u
		f.bySerial[u.serial] = k
		f.queue.Push(sched.Entry{At: cfg.Start.UnixNano(), ID: int32(k)})
	}
	if cfg.Listen {
		if err := f.listen(); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// addressing parses Config.Addresses; with the default and listeners, it
// falls back to ports of 127.0.0.1 where other loopback addresses do not
// bind.
func (f *Fleet) addressing() (addressing, error) {
	a, err := parseAddresses(f.cfg.Addresses, f.cfg.Meters)
	if err != nil || !f.cfg.Listen || f.cfg.Addresses != DefaultAddresses {
		return a, err
	}
	probe, err := net.Listen("tcp", net.JoinHostPort(a.first.String(), "0"))
	if err == nil {
		probe.Close()
		return a, nil
	}
	f.log.Warn("loopback addresses beyond 127.0.0.1 do not bind here: meters listen on ports instead", "addresses", FallbackAddresses, "err", err)
	f.cfg.Addresses = FallbackAddresses
	return parseAddresses(FallbackAddresses, f.cfg.Meters)
}

// loadData reads the load models and appliances, falling back to
// synthetic ones (with a warning naming what is missing) without the
// shared data.
func (f *Fleet) loadData() error {
	var err error
	f.loads, err = newLoads(f.cfg)
	switch {
	case f.loads == nil:
		return fmt.Errorf("sim: %w", err)
	case err != nil && f.cfg.Meters > f.cfg.Waveform:
		f.log.Warn("AMPds R1 not available: fast meters draw a synthetic household day", "err", err)
	}
	if f.cfg.Waveform == 0 {
		return nil
	}
	if f.appliances = f.cfg.Appliances; f.appliances != nil {
		return nil
	}
	if f.cfg.DataDir != "" {
		ds, err := plaid.Load(filepath.Join(f.cfg.DataDir, "plaid-events"))
		switch {
		case err == nil:
			f.appliances, err = appliance.FromDataset(ds, 1, f.cfg.WaveRate, wave.Mains)
			return err
		case !errors.Is(err, fs.ErrNotExist):
			return err
		}
		f.log.Warn("PLAID event cycles not available: waveform meters use built-in appliances", "err", err)
	}
	f.appliances, err = appliance.Synthetic(f.cfg.WaveRate, wave.Mains, wave.Voltage)
	return err
}

// listen opens every meter's socket.
func (f *Fleet) listen() error {
	var err error
	if f.listeners, err = listen.New(f.accepted); err != nil {
		return err
	}
	for k, u := range f.units {
		if _, err := f.listeners.Listen(k, u.addr); err != nil {
			f.listeners.Close()
			return fmt.Errorf("sim: meter %s at %s: %w (%d of %d listening; each meter needs a file descriptor)", u.serial, u.addr, err, k, len(f.units))
		}
	}
	return nil
}

// Clock is the fleet's simulated time, which a head-end may share.
func (f *Fleet) Clock() *clock.Clock { return f.clock }

// Len is the number of meters.
func (f *Fleet) Len() int { return len(f.units) }

// Meter returns meter k's management core (to inspect it; the fleet steps
// it).
func (f *Fleet) Meter(k int) *meter.Meter { return f.units[k].m }

// NILM returns waveform meter k's NILM expansion module (to inspect it;
// the fleet feeds and steps it), nil unless the template enables
// [modules.nilm] and k is a waveform meter.
func (f *Fleet) NILM(k int) *nilmmodule.Module { return f.units[k].nilm }

// Index returns the index of the meter with serial.
func (f *Fleet) Index(serial string) (int, bool) {
	k, ok := f.bySerial[serial]
	return k, ok
}

// AdvanceTo moves the clock to t if it is behind and drives every meter
// that has something due by t to t, in parallel on every CPU. Run calls it
// as the clock runs; with a stopped clock the caller does.
func (f *Fleet) AdvanceTo(t time.Time) {
	f.stepMu.Lock()
	defer f.stepMu.Unlock()
	f.clock.Set(t)
	f.due = f.queue.PopDue(f.due[:0], t.UnixNano())
	parallel(len(f.due), func(i int) {
		e := &f.due[i]
		e.At = f.units[e.ID].advance(t).UnixNano()
	})
	for _, e := range f.due {
		f.queue.Push(e)
	}
}

// SetFaults replaces every meter's faults from now on (the zero Spec
// stops them): periods in progress end now — offline meters come back,
// meters without power get it back, tamper sensors clear — and each meter
// draws a new plan from the seed and the time of the change. A meter's
// drift stays (its crystal does not change); connections already open
// keep their frame faults.
func (f *Fleet) SetFaults(spec fault.Spec) {
	f.stepMu.Lock()
	defer f.stepMu.Unlock()
	now := f.clock.Now()
	parallel(len(f.units), func(k int) { f.units[k].setPlan(&spec, now) })
	// New plans may have events before the meters' queued times.
	f.queue = sched.Queue{}
	for k := range f.units {
		f.queue.Push(sched.Entry{At: now.UnixNano(), ID: int32(k)})
	}
}

// parallel calls fn(0…n-1) on as many goroutines as there are CPUs.
func parallel(n int, fn func(int)) {
	workers := min(runtime.GOMAXPROCS(0), (n+63)/64)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// nextDue is when the earliest meter is due (zero if none).
func (f *Fleet) nextDue() time.Time {
	f.stepMu.Lock()
	defer f.stepMu.Unlock()
	if f.queue.Len() == 0 {
		return time.Time{}
	}
	return time.Unix(0, f.queue.Peek().At)
}

// maxWait bounds how long Run sleeps between two looks at the clock.
const maxWait = time.Second

// Run serves the meters' sockets and, on a running clock, steps the
// meters as their duties fall due, until ctx is done; then it closes the
// fleet.
func (f *Fleet) Run(ctx context.Context) (err error) {
	defer func() { err = errors.Join(err, f.Close()) }()
	var serveErr error
	var wg sync.WaitGroup
	if f.listeners != nil {
		wg.Go(func() { serveErr = f.listeners.Serve(ctx) })
	}
	if f.clock.Speed() > 0 {
		t := time.NewTimer(0)
		defer t.Stop()
	loop:
		for {
			select {
			case <-ctx.Done():
				break loop
			case <-t.C:
			}
			f.AdvanceTo(f.clock.Now())
			wait := maxWait
			if next := f.nextDue(); !next.IsZero() {
				wait = min(wait, f.clock.WallUntil(next))
			}
			t.Reset(wait)
		}
	}
	<-ctx.Done()
	wg.Wait()
	return serveErr
}

// Close closes the sockets, ends the connections and pushes in flight
// and waits for them. Run closes the fleet when it returns.
func (f *Fleet) Close() error {
	f.goMu.Lock()
	first := !f.closed
	f.closed = true
	f.goMu.Unlock()
	var err error
	if first {
		f.cancel()
		if f.listeners != nil {
			err = f.listeners.Close()
		}
	}
	f.wg.Wait()
	return err
}

// spawn runs fn on a goroutine Close waits for; false once the fleet is
// closed (fn does not run).
func (f *Fleet) spawn(fn func()) bool {
	f.goMu.Lock()
	defer f.goMu.Unlock()
	if f.closed {
		return false
	}
	f.wg.Go(fn)
	return true
}
