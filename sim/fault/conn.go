package fault

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Counts are the frame faults injected, for a fleet's statistics. Safe
// for concurrent use.
type Counts struct {
	Frames, Dropped, Corrupted, Delayed atomic.Uint64
}

// Conn is a meter's end of a connection with its plan's frame faults:
// every Write is one frame (the wrapper and the push sender write a whole
// frame at a time), which is lost, sent with one bit flipped, or sent
// late as the plan draws. Reads pass through.
//
// Corruption spares the first Keep bytes of a frame (the wrapper header),
// so the stream stays in step and the damage reaches the APDU: the
// receiver's GCM tag check or decoder must catch it, as it would on a
// link without a checksum.
type Conn struct {
	net.Conn
	plan   *Plan
	keep   int
	counts *Counts

	closeOnce sync.Once
	closed    chan struct{}
}

// NewConn wraps c with plan's frame faults, counted in counts (may be
// nil); keep is the frame header corruption spares.
func NewConn(c net.Conn, plan *Plan, keep int, counts *Counts) *Conn {
	if counts == nil {
		counts = new(Counts)
	}
	return &Conn{Conn: c, plan: plan, keep: keep, counts: counts, closed: make(chan struct{})}
}

// Write sends b as one frame, or not, as the plan decides. A lost frame
// reports success: the sender cannot tell.
func (c *Conn) Write(b []byte) (int, error) {
	f := c.plan.Frame()
	c.counts.Frames.Add(1)
	if f.Delay > 0 {
		c.counts.Delayed.Add(1)
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-c.closed:
			t.Stop()
			return 0, net.ErrClosed
		}
	}
	switch {
	case f.Drop:
		c.counts.Dropped.Add(1)
		return len(b), nil
	case f.Corrupt && len(b) > 0:
		c.counts.Corrupted.Add(1)
		bad := bytes.Clone(b) // b is the caller's
		i := len(b) - 1
		if n := len(b) - c.keep; n > 0 {
			i = c.keep + int(f.At/8%uint64(n))
		}
		bad[i] ^= 1 << (f.At % 8)
		return c.Conn.Write(bad)
	}
	return c.Conn.Write(b)
}

// Close closes the connection and ends a write waiting out its latency.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}
