package hdlc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/amigo-ami/amigo/dlms/internal/linkio"
)

// Sentinels for the connection's outcomes, matched with errors.Is.
var (
	// ErrTimeout: a client got no answer after its retries. The link state
	// is unknown; Close the connection and dial again.
	ErrTimeout = errors.New("hdlc: no answer from the server")
	// ErrRefused: the server answered SNRM with DM.
	ErrRefused = errors.New("hdlc: connection refused (DM)")
	// ErrDisconnected: the link ended: the server sent DM to a client, or
	// the client sent DISC or a new SNRM to a server. A server's next
	// ReadAPDU serves the next connection (a new SNRM may already have set
	// it up: read ClientAddress again).
	ErrDisconnected = errors.New("hdlc: disconnected")
	// ErrNotConnected: a server was asked to write with no connection.
	ErrNotConnected = errors.New("hdlc: not connected")
	// ErrInactive: a server heard nothing for its inactivity timeout and
	// dropped the connection.
	ErrInactive = errors.New("hdlc: inactivity timeout")
	// ErrAPDUTooLong: the peer's segments added up to more than MaxAPDU;
	// the APDU was dropped and the link goes on.
	ErrAPDUTooLong = errors.New("hdlc: reassembled APDU longer than the maximum")
	// ErrLLC: a reassembled APDU lacks the LLC header E6 E6 00 / E6 E7 00;
	// it was dropped and the link goes on.
	ErrLLC = errors.New("hdlc: missing LLC header")
	// ErrProtocol: the server acknowledged frames the client never sent.
	ErrProtocol = errors.New("hdlc: protocol violation")
)

// LLC headers in front of every APDU (the Green Book's LLC sublayer):
// destination LSAP, source LSAP (E6 for a command, E7 for a response),
// quality.
const (
	llcCommand  = "\xE6\xE6\x00"
	llcResponse = "\xE6\xE7\x00"
)

// errNoAnswer is readUntil's report that its time limit passed.
var errNoAnswer = errors.New("hdlc: no frame in time")

// Stats counts what a Conn has done.
type Stats struct {
	FramesSent      int // frames written
	FramesReceived  int // well-formed frames addressed to this end
	Invalid         int // malformed frames dropped (check sequence, format, length)
	Retransmissions int // I frames sent again
	Timeouts        int // waits for the peer that ran out
}

// Conn is one end of an HDLC connection in normal response mode: the client
// is the primary station, the server the secondary. A Conn is driven by one
// goroutine at a time: WriteAPDU, ReadAPDU and Close must not run
// concurrently (cancel a call's context to stop it).
type Conn struct {
	cfg    Config
	server bool
	s      linkio.Stream
	rd     *Reader
	log    *slog.Logger

	local, remote Address // as written in this end's frames
	connected     bool
	params        Params // agreed, from this end's side
	broken        error  // the link failed: Close does not send DISC

	vr        uint8 // V(R): the N(S) expected next
	tx        sendQueue
	rx        []byte // information fields received so far: LLC header and APDU
	rxTooLong bool

	writing  bool   // a server is inside WriteAPDU: it takes no new I frames
	polled   bool   // a server has the client's poll: it may send
	peerBusy bool   // the peer sent RNR
	frmr     []byte // a server in the frame reject condition: the FRMR information field

	wbuf  []byte
	stats Stats
}

// Dial connects over TCP to addr ("host:port") and sets up the HDLC link
// (SNRM/UA), as Connect does.
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	return linkio.DialTCP(ctx, addr, func(nc net.Conn) (*Conn, error) { return Connect(ctx, nc, cfg) })
}

