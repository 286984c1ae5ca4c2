package push

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	meterpush "github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/store"
)

// Listener receives pushes over TCP and UDP, makes them durable on the bus
// and counts what it refused (see the package doc).
type Listener struct {
	cfg     Config
	log     *slog.Logger
	metrics *Metrics
	layouts map[cosem.OBIS]*Layout
	ln      net.Listener
	pc      net.PacketConn
	journal *journal
	batches *batcher

	mu      sync.RWMutex
	meters  map[[8]byte]*meterState
	resumed map[store.MeterID]uint32 // journal state of meters not yet seen
}

// meterState is one meter's security context and replay window.
type meterState struct {
	mu   sync.Mutex
	id   store.MeterID
	sec  *dlms.SecurityContext
	last uint32 // last accepted invocation counter
	has  bool
}

// The meter state is the CounterStore of its security context: the
// listener only receives.
func (s *meterState) Next(string) (uint32, error) {
	return 0, errors.New("push: the listener never sends")
}
func (s *meterState) Raise(string, uint32) error { return nil }

// LastAccepted is called with s.mu held, like Accept.
func (s *meterState) LastAccepted(string) (uint32, bool) { return s.last, s.has }
func (s *meterState) Accept(_ string, ic uint32) error {
	if s.has && ic <= s.last {
		return fmt.Errorf("%w: meter %d sent %d, last accepted %d", dlms.ErrReplay, s.id, ic, s.last)
	}
	s.last, s.has = ic, true
	return nil
}

// listenerTitle is the local title of the listener's security contexts,
// the one meters seal their pushes for; it never sends.
var listenerTitle = meterpush.HeadEndTitle[:]

// New opens the counter journal and the listening sockets.
func New(cfg Config) (*Listener, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("push: state directory: %w", err)
	}
	j, resumed, err := openJournal(filepath.Join(cfg.StateDir, "push-counters.journal"))
	if err != nil {
		return nil, err
	}
	l := &Listener{cfg: cfg, log: cfg.Logger, metrics: cfg.Metrics, layouts: cfg.layouts(), journal: j,
		meters: map[[8]byte]*meterState{}, resumed: resumed}
	l.batches = newBatcher(l, strconv.FormatInt(time.Now().UnixNano(), 36))
	if cfg.Listen != "" && cfg.Listen != "-" {
		if l.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			j.close()
			return nil, fmt.Errorf("push: listen %s: %w", cfg.Listen, err)
		}
	}
	if cfg.UDP != "" {
		if l.pc, err = net.ListenPacket("udp", cfg.UDP); err != nil {
			if l.ln != nil {
				l.ln.Close()
			}
			j.close()
			return nil, fmt.Errorf("push: listen udp %s: %w", cfg.UDP, err)
		}
	}
	return l, nil
}

// Addr is the TCP address pushes go to, nil without TCP.
func (l *Listener) Addr() net.Addr {
	if l.ln == nil {
		return nil
	}
	return l.ln.Addr()
}

// UDPAddr is the UDP address, nil without UDP.
func (l *Listener) UDPAddr() net.Addr {
	if l.pc == nil {
		return nil
	}
	return l.pc.LocalAddr()
}

// Serve receives pushes until ctx ends, then stops receiving, makes what
// it accepted durable (within PublishTimeout) and returns.
func (l *Listener) Serve(ctx context.Context) error {
	recvCtx, stopRecv := context.WithCancel(ctx)
	defer stopRecv()
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	if l.ln != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errc <- l.serveTCP(recvCtx) }()
	}
	if l.pc != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errc <- l.serveUDP(recvCtx) }()
	}
	flushDone := make(chan error, 1)
	go func() { flushDone <- l.batches.run(ctx) }()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
		stopRecv()
	}
	wg.Wait()
	l.batches.close()
	err = errors.Join(err, <-flushDone, l.journal.close())
	return err
}

func (l *Listener) serveTCP(ctx context.Context) error {
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
			return fmt.Errorf("push: accept: %w", err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer nc.Close()
			stop := context.AfterFunc(ctx, func() { nc.Close() })
			defer stop()
			w := l.newWorker()
			r := wrapper.NewReader(bufio.NewReaderSize(nc, 64<<10), 0)
			for {
				f, err := r.ReadFrame()
				if err != nil {
					if !errors.Is(err, net.ErrClosed) && ctx.Err() == nil {
						l.log.Debug("push: connection ended", "addr", nc.RemoteAddr().String(), "err", err)
					}
					return
				}
				w.handle(ctx, f.APDU)
			}
		}()
	}
}

func (l *Listener) serveUDP(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { l.pc.Close() })
	defer stop()
	buf := make([]byte, wrapper.HeaderLen+wrapper.MaxAPDULen)
	w := l.newWorker()
	for {
		n, _, err := l.pc.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("push: receive: %w", err)
		}
		f, used, err := wrapper.DecodeFrame(buf[:n], 0)
		if err != nil || used != n {
			l.metrics.Received.Inc()
			l.metrics.reject(ReasonMalformed)
			continue
		}
		w.handle(ctx, f.APDU)
	}
}

// meter returns the state of the meter with title, resolving it on first
// sight; nil when no meter has the title.
func (l *Listener) meter(ctx context.Context, title [8]byte) (*meterState, error) {
	l.mu.RLock()
	st, ok := l.meters[title]
	l.mu.RUnlock()
	if ok {
		return st, nil
	}
	m, found, err := l.cfg.Resolver.ResolveTitle(ctx, title)
	if err != nil || !found {
		return nil, err
	}
	st = &meterState{id: m.ID}
	st.sec, err = dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: m.EK, AuthenticationKey: m.AK,
		LocalTitle: listenerTitle, PeerTitle: title[:], Policy: dlms.SecurityAuthenticatedEncryption, Counters: st})
	if err != nil {
		return nil, fmt.Errorf("push: meter %s: %w", m.Serial, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, ok := l.meters[title]; ok {
		return prev, nil
	}
	if ic, ok := l.resumed[m.ID]; ok {
		st.last, st.has = ic, true
		delete(l.resumed, m.ID)
	}
	l.meters[title] = st
	return st, nil
}

// Forget drops what the listener keeps of the meter with title (its keys
// changed); its replay window stays.
func (l *Listener) Forget(title [8]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.meters[title]; ok {
		st.mu.Lock()
		if st.has {
			l.resumed[st.id] = st.last
		}
		st.mu.Unlock()
		delete(l.meters, title)
	}
}

// counterSnapshot returns every known meter's last accepted counter, for
// compacting the journal.
func (l *Listener) counterSnapshot() []counterEntry {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]counterEntry, 0, len(l.meters)+len(l.resumed))
	for m, ic := range l.resumed {
		out = append(out, counterEntry{m, ic})
	}
	for _, st := range l.meters {
		st.mu.Lock()
		if st.has {
			out = append(out, counterEntry{st.id, st.last})
		}
		st.mu.Unlock()
	}
	return out
}

// knownMeters is the number of meters whose counters the journal keeps.
func (l *Listener) knownMeters() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.meters) + len(l.resumed)
}
