package sim

import (
	"sync"

	"github.com/amigo-ami/amigo/dlms"
)

// counters are a meter's invocation counters (its DLMS server's and its
// pushes'), in memory, and lost all at once by the icloss fault.
type counters struct {
	mu  sync.Mutex
	cur *dlms.MemoryCounters
}

func newCounters() *counters { return &counters{cur: dlms.NewMemoryCounters()} }

func (c *counters) store() *dlms.MemoryCounters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur
}

func (c *counters) Next(key string) (uint32, error)    { return c.store().Next(key) }
func (c *counters) Accept(key string, ic uint32) error { return c.store().Accept(key, ic) }
func (c *counters) Raise(key string, min uint32) error { return c.store().Raise(key, min) }
func (c *counters) LastAccepted(key string) (uint32, bool) {
	return c.store().LastAccepted(key)
}

// lose forgets every counter: the meter sends from 1 again and accepts
// any counter, as one that lost its non-volatile memory would.
func (c *counters) lose() {
	c.mu.Lock()
	c.cur = dlms.NewMemoryCounters()
	c.mu.Unlock()
}
