package conn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/hdlc"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/dlms/wrapper"
	"github.com/amigo-ami/amigo/hes/clock"
	"github.com/amigo-ami/amigo/hes/registry"
)

// Dialer opens a transport to a meter: TCPDialer over the network,
// hestest.Fleet.Dial in memory.
type Dialer func(ctx context.Context, a registry.Address) (dlms.Transport, error)

// TCPDialer dials meters over TCP with the wrapper or HDLC, as their
// address says.
func TCPDialer(log *slog.Logger) Dialer {
	return func(ctx context.Context, a registry.Address) (dlms.Transport, error) {
		if a.HDLC {
			return hdlc.Dial(ctx, a.HostPort, hdlc.Config{Client: uint8(a.Client), Logger: log})
		}
		return wrapper.Dial(ctx, a.HostPort, wrapper.Config{Client: a.Client, Logger: log})
	}
}

// Retry is how transient failures are retried: attempt k (1-based) that
// fails waits min(Max, Base·2^(k−1)), scaled by a random factor in
// [1−Jitter, 1+Jitter], before attempt k+1.
type Retry struct {
	Attempts  int           // tries in all (3 when 0; 1: no retry)
	Base, Max time.Duration // 1 s and 1 min when 0
	Jitter    float64       // 0.2 when 0; negative: none
}

// Delay is the wait after failed attempt k, with u uniform in [0, 1).
func (r Retry) Delay(k int, u float64) time.Duration {
	d := r.Base
	for i := 1; i < k && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	if r.Jitter > 0 {
		d = time.Duration(float64(d) * (1 - r.Jitter + 2*r.Jitter*u))
	}
	return d
}

// Config configures a Manager.
type Config struct {
	Registry *registry.Index // required: meters and keys
	// ClientTitle is the head-end's 8-byte system title (required for
	// HLS-GMAC).
	ClientTitle []byte
	// Dial opens transports; TCPDialer when nil.
	Dial Dialer
	// Counters keeps invocation counters; in memory when nil.
	Counters CounterBackend
	// CounterWindow is how many send counters one reservation takes
	// (1000 when 0).
	CounterWindow uint32
	// MaxConns bounds the associations open at once (256 when 0);
	// MaxPerNetwork those on one target network (32 when 0).
	MaxConns, MaxPerNetwork int
	// Timeout bounds one attempt: dial, associate and the work (30 s when
	// 0).
	Timeout time.Duration
	Retry   Retry
	// Idle keeps an association open that long after work for reuse (0:
	// release at once).
	Idle time.Duration
	// MaxPDU is the client's max receive PDU size (0xFFFF when 0).
	MaxPDU uint16
	// Clock tells time and waits (backoff, idle expiry); clock.Real when
	// nil.
	Clock clock.Clock
	// Rand draws jitter in [0, 1); math/rand/v2 when nil.
	Rand func() float64
	// OnAssociation, when set, is told how long each association attempt
	// took and how it ended (metrics).
	OnAssociation func(d time.Duration, err error)
	// Logger: nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Registry == nil {
		return c, errors.New("conn: Config.Registry is required")
	}
	if len(c.ClientTitle) != security.SystemTitleSize {
		return c, fmt.Errorf("conn: client system title of %d bytes, want %d", len(c.ClientTitle), security.SystemTitleSize)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Dial == nil {
		c.Dial = TCPDialer(c.Logger)
	}
	if c.Counters == nil {
		c.Counters = NewMemoryCounters()
	}
	if c.CounterWindow == 0 {
		c.CounterWindow = 1000
	}
	if c.MaxConns == 0 {
		c.MaxConns = 256
	}
	if c.MaxPerNetwork == 0 {
		c.MaxPerNetwork = 32
	}
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Retry.Attempts == 0 {
		c.Retry.Attempts = 3
	}
	if c.Retry.Base == 0 {
		c.Retry.Base = time.Second
	}
	if c.Retry.Max == 0 {
		c.Retry.Max = time.Minute
	}
	if c.Retry.Jitter == 0 {
		c.Retry.Jitter = 0.2
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Rand == nil {
		c.Rand = rand.Float64
	}
	if c.MaxConns < 1 || c.MaxPerNetwork < 1 || c.Timeout < 0 || c.Retry.Attempts < 1 || c.Retry.Base < 0 || c.Retry.Max < c.Retry.Base {
		return c, fmt.Errorf("conn: limits must be positive (max conns %d, per network %d, timeout %v, retry %+v)", c.MaxConns, c.MaxPerNetwork, c.Timeout, c.Retry)
	}
	return c, nil
}
