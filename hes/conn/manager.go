package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/hes/registry"
)

// Manager opens associations to meters and runs work on them (see the
// package doc).
type Manager struct {
	cfg    Config
	log    *slog.Logger
	global chan struct{}

	mu       sync.Mutex
	networks map[string]chan struct{}
	meters   map[string]*slot // by serial
	closed   bool
	done     chan struct{} // closed by Close: idle expiries stop waiting
}

// slot is one meter's lock, counters and idle association.
type slot struct {
	lock     chan struct{} // holds one token: the meter's work lock
	counters *meterCounters
	idle     *association // kept open for reuse; nil when none
	idleGen  uint64       // bumped whenever idle changes, so stale expiries do nothing
}

// association is an open association and the transport under it.
type association struct {
	client *dlms.Client
	keys   string // key set it was opened with
	addr   registry.Address
}

// New returns a manager; Close releases the associations it keeps.
func New(cfg Config) (*Manager, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, log: cfg.Logger, global: make(chan struct{}, cfg.MaxConns),
		networks: map[string]chan struct{}{}, meters: map[string]*slot{}, done: make(chan struct{})}, nil
}

// Session is the association work runs on.
type Session struct {
	Meter  registry.Meter
	Client *dlms.Client
}

// Work is what runs on a session. It may be run again (after a transient
// failure) unless Once is given to Do.
type Work func(ctx context.Context, s *Session) error

// Option tunes one Do.
type Option func(*doOptions)

type doOptions struct {
	once    bool
	keysRef string
	fresh   bool
}

// Once runs the work at most once: for actions that must not be repeated
// (a credit top-up), whose failure is reported instead.
func Once() Option { return func(o *doOptions) { o.once = true } }

// WithKeys associates with key set ref instead of the meter's (a key
// rotation checking the new keys).
func WithKeys(ref string) Option { return func(o *doOptions) { o.keysRef = ref } }

// Fresh opens a new association rather than reusing an idle one, and does
// not keep it (a key change takes effect from the next association).
func Fresh() Option { return func(o *doOptions) { o.fresh = true } }

// Do runs work on an association to meter: it waits for the meter's lock
// and for a free association (globally and on the meter's network), opens
// or reuses an association, runs work within Config.Timeout, and retries
// transient failures with backoff. It returns the last error, which
// errors.Is ErrWrongKey, ErrPermanent, ErrUnreachable or a context error
// where that applies (Reason names it).
func (m *Manager) Do(ctx context.Context, meter registry.Meter, work Work, opts ...Option) error {
	var o doOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.keysRef == "" {
		o.keysRef = meter.KeysRef
	}
	sl, err := m.slot(meter.Serial)
	if err != nil {
		return err
	}
	select {
	case sl.lock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-sl.lock }()
	attempts := m.cfg.Retry.Attempts
	if o.once {
		attempts = 1
	}
	for k := 1; ; k++ {
		err = m.attempt(ctx, meter, sl, work, o)
		if err == nil || k >= attempts || !retryable(err) || ctx.Err() != nil {
			break
		}
		wait := m.cfg.Retry.Delay(k, m.cfg.Rand())
		m.log.Debug("hes: retrying", "meter", meter.Serial, "attempt", k, "wait", wait, "err", err)
		select {
		case <-m.cfg.Clock.After(wait):
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
	if err != nil {
		return fmt.Errorf("meter %s: %w", meter.Serial, err)
	}
	return nil
}

func (m *Manager) slot(serial string) (*slot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, errors.New("conn: manager closed")
	}
	sl := m.meters[serial]
	if sl == nil {
		sl = &slot{lock: make(chan struct{}, 1)}
		m.meters[serial] = sl
	}
	return sl, nil
}

func (m *Manager) network(name string) chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.networks[name]
	if n == nil {
		n = make(chan struct{}, m.cfg.MaxPerNetwork)
		m.networks[name] = n
	}
	return n
}

