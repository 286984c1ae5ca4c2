package sim

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/sim/fault"
)

// pusher sends a meter's pushes as the head-end's push listener takes
// them, sealed by the meter's push.Sealer (its current keys, its system
// title, its push invocation counter) in a wrapper frame; the meter dials,
// pushes and hangs up, through its frame faults. Pushes that fall due together go on one connection, in
// counter order, so a head-end never sees a meter's counters go back.
type pusher struct{ u *unit }

// outgoing is a push waiting in a meter's outbox.
type outgoing struct {
	dst  push.Destination
	apdu []byte
	done func(error)
}

// PushTimeout bounds one push connection's dial and writes (wall time).
const PushTimeout = 10 * time.Second

func (p pusher) Push(dst push.Destination, apdu []byte, done func(error)) {
	u, f := p.u, p.u.f
	// Reachability is decided now: a last gasp leaves before the power
	// is gone.
	if u.unreachable() {
		f.stats.pushesFailed.Add(1)
		done(fmt.Errorf("push from %s: %w", u.serial, ErrUnreachable))
		return
	}
	u.pushMu.Lock()
	u.outbox = append(u.outbox, outgoing{dst, apdu, done})
	start := !u.sending
	u.sending = true
	u.pushMu.Unlock()
	if start && !f.spawn(u.sendOutbox) {
		u.sendOutbox() // closed: every push fails at once
	}
}

// sendOutbox sends the meter's waiting pushes until its outbox is empty.
func (u *unit) sendOutbox() {
	f := u.f
	select {
	case f.pushSlots <- struct{}{}:
		defer func() { <-f.pushSlots }()
	case <-f.ctx.Done():
	}
	for {
		u.pushMu.Lock()
		batch := u.outbox
		u.outbox = nil
		if len(batch) == 0 {
			u.sending = false
			u.pushMu.Unlock()
			return
		}
		u.pushMu.Unlock()
		for len(batch) > 0 {
			n := 1 // pushes to the same destination share a connection
			for n < len(batch) && batch[n].dst == batch[0].dst {
				n++
			}
			errs := u.push(batch[:n])
			for i, o := range batch[:n] {
				if errs[i] != nil {
					f.stats.pushesFailed.Add(1)
				} else {
					f.stats.pushes.Add(1)
				}
				o.done(errs[i])
			}
			batch = batch[n:]
		}
	}
}

// push seals and sends pushes to one destination on one connection and
// returns each one's outcome.
func (u *unit) push(batch []outgoing) []error {
	errs := make([]error, len(batch))
	fail := func(from int, err error) []error {
		err = fmt.Errorf("push from %s to %s: %w", u.serial, batch[0].dst.Address, err)
		for i := from; i < len(errs); i++ {
			errs[i] = err
		}
		return errs
	}
	ctx, cancel := context.WithTimeout(u.f.ctx, PushTimeout)
	defer cancel()
	if ctx.Err() != nil {
		return fail(0, ctx.Err())
	}
	network := "tcp"
	if batch[0].dst.Transport == push.UDP {
		network = "udp"
	}
	dial := u.f.cfg.PushDial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	c, err := dial(ctx, network, batch[0].dst.Address)
	if err != nil {
		return fail(0, err)
	}
	fc := fault.NewConn(c, u.plan.Load(), wrapper.HeaderLen, &u.f.stats.frames)
	defer fc.Close()
	if dl, ok := ctx.Deadline(); ok {
		fc.SetDeadline(dl)
	}
	for i, o := range batch {
		frame, err := u.sealer.AppendFrame(nil, o.apdu)
		if err != nil {
			errs[i] = fmt.Errorf("push from %s: %w", u.serial, err)
			continue
		}
		if _, err := fc.Write(frame); err != nil {
			return fail(i, err)
		}
	}
	push.HangUp(c) // so that the meter's next connection cannot overtake this one
	return errs
}
