package dlms

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// Notification is a DataNotification a meter pushed (Green Book §9.4.6.8),
// owned by the receiver.
type Notification struct {
	From     net.Addr
	Source   uint16 // the wrapper wPort it came from
	Dest     uint16 // the wrapper wPort it was sent to
	InvokeID apdu.LongInvokeIDAndPriority
	// DateTime is the notification's 12-byte date-time, nil when absent.
	DateTime []byte
	Body     []axdr.Value
	// SystemTitle is the sender's system title when the push was
	// ciphered (general-glo-ciphering), nil otherwise.
	SystemTitle []byte
}

// PushConfig configures a PushListener.
type PushConfig struct {
	// Listen is the address pushes arrive at; "127.0.0.1:4059" when
	// empty, ":0" picks a port.
	Listen string
	// UDP receives one wrapper frame per datagram instead of TCP streams.
	UDP bool
	// Security returns the security context of the meter with a system
	// title, to open ciphered pushes; ciphered pushes are dropped when
	// nil. The context is used from the listener's goroutines one at a
	// time per call.
	Security func(systemTitle []byte) (*security.Context, error)
	// MaxAPDU is the longest push accepted; wrapper.MaxAPDULen when 0.
	MaxAPDU int
	// Logger receives records of dropped pushes; discarded when nil.
	Logger *slog.Logger
}

// PushListener receives DataNotifications pushed by meters over the TCP
// wrapper or UDP.
type PushListener struct {
	cfg PushConfig
	log *slog.Logger
	ln  net.Listener
	pc  net.PacketConn
	mu  sync.Mutex // serialises Security contexts' use
}

// ListenPush listens for pushes.
func ListenPush(cfg PushConfig) (*PushListener, error) {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:4059"
	}
	if cfg.MaxAPDU <= 0 || cfg.MaxAPDU > wrapper.MaxAPDULen {
		cfg.MaxAPDU = wrapper.MaxAPDULen
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &PushListener{cfg: cfg, log: cfg.Logger}
	var err error
	if cfg.UDP {
		l.pc, err = net.ListenPacket("udp", cfg.Listen)
	} else {
		l.ln, err = net.Listen("tcp", cfg.Listen)
	}
	if err != nil {
		return nil, fmt.Errorf("dlms: push listener: %w", err)
	}
	return l, nil
}

// Addr is the address pushes go to.
func (l *PushListener) Addr() net.Addr {
	if l.pc != nil {
		return l.pc.LocalAddr()
	}
	return l.ln.Addr()
}

// Serve calls handle with each notification until ctx is done. handle is
// called from one goroutine per TCP connection (one goroutine for UDP).
func (l *PushListener) Serve(ctx context.Context, handle func(Notification)) error {
	if l.pc != nil {
		return l.serveUDP(ctx, handle)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { l.ln.Close() })
	defer stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("dlms: push accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			stop := context.AfterFunc(ctx, func() { nc.Close() })
			defer stop()
			r := wrapper.NewReader(bufio.NewReader(nc), l.cfg.MaxAPDU)
			for {
				f, err := r.ReadFrame()
				if err != nil {
					if !errors.Is(err, net.ErrClosed) {
						l.log.Debug("dlms: push connection ended", "addr", nc.RemoteAddr().String(), "err", err)
					}
					return
				}
				l.deliver(nc.RemoteAddr(), f, handle)
			}
		}()
	}
}

func (l *PushListener) serveUDP(ctx context.Context, handle func(Notification)) error {
	stop := context.AfterFunc(ctx, func() { l.pc.Close() })
	defer stop()
	buf := make([]byte, wrapper.HeaderLen+l.cfg.MaxAPDU)
	for {
		n, from, err := l.pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("dlms: push receive: %w", err)
		}
		f, used, err := wrapper.DecodeFrame(buf[:n], l.cfg.MaxAPDU)
		if err != nil || used != n {
			l.log.Debug("dlms: push datagram dropped", "addr", from.String(), "err", err)
			continue
		}
		l.deliver(from, f, handle)
	}
}

// deliver decodes (deciphering if need be) one pushed APDU and hands it on.
func (l *PushListener) deliver(from net.Addr, f wrapper.Frame, handle func(Notification)) {
	n, err := l.decode(f.APDU)
	if err != nil {
		l.log.Debug("dlms: push dropped", "addr", from.String(), "err", err)
		return
	}
	n.From, n.Source, n.Dest = from, f.Source, f.Dest
	handle(n)
}

func (l *PushListener) decode(pdu []byte) (Notification, error) {
	var n Notification
	if len(pdu) > 0 && (pdu[0] == apdu.TagGeneralGloCiphering || pdu[0] == apdu.TagGeneralDedCiphering) {
		var ca apdu.Ciphered
		if err := ca.Decode(pdu); err != nil {
			return n, err
		}
		if l.cfg.Security == nil {
			return n, fmt.Errorf("%w: ciphered push from %X and no keys", security.ErrPolicy, ca.SystemTitle)
		}
		l.mu.Lock()
		sec, err := l.cfg.Security(ca.SystemTitle)
		if err == nil {
			pdu, err = sec.OpenAPDU(nil, &ca)
		}
		l.mu.Unlock()
		if err != nil {
			return n, fmt.Errorf("push from %X: %w", ca.SystemTitle, err)
		}
		n.SystemTitle = bytes.Clone(ca.SystemTitle)
	}
	var dn apdu.DataNotification
	if err := dn.Decode(pdu); err != nil {
		return n, err
	}
	// Own what the caller gets: the decoded tree aliases the frame.
	body, err := axdr.Append(nil, dn.Body)
	if err != nil {
		return n, err
	}
	n.Body, _ = axdr.Decode(nil, body)
	n.InvokeID = dn.InvokeID
	if len(dn.DateTime) > 0 {
		n.DateTime = bytes.Clone(dn.DateTime)
	}
	return n, nil
}
