package dlms

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/hdlc"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// ClientPolicy is what a server requires of one client SAP (ARCHITECTURE
// §4: 16 public with MechanismLowest, 32 reader with MechanismLow, 1
// management with MechanismHighGMAC).
type ClientPolicy struct {
	// Mechanism is the authentication the client must use:
	// MechanismLowest, MechanismLow (LLS) or MechanismHighGMAC (HLS with
	// security suite 0 ciphering).
	Mechanism Mechanism
	// Password is the LLS secret. It can be changed through the
	// association's secret attribute; the server keeps the change in
	// memory (a meter persists it itself).
	Password []byte
	// Keys hold the client's unicast encryption key (KeyGlobalUnicast),
	// authentication key (KeyAuthentication) and optionally the broadcast
	// key, read when an association starts, so that key_transfer applies
	// from the next association on.
	Keys cosem.KeyStore
	// SystemTitle, when set, is the only client system title accepted.
	SystemTitle []byte
	// Policy is the protection required of every xDLMS APDU of a ciphered
	// association; SecurityAuthenticatedEncryption when zero.
	Policy SecurityControl
}

// ServerConfig configures a Server. Tree and Clients are required; the
// rest have defaults.
type ServerConfig struct {
	// Listen is the TCP address; "127.0.0.1:4059" when empty, ":0" picks a
	// port. NoListen ("-") opens no listener: the server serves only the
	// connections handed to ServeConn (a fleet simulator accepting for
	// thousands of meters itself).
	Listen string
	// HDLC frames APDUs with HDLC over TCP instead of the wrapper.
	HDLC bool
	// Tree is what the server exposes.
	Tree cosem.Tree
	// Clients is what the server requires of each client SAP; a client
	// not here is refused.
	Clients map[uint16]ClientPolicy
	// SystemTitle is the server's 8-byte system title (ARCHITECTURE §4:
	// "AMG" and 5 bytes of the serial number); required for HLS.
	SystemTitle []byte
	// Counters keeps invocation counters; in memory when nil. See
	// CounterKeys for the names the server uses.
	Counters CounterStore
	// MaxPDU is the largest APDU the server receives (its
	// server-max-receive-pdu-size); 1024 when 0.
	MaxPDU uint16
	// MaxBlockData bounds what a client may send in blocks (SET and
	// ACTION with datablocks); 1 MiB when 0.
	MaxBlockData int
	// InactivityTimeout drops a connection that sends nothing for that
	// long; 120 s when 0.
	InactivityTimeout time.Duration
	// Rand supplies HLS challenges; crypto/rand when nil.
	Rand io.Reader
	// Logger receives connection and security events; discarded when nil.
	// Keys, passwords and deciphered APDUs are never logged.
	Logger *slog.Logger
	// Trace, when set, sees every APDU of every connection.
	Trace Tracer
}

// Conformance the server offers: GET, SET, ACTION with selective access,
// multiple references and block transfer for all three; general protection
// to ciphered associations.
const serverConformance = ConformanceGet | ConformanceSet | ConformanceAction | ConformanceSelectiveAccess |
	ConformanceMultipleReferences | ConformanceBlockTransferWithGet | ConformanceBlockTransferWithSet |
	ConformanceBlockTransferWithAction

func (c ServerConfig) withDefaults() (ServerConfig, error) {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:4059"
	}
	if c.Tree == nil || len(c.Clients) == 0 {
		return c, errors.New("dlms: ServerConfig needs a Tree and Clients")
	}
	for sap, cl := range c.Clients {
		switch cl.Mechanism {
		case MechanismLowest:
		case MechanismLow:
			if len(cl.Password) == 0 {
				return c, fmt.Errorf("dlms: client %d: LLS needs a password", sap)
			}
		case MechanismHighGMAC:
			if cl.Keys == nil || len(c.SystemTitle) != SystemTitleSize {
				return c, fmt.Errorf("dlms: client %d: HLS-GMAC needs keys and an 8-byte server system title", sap)
			}
		default:
			return c, fmt.Errorf("dlms: client %d: mechanism %s is not supported", sap, cl.Mechanism)
		}
	}
	if c.Counters == nil {
		c.Counters = NewMemoryCounters()
	}
	if c.MaxPDU == 0 {
		c.MaxPDU = 1024
	}
	if c.MaxPDU < minPDU {
		return c, fmt.Errorf("dlms: MaxPDU %d below %d", c.MaxPDU, minPDU)
	}
	if c.MaxBlockData == 0 {
		c.MaxBlockData = 1 << 20
	}
	if c.InactivityTimeout == 0 {
		c.InactivityTimeout = 120 * time.Second
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// minPDU is the smallest max-receive-pdu-size either side accepts: room
// for a ciphered block header and some data.
const minPDU = 64

// ServerStats counts what a server has seen.
type ServerStats struct {
	Connections          uint64 // accepted
	Associations         uint64 // AARQs accepted
	AssociationsRejected uint64 // AARQs refused (and HLS pass 3 failures)
	Replays              uint64 // ciphered APDUs refused for an old invocation counter
	Exceptions           uint64 // ExceptionResponses sent
}

// Server is a DLMS/COSEM server: it accepts connections, runs one
// association state machine per connection and serves the Tree.
type Server struct {
	cfg ServerConfig
	log *slog.Logger
	ln  net.Listener

	pwMu      sync.Mutex
	passwords map[uint16][]byte

	connections, associations, rejected, replays, exceptions atomic.Uint64
}

// NewServer checks cfg, fills defaults and listens on cfg.Listen.
func NewServer(cfg ServerConfig) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, passwords: map[uint16][]byte{}}
	for sap, cl := range cfg.Clients {
		s.passwords[sap] = bytes.Clone(cl.Password)
	}
	if cfg.Listen == NoListen {
		return s, nil
	}
	if s.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("dlms: listen %s: %w", cfg.Listen, err)
	}
	return s, nil
}

