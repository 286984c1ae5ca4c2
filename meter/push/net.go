package push

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// NetPusher sends pushes over the network, one connection (TCP) or
// datagram (UDP) per push, each in an IEC 62056-47 wrapper frame from the
// meter's wPort 1 to the head-end's wPort 1. Push returns at once; the
// sending runs in its own goroutine, at most Parallel at a time, and
// reports through done.
type NetPusher struct {
	Timeout time.Duration // per push; 10 s when 0
	ctx     context.Context
	slots   chan struct{}
}

// NewNetPusher returns a pusher whose sends stop when ctx is done, with at
// most parallel pushes in flight (4 when 0).
func NewNetPusher(ctx context.Context, parallel int) *NetPusher {
	if parallel <= 0 {
		parallel = 4
	}
	return &NetPusher{ctx: ctx, slots: make(chan struct{}, parallel)}
}

func (p *NetPusher) Push(dst Destination, apdu []byte, done func(error)) {
	frame, err := wrapper.AppendFrame(nil, wrapper.Frame{Source: 1, Dest: 1, APDU: apdu})
	if err != nil {
		done(err)
		return
	}
	go func() {
		select {
		case p.slots <- struct{}{}:
		case <-p.ctx.Done():
			done(p.ctx.Err())
			return
		}
		defer func() { <-p.slots }()
		done(p.send(dst, frame))
	}()
}

func (p *NetPusher) send(dst Destination, frame []byte) error {
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
	if _, err := c.Write(frame); err != nil {
		return fmt.Errorf("push to %s: %w", dst.Address, err)
	}
	return nil
}
