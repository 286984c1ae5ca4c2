package sim

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/hdlc"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/sim/fault"
)

// ErrUnreachable is what reaching a meter that is offline or without
// power gives, in memory (a socket is accepted and closed at once).
var ErrUnreachable = errors.New("sim: meter unreachable")

// ErrNoMeter is what DialMeter gives for an address no meter has.
var ErrNoMeter = errors.New("sim: no meter at this address")

// accepted serves a connection accepted on meter id's socket.
func (f *Fleet) accepted(ctx context.Context, id int, c net.Conn) {
	f.units[id].serve(ctx, c)
}

// DialMeter connects to the meter at hostPort in memory (net.Pipe), as a
// head-end in the same process dials it without sockets; the meter serves
// the other end (the wrapper, or HDLC with Config.HDLC) with its faults.
func (f *Fleet) DialMeter(ctx context.Context, hostPort string) (net.Conn, error) {
	u, ok := f.byAddr[hostPort]
	switch {
	case !ok || u.srv == nil:
		return nil, fmt.Errorf("dial %s: %w", hostPort, ErrNoMeter)
	case u.unreachable():
		f.stats.refused.Add(1)
		return nil, fmt.Errorf("dial %s: %w", hostPort, ErrUnreachable)
	}
	client, meter := net.Pipe()
	if !f.spawn(func() { u.serve(f.ctx, meter) }) {
		client.Close()
		return nil, fmt.Errorf("dial %s: %w", hostPort, net.ErrClosed)
	}
	return client, nil
}

// serve runs the meter's DLMS server on one connection: refused at once
// while the meter is unreachable, otherwise with its frame faults, cut
// when it goes away, and caught up to the clock before every request.
func (u *unit) serve(ctx context.Context, nc net.Conn) {
	f := u.f
	if u.srv == nil || u.unreachable() {
		f.stats.refused.Add(1)
		nc.Close()
		return
	}
	f.stats.connections.Add(1)
	keep := wrapper.HeaderLen
	if f.cfg.HDLC {
		keep = 1 // the opening flag; the frame check sequence catches the rest
	}
	fc := fault.NewConn(nc, u.plan.Load(), keep, &f.stats.frames)
	u.track(fc)
	defer u.untrack(fc)
	if u.unreachable() { // went away while we were getting here
		fc.Close()
		return
	}
	var t dlms.ServerTransport
	var err error
	if f.cfg.HDLC {
		t, err = hdlc.NewServer(fc, hdlc.Config{Logger: f.log})
	} else {
		t, err = wrapper.NewServer(fc, wrapper.Config{Logger: f.log})
	}
	if err != nil {
		f.log.Warn("transport", "meter", u.serial, "err", err)
		fc.Close()
		return
	}
	u.srv.ServeConn(ctx, catchUp{t, u})
}

// catchUp brings the meter up to the fleet's clock before each request,
// so a reader sees the registers of now, not of the last scheduled step.
type catchUp struct {
	dlms.ServerTransport
	u *unit
}

func (c catchUp) ReadAPDU(ctx context.Context) ([]byte, error) {
	apdu, err := c.ServerTransport.ReadAPDU(ctx)
	if err == nil {
		c.u.advance(c.u.f.clock.Now())
	}
	return apdu, err
}
