package conn

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/dlms"
)

// CounterBackend keeps the client's invocation counters of each meter
// where every head-end node sees them.
type CounterBackend interface {
	// Reserve returns first such that the send counters [first, first+n)
	// are above atLeast and above every counter reserved before for meter,
	// and records the reservation before returning.
	Reserve(ctx context.Context, meter string, atLeast, n uint32) (first uint32, err error)
	// Received returns the last counter accepted from meter, if any.
	Received(ctx context.Context, meter string) (uint32, bool, error)
	// SetReceived records ic as the last counter accepted from meter.
	SetReceived(ctx context.Context, meter string, ic uint32) error
}

// counterState is one meter's record: the highest send counter reserved
// and the last counter received.
type counterState struct {
	reserved, received uint32
	hasReceived        bool
}

func (s counterState) encode() []byte {
	b := make([]byte, 9)
	binary.BigEndian.PutUint32(b, s.reserved)
	binary.BigEndian.PutUint32(b[4:], s.received)
	if s.hasReceived {
		b[8] = 1
	}
	return b
}

func decodeCounterState(b []byte) (counterState, error) {
	if len(b) != 9 || b[8] > 1 {
		return counterState{}, fmt.Errorf("conn: counter record of %d bytes", len(b))
	}
	return counterState{binary.BigEndian.Uint32(b), binary.BigEndian.Uint32(b[4:]), b[8] == 1}, nil
}

func (s *counterState) reserve(atLeast, n uint32) (uint32, error) {
	first := max(s.reserved, atLeast) + 1
	if uint64(first)+uint64(n) > math.MaxUint32 {
		return 0, dlms.ErrCounterExhausted
	}
	s.reserved = first + n - 1
	return first, nil
}

// MemoryCounters keeps counters in memory: one head-end, tests.
type MemoryCounters struct {
	mu sync.Mutex
	m  map[string]counterState
}

// NewMemoryCounters returns an empty store.
func NewMemoryCounters() *MemoryCounters { return &MemoryCounters{m: map[string]counterState{}} }

func (c *MemoryCounters) Reserve(_ context.Context, meter string, atLeast, n uint32) (uint32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[meter]
	first, err := s.reserve(atLeast, n)
	c.m[meter] = s
	return first, err
}

func (c *MemoryCounters) Received(_ context.Context, meter string) (uint32, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[meter]
	return s.received, s.hasReceived, nil
}

func (c *MemoryCounters) SetReceived(_ context.Context, meter string, ic uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[meter]
	s.received, s.hasReceived = ic, true
	c.m[meter] = s
	return nil
}

// KVCounters keeps counters in a bus key-value bucket, one key per meter
// (its bus.MeterToken), updated by compare-and-set so that head-end nodes
// sharing the bucket never reserve the same counter.
type KVCounters struct{ kv *bus.KV }

// NewKVCounters returns counters kept in kv (a bucket without TTL).
func NewKVCounters(kv *bus.KV) *KVCounters { return &KVCounters{kv: kv} }

func (c *KVCounters) update(ctx context.Context, meter string, change func(*counterState) error) (counterState, error) {
	key := bus.MeterToken(meter)
	for {
		var s counterState
		e, err := c.kv.Get(ctx, key)
		switch {
		case errors.Is(err, bus.ErrNotFound):
		case err != nil:
			return s, err
		default:
			if s, err = decodeCounterState(e.Value); err != nil {
				return s, fmt.Errorf("meter %s: %w", meter, err)
			}
		}
		if err := change(&s); err != nil {
			return s, err
		}
		if e.Revision == 0 {
			_, err = c.kv.Create(ctx, key, s.encode())
		} else {
			_, err = c.kv.Update(ctx, key, s.encode(), e.Revision)
		}
		if errors.Is(err, bus.ErrConflict) {
			continue // another node moved it: read again
		}
		return s, err
	}
}

func (c *KVCounters) Reserve(ctx context.Context, meter string, atLeast, n uint32) (uint32, error) {
	var first uint32
	_, err := c.update(ctx, meter, func(s *counterState) error {
		var err error
		first, err = s.reserve(atLeast, n)
		return err
	})
	return first, err
}

func (c *KVCounters) Received(ctx context.Context, meter string) (uint32, bool, error) {
	e, err := c.kv.Get(ctx, bus.MeterToken(meter))
	if errors.Is(err, bus.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	s, err := decodeCounterState(e.Value)
	return s.received, s.hasReceived, err
}

func (c *KVCounters) SetReceived(ctx context.Context, meter string, ic uint32) error {
	_, err := c.update(ctx, meter, func(s *counterState) error {
		if !s.hasReceived || ic > s.received {
			s.received, s.hasReceived = ic, true
		}
		return nil
	})
	return err
}

// meterCounters is the dlms.CounterStore of one meter's associations: it
// hands out send counters from a reserved window and keeps the last
// received counter, written back by flush.
type meterCounters struct {
	backend CounterBackend
	meter   string
	window  uint32
	timeout time.Duration

	mu                 sync.Mutex
	next, limit        uint32 // next send counter; last one reserved
	received           uint32
	hasReceived, dirty bool
}

func newMeterCounters(ctx context.Context, b CounterBackend, meter string, window uint32, timeout time.Duration) (*meterCounters, error) {
	c := &meterCounters{backend: b, meter: meter, window: window, timeout: timeout}
	var err error
	c.received, c.hasReceived, err = b.Received(ctx, meter)
	if err != nil {
		return nil, fmt.Errorf("conn: counters of %s: %w", meter, err)
	}
	return c, nil
}

func (c *meterCounters) Next(string) (uint32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.next == 0 || c.next > c.limit {
		ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
		first, err := c.backend.Reserve(ctx, c.meter, max(c.next, 1)-1, c.window)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("conn: reserve invocation counters of %s: %w", c.meter, err)
		}
		c.next, c.limit = first, first+c.window-1
	}
	ic := c.next
	c.next++
	return ic, nil
}

func (c *meterCounters) Accept(_ string, ic uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hasReceived && ic <= c.received {
		return fmt.Errorf("%w: meter %s sent %d, last accepted %d", dlms.ErrReplay, c.meter, ic, c.received)
	}
	c.received, c.hasReceived, c.dirty = ic, true, true
	return nil
}

func (c *meterCounters) LastAccepted(string) (uint32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.received, c.hasReceived
}

// Raise makes the next send counter exceed min; the next Next reserves a
// window above it.
func (c *meterCounters) Raise(_ string, min uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if min == math.MaxUint32 {
		return dlms.ErrCounterExhausted
	}
	if c.next <= min {
		c.next, c.limit = min+1, 0 // limit 0: reserve before use
	}
	return nil
}

// flush writes the last received counter back.
func (c *meterCounters) flush(ctx context.Context) error {
	c.mu.Lock()
	ic, dirty := c.received, c.dirty
	c.dirty = false
	c.mu.Unlock()
	if !dirty {
		return nil
	}
	return c.backend.SetReceived(ctx, c.meter, ic)
}
