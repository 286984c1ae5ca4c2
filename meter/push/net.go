package push

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// NetPusher sends pushes over the network, sealed by a Sealer, one
// connection (TCP) or datagram (UDP) per push, each in an IEC 62056-47
// wrapper frame from the meter's wPort 1 to the head-end's wPort 1. Push
// returns at once; the sending runs in its own goroutine and reports
// through done. A meter's pushes go one at a time, like through a meter's
// one modem, each sealed only once its connection is open, and a TCP push
// is done when the head-end has hung up after reading it: a head-end
// (whichever destination and transport it is reached by) sees the meter's
// invocation counters increase, and a push that could not be sent spends
// none.
type NetPusher struct {
	Timeout time.Duration // per push; 10 s when 0
	ctx     context.Context
	sealer  *Sealer
	sending sync.Mutex // one push at a time
}

// NewNetPusher returns a pusher that seals with sealer and whose sends
// stop when ctx is done.
func NewNetPusher(ctx context.Context, sealer *Sealer) *NetPusher {
	return &NetPusher{ctx: ctx, sealer: sealer}
}

func (p *NetPusher) Push(dst Destination, apdu []byte, done func(error)) {
	go func() {
		p.sending.Lock()
		defer p.sending.Unlock()
		done(p.send(dst, apdu))
	}()
}

func (p *NetPusher) send(dst Destination, apdu []byte) error {
	timeout := p.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	network := "tcp"
	if dst.Transport == UDP {
		network = "udp"
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, dst.Address)
	if err != nil {
		return fmt.Errorf("push to %s: %w", dst.Address, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	frame, err := p.sealer.AppendFrame(nil, apdu)
	if err != nil {
		return fmt.Errorf("push to %s: %w", dst.Address, err)
	}
	if _, err := c.Write(frame); err != nil {
		return fmt.Errorf("push to %s: %w", dst.Address, err)
	}
	if tc, ok := c.(*net.TCPConn); ok {
		// Hang up gracefully and wait until the head-end has read the
		// push and hung up too (or the push's time is up): the next
		// push's connection must not overtake this one, or the head-end
		// would see the counters go back and refuse it as a replay. The
		// push is delivered whatever this wait ends with.
		if tc.CloseWrite() == nil {
			io.Copy(io.Discard, tc)
		}
	}
	return nil
}
