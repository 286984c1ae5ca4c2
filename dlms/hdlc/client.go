package hdlc

import (
	"context"
	"fmt"
	"time"
)

// The client is the primary station of normal response mode: it opens the link
// with SNRM, sends its requests a window at a time, each window ending with
// the poll bit, and reads the server's windows, each ending with the final
// bit. When an answer is late it polls with RR, which makes the server
// repeat whatever the N(R) in that RR shows missing.

// connect sends SNRM and applies the parameters of the server's UA.
func (c *Conn) connect(ctx context.Context) error {
	own := c.cfg.limits()
	var info []byte
	if own != DefaultParams() {
		info = AppendParams(nil, own)
	}
	f, err := c.command(ctx, KindSNRM, info)
	if err != nil {
		return err
	}
	switch f.Kind {
	case KindDM:
		return fmt.Errorf("hdlc: SNRM to %v: %w", c.remote, ErrRefused)
	case KindFRMR:
		return fmt.Errorf("hdlc: SNRM to %v: %w", c.remote, rejectError(f.Info))
	}
	p, err := DecodeParams(f.Info)
	if err != nil {
		return fmt.Errorf("hdlc: UA from %v: %w", c.remote, err)
	}
	c.resetLink()
	c.params = agree(own, p)
	c.connected = true
	c.log.Debug("hdlc connected", "server", c.remote, "params", c.params)
	return nil
}

// disconnect sends DISC; UA, DM or FRMR all leave the server disconnected.
func (c *Conn) disconnect() error {
	_, err := c.command(context.Background(), KindDISC, nil)
	c.connected = false
	return err
}

// command sends the unnumbered command kind (SNRM or DISC) with the poll
// bit and returns the server's UA, DM or FRMR, sending the command again
// after each response time without one, up to MaxRetries times.
func (c *Conn) command(ctx context.Context, kind Kind, info []byte) (Frame, error) {
	for attempt := 0; ; attempt++ {
		c.wbuf = c.wbuf[:0]
		c.appendToPeer(Frame{Kind: kind, PF: true, Info: info})
		if err := c.flush(ctx); err != nil {
			return Frame{}, err
		}
		limit := time.Now().Add(c.cfg.ResponseTimeout)
		for {
			f, err := c.readUntil(ctx, limit)
			if err == errNoAnswer {
				break
			}
			if err != nil || f.Kind == KindUA || f.Kind == KindDM || f.Kind == KindFRMR {
				return f, err
			}
		}
		if attempt == c.cfg.MaxRetries {
			return Frame{}, fmt.Errorf("hdlc: %v to %v unanswered: %w", kind, c.remote, ErrTimeout)
		}
	}
}

func (c *Conn) clientWrite(ctx context.Context, apdu []byte) error {
	if err := c.usable(); err != nil {
		return err
	}
	c.tx.load(llcCommand, apdu, c.params.MaxInfoTransmit)
	return c.pushRequest(ctx)
}

// usable reports why a client cannot exchange APDUs, if it cannot.
func (c *Conn) usable() error {
	switch {
	case c.broken != nil:
		return c.broken
	case !c.connected:
		return ErrDisconnected
	}
	return nil
}

// pushRequest sends the request's segments from the first unacknowledged
// one, a window at a time, until the last is out; between windows it waits
// for the server's RR.
func (c *Conn) pushRequest(ctx context.Context) error {
	for {
		if err := c.sendWindow(ctx); err != nil {
			return err
		}
		if c.tx.next == c.tx.n {
			return nil
		}
		if err := c.awaitReady(ctx); err != nil {
			return err
		}
	}
}

