package wrapper

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/dlms/internal/linkio"
)

// Config configures one end of a wrapper connection.
type Config struct {
	// Client is the client's wPort: 16 public, 32 reader, 1 management. A
	// client sends from it and 0 means 16; a server accepts any client when
	// it is 0, only this one otherwise.
	Client uint16
	// Server is the server's wPort (its logical device); 0 means 1, the
	// management logical device.
	Server uint16
	// MaxAPDU is the longest APDU accepted from the peer; 0 means
	// MaxAPDULen. Longer frames are rejected with ErrTooLong.
	MaxAPDU int
	// Logger receives debug records of rejected frames; nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults(server bool) (Config, error) {
	if c.Client == 0 && !server {
		c.Client = 16
	}
	if c.Server == 0 {
		c.Server = 1
	}
	if c.MaxAPDU == 0 {
		c.MaxAPDU = MaxAPDULen
	}
	if c.MaxAPDU < 0 || c.MaxAPDU > MaxAPDULen {
		return c, fmt.Errorf("wrapper: Config.MaxAPDU %d outside 1…%d", c.MaxAPDU, MaxAPDULen)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// Conn is one end of a DLMS/COSEM connection over the wrapper. One
// goroutine may read while another writes; Close may be called at any time.
type Conn struct {
	cfg    Config
	server bool
	s      linkio.Stream
	rd     *Reader
	log    *slog.Logger

	peer atomic.Uint32 // a server's client wPort: the source of the last frame read

	wmu  sync.Mutex
	wbuf []byte
	werr error // sticky: a write was cut short, the peer is out of step
}

// Dial connects to a DLMS/COSEM server at addr ("host:port"; the IANA port
// is DefaultPort) over TCP.
func Dial(ctx context.Context, addr string, cfg Config) (*Conn, error) {
	return linkio.DialTCP(ctx, addr, func(nc net.Conn) (*Conn, error) { return NewClient(nc, cfg) })
}

// NewClient returns the client end of a wrapper connection over rw (a
// net.Conn, a serial line, or any io.ReadWriter; see Conn.ReadAPDU for how
// contexts apply to each).
func NewClient(rw io.ReadWriter, cfg Config) (*Conn, error) {
	return newConn(rw, cfg, false)
}

// NewServer returns the server end of a wrapper connection over rw, for
// example a net.Conn from a net.Listener.
func NewServer(rw io.ReadWriter, cfg Config) (*Conn, error) {
	return newConn(rw, cfg, true)
}

func newConn(rw io.ReadWriter, cfg Config, server bool) (*Conn, error) {
	cfg, err := cfg.withDefaults(server)
	if err != nil {
		return nil, err
	}
	s := linkio.New(rw)
	c := &Conn{cfg: cfg, server: server, s: s, rd: NewReader(s, cfg.MaxAPDU), log: cfg.Logger}
	c.peer.Store(uint32(cfg.Client))
	return c, nil
}

// ClientAddress is the client's wPort: a client's own, or for a server the
// source wPort of the last frame it read (0 before the first), which
// selects the association.
func (c *Conn) ClientAddress() uint16 { return uint16(c.peer.Load()) }

// ServerAddress is the server's wPort (logical device) of this connection.
func (c *Conn) ServerAddress() uint16 { return c.cfg.Server }

// WriteAPDU sends apdu in one frame to the peer: a client to its server, a
// server to the client of the last frame it read. ctx bounds the write on a
// stream with deadlines (net.Conn); a write cut short leaves the peer out of
// step, so every later WriteAPDU fails with the same error.
func (c *Conn) WriteAPDU(ctx context.Context, apdu []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return c.werr
	}
	f := Frame{Source: c.cfg.Client, Dest: c.cfg.Server, APDU: apdu}
	if c.server {
		f.Source, f.Dest = c.cfg.Server, c.ClientAddress()
	}
	var err error
	c.wbuf, err = AppendFrame(c.wbuf[:0], f)
	if err != nil {
		return err
	}
	err = linkio.Write(ctx, c.s, time.Time{}, func() error {
		n, err := c.s.Write(c.wbuf)
		if err != nil && n > 0 {
			c.werr = fmt.Errorf("wrapper: write cut short after %d of %d bytes: %w", n, len(c.wbuf), err)
			return c.werr
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("wrapper: write: %w", err)
	}
	return nil
}

// ReadAPDU returns the APDU of the next frame; it is valid until the next
// ReadAPDU. A frame addressed to another wPort (ErrDestination) or, for a
// client, coming from another server wPort (ErrSource) is consumed and
// reported; the next call reads on. A header error (ErrVersion, ErrTooLong)
// is final: the stream is out of step. At the end of the stream it returns
// io.EOF, or io.ErrUnexpectedEOF inside a frame.
//
// ctx cancellation and deadline interrupt a read on a net.Conn or any
// stream with SetReadDeadline; on another io.ReadWriter the read returns at
// once, but a Read the stream is still inside ends only when the stream
// delivers data or fails. An interrupted ReadAPDU loses nothing: the next
// call carries on with the bytes already received.
func (c *Conn) ReadAPDU(ctx context.Context) ([]byte, error) {
	var f Frame
	err := linkio.Read(ctx, c.s, time.Time{}, func() error {
		var err error
		f, err = c.rd.ReadFrame()
		return err
	})
	if err != nil {
		return nil, err
	}
	if c.server {
		if f.Dest != c.cfg.Server {
			return nil, c.reject(f, ErrDestination)
		}
		if c.cfg.Client != 0 && f.Source != c.cfg.Client {
			return nil, c.reject(f, ErrSource)
		}
		c.peer.Store(uint32(f.Source))
		return f.APDU, nil
	}
	if f.Dest != c.cfg.Client {
		return nil, c.reject(f, ErrDestination)
	}
	if f.Source != c.cfg.Server {
		return nil, c.reject(f, ErrSource)
	}
	return f.APDU, nil
}

func (c *Conn) reject(f Frame, reason error) error {
	err := &HeaderError{Header: Header{Version: Version, Source: f.Source, Dest: f.Dest, Length: uint16(len(f.APDU))}, Err: reason}
	c.log.Debug("wrapper frame rejected", "src", f.Source, "dst", f.Dest, "len", len(f.APDU), "err", reason)
	return err
}

// Close closes the underlying stream (when it can be closed).
func (c *Conn) Close() error {
	return linkio.Close(c.s)
}