// Connect sets up the HDLC link as a client over rw (a net.Conn, a serial
// line or any io.ReadWriter): it sends SNRM with the parameters of cfg
// (none when they are the defaults) and applies those of the server's UA.
// rw is left open when it fails.
func Connect(ctx context.Context, rw io.ReadWriter, cfg Config) (*Conn, error) {
	c, err := newConn(rw, cfg, false)
	if err != nil {
		return nil, err
	}
	if err := c.connect(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// NewServer returns the server end of an HDLC link over rw, for example a
// net.Conn from a net.Listener. It answers the client's SNRM in ReadAPDU.
func NewServer(rw io.ReadWriter, cfg Config) (*Conn, error) {
	return newConn(rw, cfg, true)
}

func newConn(rw io.ReadWriter, cfg Config, server bool) (*Conn, error) {
	cfg, err := cfg.withDefaults(server)
	if err != nil {
		return nil, err
	}
	s := linkio.New(rw)
	c := &Conn{cfg: cfg, server: server, s: s, rd: NewReader(s), log: cfg.Logger, params: DefaultParams()}
	c.local, c.remote = ClientAddress(cfg.Client), cfg.Server
	c.remote.Size = cfg.Server.encodedSize()
	if server {
		c.local, c.remote = c.remote, c.local
	}
	return c, nil
}

// ClientAddress is the client SAP of the connection: a client's own, or
// for a server the SAP of the client whose SNRM it accepted, which selects
// the association (0 before any).
func (c *Conn) ClientAddress() uint16 {
	if c.server {
		return c.remote.Upper
	}
	return c.local.Upper
}

// ServerAddress is the upper HDLC address (the logical device) the client
// addresses.
func (c *Conn) ServerAddress() uint16 {
	if c.server {
		return c.local.Upper
	}
	return c.remote.Upper
}

// Params are the agreed parameters, from this end's side.
func (c *Conn) Params() Params { return c.params }

// Stats reports the counters of the connection so far.
func (c *Conn) Stats() Stats { return c.stats }

// WriteAPDU sends apdu behind the LLC header, in as many I frames as the
// agreed information field length needs, a window at a time. A client
// returns once the last segment is out (the server answers it with its
// response, which ReadAPDU waits for); a server returns once its last
// window is out. ctx bounds every wait; see ReadAPDU for streams without
// deadlines.
func (c *Conn) WriteAPDU(ctx context.Context, apdu []byte) error {
	if c.server {
		return c.serverWrite(ctx, apdu)
	}
	return c.clientWrite(ctx, apdu)
}

// ReadAPDU returns the next whole APDU, reassembled and without its LLC
// header; it is valid until the next ReadAPDU. A server answers SNRM, DISC
// and polls while it waits; a client polls again when the server's answer
// is late and gives up with ErrTimeout after its retries.
//
// ctx cancellation and deadline interrupt the wait on a net.Conn or any
// stream with SetReadDeadline; other streams are read through an adapter
// that returns at once, while the Read it is inside ends only when the
// stream delivers data or fails (close the stream to end it).
func (c *Conn) ReadAPDU(ctx context.Context) ([]byte, error) {
	if c.server {
		return c.serverRead(ctx)
	}
	return c.clientRead(ctx)
}

// Close ends the link and closes the stream (when it can be closed). A
// client sends DISC and waits for UA or DM, retrying as for any command,
// unless the link already failed; a server, which cannot send commands,
// just closes the stream.
func (c *Conn) Close() error {
	var err error
	if !c.server && c.connected && c.broken == nil {
		err = c.disconnect()
	}
	return errors.Join(err, linkio.Close(c.s))
}

// readUntil returns the next well-formed frame addressed to this end,
// dropping others, or errNoAnswer once limit (zero: none) has passed.
func (c *Conn) readUntil(ctx context.Context, limit time.Time) (Frame, error) {
	for {
		var f Frame
		err := linkio.Read(ctx, c.s, limit, func() error {
			var err error
			f, err = c.rd.ReadFrame()
			return err
		})
		// The Reader returns a *FrameError as it is; a type switch keeps
		// it off the heap.
		_, invalid := err.(*FrameError)
		switch {
		case invalid:
			c.stats.Invalid++
			c.log.Debug("hdlc frame dropped", "err", err)
			continue
		case errors.Is(err, os.ErrDeadlineExceeded):
			c.stats.Timeouts++
			return f, errNoAnswer
		case errors.Is(err, io.EOF) && (len(c.rx) > 0 || c.tx.next < c.tx.n):
			return f, fmt.Errorf("hdlc: stream ended inside a segmented exchange: %w", io.ErrUnexpectedEOF)
		case err != nil:
			return f, err
		}
		if !c.addressedToUs(f) {
			c.log.Debug("hdlc frame for another station", "frame", f)
			continue
		}
		c.stats.FramesReceived++
		return f, nil
	}
}

func (c *Conn) addressedToUs(f Frame) bool {
	if !c.server {
		return f.Dest.sameStation(c.local) && f.Src.sameStation(c.remote)
	}
	want := c.cfg.Server
	return f.Dest.Upper == want.Upper && (want.Lower == 0 || f.Dest.Lower == want.Lower) &&
		f.Src.Size == 1 && (c.cfg.Client == 0 || f.Src.Upper == uint16(c.cfg.Client))
}

// appendToPeer appends f, addressed to the peer, to the write buffer.
func (c *Conn) appendToPeer(f Frame) {
	f.Dest, f.Src = c.remote, c.local
	c.appendFrame(f)
}

func (c *Conn) appendFrame(f Frame) {
	var err error
	c.wbuf, err = AppendFrame(c.wbuf, f)
	if err != nil {
		// Addresses come from a validated Config or from a decoded frame,
		// and information fields from the agreed length: unreachable.
		panic(fmt.Sprintf("hdlc: encoding own frame %v: %v", f, err))
	}
	c.stats.FramesSent++
}

// flush writes the write buffer. A write the peer does not take within
// the time this end would wait for it (a client's response timeout, a
// server's inactivity timeout) fails with ErrTimeout and breaks the link.
func (c *Conn) flush(ctx context.Context) error {
	limit := c.inactivityLimit()
	if !c.server {
		limit = time.Now().Add(c.cfg.ResponseTimeout)
	}
	err := linkio.Write(ctx, c.s, limit, func() error {
		_, err := c.s.Write(c.wbuf)
		return err
	})
	c.wbuf = c.wbuf[:0]
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.broken = fmt.Errorf("hdlc: write to %v stalled: %w", c.remote, ErrTimeout)
		return c.broken
	case err != nil:
		return fmt.Errorf("hdlc: write to %v: %w", c.remote, err)
	}
	return nil
}

// sendToPeer writes one frame without information field to the peer.
func (c *Conn) sendToPeer(ctx context.Context, kind Kind, pf bool) error {
	c.wbuf = c.wbuf[:0]
	c.appendToPeer(Frame{Kind: kind, NR: c.vr, PF: pf})
	return c.flush(ctx)
}

// receive takes an I frame's information field when the frame is the one
// expected (N(S) = V(R)) and reports whether it ended an APDU. Others are
// dropped: the sender sends them again from the N(R) it is told.
func (c *Conn) receive(f Frame) (complete bool) {
	if f.NS != c.vr {
		c.log.Debug("hdlc frame out of sequence", "ns", f.NS, "vr", c.vr)
		return false
	}
	c.vr = (c.vr + 1) & 7
	switch {
	case c.rxTooLong:
	case len(c.rx)+len(f.Info) > c.cfg.MaxAPDU+len(llcCommand):
		c.rxTooLong = true
	default:
		c.rx = append(c.rx, f.Info...)
	}
	return !f.Segmented
}

// takeAPDU returns the reassembled APDU without its LLC header and starts
// the next one. The APDU aliases rx until the next receive.
func (c *Conn) takeAPDU() ([]byte, error) {
	rx, tooLong := c.rx, c.rxTooLong
	c.rx, c.rxTooLong = c.rx[:0], false
	switch {
	case tooLong:
		return nil, fmt.Errorf("hdlc: APDU from %v above %d bytes: %w", c.remote, c.cfg.MaxAPDU, ErrAPDUTooLong)
	case len(rx) < 3 || rx[0] != 0xE6 || rx[1]&^1 != 0xE6 || rx[2] != 0:
		return nil, fmt.Errorf("hdlc: APDU from %v starts % X: %w", c.remote, rx[:min(len(rx), 3)], ErrLLC)
	}
	return rx[3:], nil
}

// resetLink starts a new link: sequence numbers and both directions' data.
func (c *Conn) resetLink() {
	c.vr, c.tx = 0, sendQueue{data: c.tx.data[:0]}
	c.rx, c.rxTooLong = c.rx[:0], false
	c.polled, c.peerBusy, c.frmr, c.broken = false, false, nil, nil
}