// NoListen as ServerConfig.Listen makes a server without a listener.
const NoListen = "-"

// ErrNoListener is what Serve returns for a server made with NoListen.
var ErrNoListener = errors.New("dlms: server has no listener")

// Close closes the listener: Serve returns, and a server that never
// served frees its port.
func (s *Server) Close() error {
	if s.ln == nil {
		return nil
	}
	return s.ln.Close()
}

// Addr is the address the server listens on (nil without a listener).
func (s *Server) Addr() net.Addr {
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Stats returns the server's counts so far.
func (s *Server) Stats() ServerStats {
	return ServerStats{s.connections.Load(), s.associations.Load(), s.rejected.Load(), s.replays.Load(), s.exceptions.Load()}
}

// Serve accepts connections until ctx is done, then closes the listener
// and every connection and returns once they have ended.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		return ErrNoListener
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { s.ln.Close() })
	defer stop()
	var err error
	for {
		nc, aerr := s.ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("dlms: accept: %w", aerr)
			}
			break
		}
		s.connections.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.serveNetConn(ctx, nc)
		}()
	}
	cancel()
	wg.Wait()
	return err
}

func (s *Server) serveNetConn(ctx context.Context, nc net.Conn) {
	log := s.log.With("addr", nc.RemoteAddr().String())
	t, err := s.newTransport(nc)
	if err != nil {
		log.Warn("dlms: transport", "err", err)
		nc.Close()
		return
	}
	if err := s.ServeConn(ctx, t); err != nil {
		log.Debug("dlms: connection ended", "err", err)
	}
}

func (s *Server) newTransport(nc net.Conn) (ServerTransport, error) {
	if s.cfg.HDLC {
		return hdlc.NewServer(nc, hdlc.Config{MaxAPDU: maxAPDU(s.cfg.MaxPDU), InactivityTimeout: s.cfg.InactivityTimeout, Logger: s.log})
	}
	return wrapper.NewServer(nc, wrapper.Config{MaxAPDU: maxAPDU(s.cfg.MaxPDU), Logger: s.log})
}

// ServeConn runs the association state machine over one connection until
// the client closes it, stays silent for the inactivity timeout, the
// transport fails, or ctx is done; it closes t. Servers call it for each
// accepted connection; tests and embedders call it with transports of
// their own.
func (s *Server) ServeConn(ctx context.Context, t ServerTransport) error {
	defer t.Close()
	stop := context.AfterFunc(ctx, func() { t.Close() })
	defer stop()
	// A timer that closes the transport, reset after every APDU, bounds
	// the silence without a context per read.
	var idle atomic.Bool
	timer := time.AfterFunc(s.cfg.InactivityTimeout, func() {
		idle.Store(true)
		t.Close()
	})
	defer timer.Stop()
	sess := newSession(s)
	for {
		req, err := t.ReadAPDU(ctx)
		switch {
		case idle.Load():
			return fmt.Errorf("dlms: no APDU for %v: %w", s.cfg.InactivityTimeout, ErrInactive)
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			return fmt.Errorf("dlms: read: %w", err)
		}
		timer.Reset(s.cfg.InactivityTimeout)
		sess.client = t.ClientAddress()
		resp := sess.handle(ctx, req)
		if s.cfg.Trace != nil {
			s.cfg.Trace(TraceEvent{Wire: req, Plain: sess.reqPlain})
			if resp != nil {
				s.cfg.Trace(TraceEvent{Sent: true, Wire: resp, Plain: sess.respPlain})
			}
		}
		if resp == nil {
			continue
		}
		if err := t.WriteAPDU(ctx, resp); err != nil {
			return fmt.Errorf("dlms: write: %w", err)
		}
	}
}

// ErrInactive ends a connection whose client sent nothing for the
// inactivity timeout.
var ErrInactive = errors.New("dlms: client inactive")

// maxAPDU is the longest APDU a transport takes for a PDU size: a little
// more than the size, for peers that count it loosely.
func maxAPDU(pdu uint16) int { return min(int(pdu)+64, wrapper.MaxAPDULen) }

// CounterKeys names the invocation counters a server keeps for client:
// send, its own counter towards the client, and receive, the last counter
// accepted from the client. The receive counter is what the invocation
// counter object (0.0.43.1.0.255) shows.
func CounterKeys(client uint16) (send, receive string) {
	return fmt.Sprintf("server/client-%d/send", client), fmt.Sprintf("server/client-%d/receive", client)
}

// InvocationCounter returns the last invocation counter the server
// accepted from client (0 before any), the value of the invocation counter
// object a client reads to resynchronise. It comes from the counter store,
// so a server restarted on a persistent store reports what it accepted
// before.
func (s *Server) InvocationCounter(client uint16) uint32 {
	_, key := CounterKeys(client)
	ic, _ := s.cfg.Counters.LastAccepted(key)
	return ic
}

func (s *Server) password(client uint16) []byte {
	s.pwMu.Lock()
	defer s.pwMu.Unlock()
	return s.passwords[client]
}

func (s *Server) setPassword(client uint16, pw []byte) {
	s.pwMu.Lock()
	defer s.pwMu.Unlock()
	s.passwords[client] = bytes.Clone(pw)
}
