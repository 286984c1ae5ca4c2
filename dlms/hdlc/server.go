package hdlc

import (
	"context"
	"fmt"
	"time"
)

// The server is the secondary station of normal response mode: it sends only
// when the client's poll bit gives it the turn, and hands the turn back
// with the final bit on the last frame it sends. It answers SNRM with UA
// and the agreed parameters, DISC with UA, and anything but SNRM with DM
// while disconnected.

func (c *Conn) serverRead(ctx context.Context) ([]byte, error) {
	if c.polled && c.connected {
		// The last APDU came with the poll and no response was written:
		// hand the turn back.
		if err := c.answerPoll(ctx); err != nil {
			return nil, err
		}
	}
	for {
		f, err := c.readUntil(ctx, c.inactivityLimit())
		if err == errNoAnswer {
			return nil, c.inactive()
		}
		if err != nil {
			return nil, err
		}
		complete, err := c.serve(ctx, f)
		if err != nil {
			return nil, err
		}
		if complete {
			return c.takeAPDU()
		}
	}
}

func (c *Conn) serverWrite(ctx context.Context, apdu []byte) error {
	if !c.connected {
		return ErrNotConnected
	}
	c.tx.load(llcResponse, apdu, c.params.MaxInfoTransmit)
	c.writing = true
	defer func() { c.writing = false }()
	if c.polled {
		if err := c.answerPoll(ctx); err != nil {
			return err
		}
	}
	for c.tx.next < c.tx.n {
		f, err := c.readUntil(ctx, c.inactivityLimit())
		if err == errNoAnswer {
			return c.inactive()
		}
		if err != nil {
			return err
		}
		if _, err := c.serve(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) inactivityLimit() time.Time {
	if c.cfg.InactivityTimeout < 0 {
		return time.Time{}
	}
	return time.Now().Add(c.cfg.InactivityTimeout)
}

func (c *Conn) inactive() error {
	c.connected = false
	c.resetLink()
	return fmt.Errorf("hdlc: nothing from client %v for %v: %w", c.remote, c.cfg.InactivityTimeout, ErrInactive)
}

// serve handles one frame from a client and reports whether it completed
// an APDU.
func (c *Conn) serve(ctx context.Context, f Frame) (complete bool, err error) {
	switch f.Kind {
	case KindSNRM:
		return false, c.acceptSNRM(ctx, f)
	case KindDISC:
		if !c.connected || !f.Src.sameStation(c.remote) {
			return false, c.reply(ctx, f, KindDM, nil)
		}
		c.connected = false
		c.resetLink()
		if err := c.reply(ctx, f, KindUA, nil); err != nil {
			return false, err
		}
		return false, fmt.Errorf("hdlc: DISC from client %v: %w", f.Src, ErrDisconnected)
	case KindUA, KindDM, KindFRMR:
		return false, nil // responses: a server sends them, it does not take them
	}
	if !c.connected || !f.Src.sameStation(c.remote) {
		if f.PF {
			return false, c.reply(ctx, f, KindDM, nil)
		}
		return false, nil
	}
	if f.Kind == KindUI {
		c.log.Debug("hdlc UI frame ignored", "frame", f)
		return false, nil
	}
	if c.frmr != nil {
		// The frame reject condition lasts until SNRM or DISC.
		if f.PF {
			return false, c.reply(ctx, f, KindFRMR, c.frmr)
		}
		return false, nil
	}
	if f.Kind == KindI && len(f.Info) > c.params.MaxInfoReceive {
		return false, c.reject(ctx, f, RejectInfoTooLong)
	}
	if _, ok := c.tx.ack(f.NR); !ok {
		return false, c.reject(ctx, f, RejectInvalidNR)
	}
	c.peerBusy = f.Kind == KindRNR
	// While writing, the server has the turn: an I frame from the client
	// now is not taken (it will come again).
	if f.Kind == KindI && !c.writing {
		complete = c.receive(f)
	}
	if f.PF {
		c.polled = true
	}
	if complete || !c.polled {
		return complete, nil
	}
	return false, c.answerPoll(ctx)
}

// answerPoll uses the turn the client gave: it sends again what the
// client's N(R) showed missing and the next window of the APDU being
// written, or RR when there is nothing to send or the client is busy.
func (c *Conn) answerPoll(ctx context.Context) error {
	c.polled = false
	c.tx.rewind()
	if c.tx.next < c.tx.n && !c.peerBusy {
		return c.sendWindow(ctx)
	}
	return c.sendToPeer(ctx, KindRR, true)
}

func (c *Conn) acceptSNRM(ctx context.Context, f Frame) error {
	if c.connected && !f.Src.sameStation(c.remote) {
		c.log.Debug("hdlc SNRM from a second client refused", "client", f.Src, "connected", c.remote)
		return c.reply(ctx, f, KindDM, nil)
	}
	proposal, err := DecodeParams(f.Info)
	if err != nil {
		c.log.Debug("hdlc SNRM refused", "client", f.Src, "err", err)
		return c.reply(ctx, f, KindDM, nil)
	}
	wasConnected := c.connected
	c.resetLink()
	c.local, c.remote = f.Dest, f.Src
	c.params = agree(c.cfg.limits(), proposal)
	c.connected = true
	if err := c.reply(ctx, f, KindUA, AppendParams(nil, c.params)); err != nil {
		return err
	}
	c.log.Debug("hdlc connected", "client", c.remote, "params", c.params)
	if wasConnected {
		return fmt.Errorf("hdlc: client %v connected again: %w", f.Src, ErrDisconnected)
	}
	return nil
}

// reject enters the frame reject condition for the command f.
func (c *Conn) reject(ctx context.Context, f Frame, reason uint8) error {
	c.frmr = appendReject(nil, f, c.tx.vs(), c.vr, reason)
	c.log.Debug("hdlc frame rejected", "frame", f, "reason", reason)
	if !f.PF {
		return nil
	}
	return c.reply(ctx, f, KindFRMR, c.frmr)
}

// reply sends an unnumbered response to the sender of f, with f's poll bit
// as its final bit.
func (c *Conn) reply(ctx context.Context, f Frame, kind Kind, info []byte) error {
	c.wbuf = c.wbuf[:0]
	c.appendFrame(Frame{Kind: kind, PF: f.PF, Dest: f.Src, Src: f.Dest, Info: info})
	return c.flush(ctx)
}