// attempt runs work once, on the idle association if there is one
// (opening a new one if that fails before the work got anywhere).
func (m *Manager) attempt(ctx context.Context, meter registry.Meter, sl *slot, work Work, o doOptions) error {
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	netSlots := m.network(meter.Address.Network)
	select {
	case netSlots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-netSlots }()
	select {
	case m.global <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-m.global }()

	a := m.takeIdle(sl, meter, o)
	reused := a != nil
	if a == nil {
		var err error
		if a, err = m.open(ctx, meter, sl, o.keysRef); err != nil {
			return err
		}
	}
	s := &Session{Meter: meter, Client: a.client}
	err := work(ctx, s)
	if err != nil && reused && retryable(err) && ctx.Err() == nil {
		// The kept association went stale (the meter dropped it): open a
		// new one and try once more, not counting it as an attempt.
		a.client.Close()
		if a, err = m.open(ctx, meter, sl, o.keysRef); err != nil {
			return err
		}
		s.Client = a.client
		err = work(ctx, s)
	}
	if ferr := sl.counters.flush(ctx); ferr != nil {
		m.log.Warn("hes: invocation counter not saved", "meter", meter.Serial, "err", ferr)
	}
	if err != nil || o.fresh || m.cfg.Idle <= 0 {
		m.release(a, err == nil)
		return err
	}
	m.keepIdle(sl, meter.Serial, a)
	return nil
}

// open dials and associates, resynchronising the invocation counter once
// if the meter refuses the association for authentication.
func (m *Manager) open(ctx context.Context, meter registry.Meter, sl *slot, keysRef string) (*association, error) {
	if sl.counters == nil {
		c, err := newMeterCounters(ctx, m.cfg.Counters, meter.Serial, m.cfg.CounterWindow, m.cfg.Timeout)
		if err != nil {
			return nil, err
		}
		sl.counters = c
	}
	keys, err := m.cfg.Registry.Keys(ctx, keysRef)
	if err != nil {
		return nil, Permanent(err)
	}
	for resynced := false; ; resynced = true {
		a, err := m.associate(ctx, meter, sl, keys, keysRef)
		if err == nil || !authRefused(err) || meter.Address.Client != registry.ClientManagement {
			return a, err
		}
		if resynced {
			return nil, fmt.Errorf("%w (after resynchronising the invocation counter): %w", ErrWrongKey, err)
		}
		ic, rerr := m.readServerCounter(ctx, meter)
		if rerr != nil {
			return nil, fmt.Errorf("association refused (%w), and the invocation counter could not be read: %w", err, rerr)
		}
		m.log.Info("hes: resynchronising the invocation counter", "meter", meter.Serial, "meter-has", ic)
		if err := sl.counters.Raise("", ic); err != nil {
			return nil, Permanent(err)
		}
	}
}

func (m *Manager) associate(ctx context.Context, meter registry.Meter, sl *slot, keys registry.Keys, keysRef string) (*association, error) {
	start := m.cfg.Clock.Now()
	a, err := m.dialAssociate(ctx, meter, meter.Address, sl.counters, keys)
	if m.cfg.OnAssociation != nil {
		m.cfg.OnAssociation(m.cfg.Clock.Now().Sub(start), err)
	}
	if err != nil {
		return nil, err
	}
	a.keys = keysRef
	return a, nil
}