// awaitReady waits for the server's answer to the poll that ended a window
// of the request: RR (or RNR, then poll until RR). The window is then sent
// again from the N(R) it carries.
func (c *Conn) awaitReady(ctx context.Context) error {
	w := c.newWait()
	for {
		f, err := c.readUntil(ctx, w.limit)
		if err == errNoAnswer {
			if err := w.retry(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		if err := c.checkDisconnect(f); err != nil {
			return err
		}
		if f.Kind != KindRR && f.Kind != KindRNR && f.Kind != KindI {
			continue
		}
		// An I frame here breaks the turn-taking; only its N(R) counts.
		progress, err := c.ackFrom(f)
		if err != nil {
			return err
		}
		if progress {
			w.progress()
		}
		c.peerBusy = f.Kind == KindRNR
		if f.PF && !c.peerBusy {
			c.tx.rewind()
			return nil
		}
	}
}

func (c *Conn) clientRead(ctx context.Context) ([]byte, error) {
	if err := c.usable(); err != nil {
		return nil, err
	}
	w := c.newWait()
	for {
		f, err := c.readUntil(ctx, w.limit)
		if err == errNoAnswer {
			if err := w.retry(ctx); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if err := c.checkDisconnect(f); err != nil {
			return nil, err
		}
		if f.Kind != KindRR && f.Kind != KindRNR && f.Kind != KindI {
			continue
		}
		progress, err := c.ackFrom(f)
		if err != nil {
			return nil, err
		}
		c.peerBusy = f.Kind == KindRNR
		if f.Kind == KindI {
			vr := c.vr
			if c.receive(f) {
				return c.takeAPDU()
			}
			progress = progress || c.vr != vr
			if f.PF && c.vr != vr {
				// The server's window is done and the APDU is not: ask
				// for the next window. (A final bit on a frame that was
				// not taken waits for the timeout: it is usually a
				// repeat the server sent for an earlier poll.)
				if err := c.sendToPeer(ctx, KindRR, true); err != nil {
					return nil, err
				}
				w.restart()
			}
		} else if f.PF && c.tx.acked < c.tx.n && !c.peerBusy {
			// The server is still missing part of the request.
			c.tx.rewind()
			if err := c.pushRequest(ctx); err != nil {
				return nil, err
			}
			w.restart()
		}
		if progress {
			w.progress()
		}
	}
}

// ackFrom takes the N(R) of a frame from the server.
func (c *Conn) ackFrom(f Frame) (progress bool, err error) {
	progress, ok := c.tx.ack(f.NR)
	if !ok {
		c.broken = fmt.Errorf("hdlc: %v acknowledges frames never sent (V(A)=%d V(S)=%d): %w", f, c.tx.va, c.tx.vs(), ErrProtocol)
		return false, c.broken
	}
	return progress, nil
}

// checkDisconnect turns the server's DM or FRMR into the client's error.
func (c *Conn) checkDisconnect(f Frame) error {
	switch f.Kind {
	case KindDM:
		c.connected = false
		return fmt.Errorf("hdlc: DM from %v: %w", c.remote, ErrDisconnected)
	case KindFRMR:
		c.broken = fmt.Errorf("hdlc: from %v: %w", c.remote, rejectError(f.Info))
		return c.broken
	}
	return nil
}

// wait is a client's wait for the server: one response time, then a poll,
// up to MaxRetries times.
type wait struct {
	c       *Conn
	limit   time.Time
	retries int
}

func (c *Conn) newWait() *wait {
	w := &wait{c: c}
	w.restart()
	return w
}

func (w *wait) restart() { w.limit = time.Now().Add(w.c.cfg.ResponseTimeout) }

// progress notes that the server acknowledged or delivered something new:
// it is alive, and the response time counts from now.
func (w *wait) progress() {
	w.retries = 0
	w.restart()
}

// retry polls the server with RR after a response time without an answer,
// or gives up with ErrTimeout.
func (w *wait) retry(ctx context.Context) error {
	c := w.c
	if w.retries >= c.cfg.MaxRetries {
		c.broken = fmt.Errorf("hdlc: %v silent after %d polls: %w", c.remote, w.retries, ErrTimeout)
		return c.broken
	}
	w.retries++
	c.log.Debug("hdlc poll", "server", c.remote, "retry", w.retries)
	if err := c.sendToPeer(ctx, KindRR, true); err != nil {
		return err
	}
	w.restart()
	return nil
}
