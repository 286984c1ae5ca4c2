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
	HangUp(c)
	return nil
}

// HangUp ends a push connection gracefully: it closes the sending side and
// waits until the head-end has read everything and hung up too (or c's
// deadline passes). A meter's next push connection must not overtake this
// one, or the head-end would see the counters go back and refuse its
// pushes as replays. The pushes are delivered whatever the wait ends
// with; a connection that cannot half-close (UDP, pipes) returns at once.
func HangUp(c net.Conn) {
	if hc, ok := c.(interface{ CloseWrite() error }); ok && hc.CloseWrite() == nil {
		io.Copy(io.Discard, c)
	}
}