func (m *Manager) dialAssociate(ctx context.Context, meter registry.Meter, addr registry.Address, counters security.CounterStore, keys registry.Keys) (*association, error) {
	t, err := m.cfg.Dial(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	cc := dlms.ClientConfig{Client: addr.Client, MaxPDU: m.cfg.MaxPDU, Logger: m.log, Counters: counters}
	switch addr.Client {
	case registry.ClientManagement:
		cc.Mechanism, cc.EncryptionKey, cc.AuthenticationKey, cc.SystemTitle = apdu.MechanismHighGMAC, keys.EK, keys.AK, m.cfg.ClientTitle
		if len(keys.EK) != security.KeySize || len(keys.AK) != security.KeySize {
			t.Close()
			return nil, Permanent(fmt.Errorf("key set %q lacks the encryption or authentication key", meter.KeysRef))
		}
	case registry.ClientReader:
		cc.Mechanism, cc.Password = apdu.MechanismLow, keys.Password
	default:
		cc.Mechanism = apdu.MechanismLowest
	}
	c, err := dlms.NewClient(t, cc)
	if err != nil {
		t.Close()
		return nil, Permanent(err)
	}
	if err := c.Associate(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return &association{client: c, addr: addr}, nil
}

// readServerCounter reads, as the public client, the last invocation
// counter the meter accepted from the management client.
func (m *Manager) readServerCounter(ctx context.Context, meter registry.Meter) (uint32, error) {
	addr := meter.Address
	addr.Client = registry.ClientPublic
	a, err := m.dialAssociate(ctx, meter, addr, security.NewMemoryCounters(), registry.Keys{})
	if err != nil {
		return 0, err
	}
	defer m.release(a, true)
	v, err := a.client.Get(ctx, cosem.Ref{Class: cosem.ClassData, Name: InvocationCounterObject, ID: 2}, nil)
	if err != nil {
		return 0, err
	}
	if len(v) != 1 {
		return 0, fmt.Errorf("%w: invocation counter %v", dlms.ErrResponse, v)
	}
	ic, ok := v[0].Uint()
	if !ok || ic > 1<<32-1 {
		return 0, fmt.Errorf("%w: invocation counter %v", dlms.ErrResponse, v[0])
	}
	return uint32(ic), nil
}

// InvocationCounterObject is the Data object holding the invocation
// counter the meter last accepted from the management client.
var InvocationCounterObject = cosem.OBIS{0, 0, 43, 1, 0, 255}

// release ends an association, politely when it is still healthy.
func (m *Manager) release(a *association, healthy bool) {
	if healthy {
		ctx, cancel := context.WithTimeout(context.Background(), m.cfg.Timeout)
		if err := a.client.Release(ctx); err != nil {
			m.log.Debug("hes: release", "err", err)
		}
		cancel()
	}
	a.client.Close()
}

// takeIdle returns the meter's idle association if it suits the work.
func (m *Manager) takeIdle(sl *slot, meter registry.Meter, o doOptions) *association {
	m.mu.Lock()
	a := sl.idle
	sl.idle = nil
	sl.idleGen++
	m.mu.Unlock()
	if a == nil {
		return nil
	}
	if o.fresh || a.keys != o.keysRef || a.addr != meter.Address {
		m.release(a, true)
		return nil
	}
	return a
}

// keepIdle keeps a for reuse until Config.Idle passes without work.
func (m *Manager) keepIdle(sl *slot, serial string, a *association) {
	m.mu.Lock()
	sl.idle = a
	sl.idleGen++
	gen := sl.idleGen
	m.mu.Unlock()
	expiry := m.cfg.Clock.After(m.cfg.Idle)
	go func() {
		select {
		case <-expiry:
		case <-m.done:
			return // Close released it
		}
		m.mu.Lock()
		if sl.idleGen != gen || sl.idle != a {
			m.mu.Unlock()
			return
		}
		sl.idle = nil
		sl.idleGen++
		m.mu.Unlock()
		m.release(a, true)
	}()
}

// Close releases every idle association; Do fails afterwards.
func (m *Manager) Close() error {
	m.mu.Lock()
	if !m.closed {
		close(m.done)
	}
	m.closed = true
	var idle []*association
	for _, sl := range m.meters {
		if sl.idle != nil {
			idle = append(idle, sl.idle)
			sl.idle = nil
			sl.idleGen++
		}
	}
	m.mu.Unlock()
	for _, a := range idle {
		m.release(a, true)
	}
	return nil
}

// Drop releases the idle association kept for serial, if any (a key
// rotation makes it stale).
func (m *Manager) Drop(serial string) {
	m.mu.Lock()
	sl := m.meters[serial]
	var a *association
	if sl != nil {
		a, sl.idle = sl.idle, nil
		sl.idleGen++
	}
	m.mu.Unlock()
	if a != nil {
		m.release(a, true)
	}
}
