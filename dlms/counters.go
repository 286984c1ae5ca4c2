package dlms

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// CounterStore keeps invocation counters, so that no IV is ever used twice
// with a key and no received APDU is accepted twice. Keys name a counter,
// e.g. the sender's system title and the key set ("4D4D4D0000000001/EK").
// Implementations are safe for concurrent use.
type CounterStore interface {
	// Next returns the next invocation counter to send under key. It is
	// durable before Next returns: after a crash Next never returns a
	// counter it returned before.
	Next(key string) (uint32, error)
	// Accept records ic as received under key. It returns ErrReplay
	// unless ic is greater than every counter accepted before under key.
	Accept(key string, ic uint32) error
	// Raise makes every counter Next returns from now on greater than
	// min, to resynchronise with a peer that expects more (see
	// InvocationCounterObject).
	Raise(key string, min uint32) error
	// LastAccepted returns the greatest counter accepted under key, and
	// false when none has been (also after a restart: a persistent store
	// reports what it persisted). It is what the invocation counter
	// object shows a client that must resynchronise.
	LastAccepted(key string) (uint32, bool)
}

// counterState is one key's counters: next to send, the highest reserved
// on disk (sending), and the last received.
type counterState struct {
	Next     uint32 `json:"-"`
	Reserved uint32 `json:"reserved"`
	Received uint32 `json:"received"`
	// HasReceived distinguishes "received 0" from "nothing yet".
	HasReceived bool `json:"has_received"`
}

// counters is the logic shared by the memory and file stores; persist is
// called with the lock held before any counter it covers is used.
type counters struct {
	mu      sync.Mutex
	state   map[string]*counterState
	window  uint32
	persist func(map[string]*counterState) error
}

func (c *counters) get(key string) *counterState {
	s := c.state[key]
	if s == nil {
		s = &counterState{Next: 1}
		c.state[key] = s
	}
	return s
}

func (c *counters) Next(key string) (uint32, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.get(key)
	if s.Next == 0 { // wrapped past 2³²−1
		return 0, ErrCounterExhausted
	}
	if s.Next > s.Reserved {
		// Reserve a window of counters on disk before using the first,
		// so that only one write in window sends is needed and a crash
		// skips the rest of the window instead of reusing it.
		old := s.Reserved
		s.Reserved = uint32(min(uint64(s.Next)+uint64(c.window)-1, math.MaxUint32))
		if err := c.persist(c.state); err != nil {
			s.Reserved = old
			return 0, fmt.Errorf("dlms: persist invocation counter %q: %w", key, err)
		}
	}
	ic := s.Next
	s.Next++
	return ic, nil
}

func (c *counters) Accept(key string, ic uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.get(key)
	if s.HasReceived && ic <= s.Received {
		return fmt.Errorf("%w: %q sent %d, last accepted %d", ErrReplay, key, ic, s.Received)
	}
	old, had := s.Received, s.HasReceived
	s.Received, s.HasReceived = ic, true
	if err := c.persist(c.state); err != nil {
		s.Received, s.HasReceived = old, had
		return fmt.Errorf("dlms: persist invocation counter %q: %w", key, err)
	}
	return nil
}

func (c *counters) LastAccepted(key string) (uint32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.state[key]
	if s == nil || !s.HasReceived {
		return 0, false
	}
	return s.Received, true
}

func (c *counters) Raise(key string, min uint32) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.get(key)
	if min == math.MaxUint32 {
		s.Next = 0
		return ErrCounterExhausted
	}
	if s.Next != 0 && s.Next <= min {
		s.Next = min + 1
	}
	return nil
}

// MemoryCounters is a CounterStore that keeps counters in memory only: for
// tests and for peers whose counters live elsewhere.
type MemoryCounters struct{ counters }

// NewMemoryCounters returns an empty in-memory store.
func NewMemoryCounters() *MemoryCounters {
	return &MemoryCounters{counters{state: map[string]*counterState{}, window: 1,
		persist: func(map[string]*counterState) error { return nil }}}
}

// FileCounters is a CounterStore persisted in one JSON file. Every change
// is written to a temporary file, synced, renamed over the old one and the
// directory synced before the counter it covers is used or accepted.
// Sending counters are reserved window at a time (one write per window
// sends); a restart resumes after the reserved window, skipping what was
// not used. Every accepted counter is written, since a forgotten one would
// let a replay through after a restart.
type FileCounters struct{ counters }

// OpenFileCounters opens (or creates) the store at path. window is how many
// sending counters one write reserves (at least 1).
func OpenFileCounters(path string, window uint32) (*FileCounters, error) {
	state := map[string]*counterState{}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("dlms: counters: %w", err)
	default:
		if err := json.Unmarshal(b, &state); err != nil {
			return nil, fmt.Errorf("dlms: counters %s: %w", path, err)
		}
	}
	for k, s := range state {
		if s == nil {
			delete(state, k)
			continue
		}
		s.Next = s.Reserved + 1 // 0 when exhausted
	}
	f := &FileCounters{counters{state: state, window: max(window, 1)}}
	f.persist = func(state map[string]*counterState) error { return writeFileSynced(path, state) }
	return f, nil
}

func writeFileSynced(path string, state map[string]*counterState) error {
	b, err := json.Marshal(state)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(dir.Sync(), dir.Close())
}
