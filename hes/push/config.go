package push

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/store"
)

// Meter is what the listener needs to accept a meter's pushes.
type Meter struct {
	ID     store.MeterID
	Serial string
	EK, AK []byte // global unicast encryption key, authentication key
}

// Resolver finds the meter with a server system title. It is called once
// per meter (the listener keeps what it returns) and may be slow.
type Resolver interface {
	ResolveTitle(ctx context.Context, title [8]byte) (Meter, bool, error)
}

// Publisher stores a bus message durably: *bus.Bus.
type Publisher interface {
	PublishMsg(ctx context.Context, m bus.Message) error
}

// Config configures a Listener.
type Config struct {
	// Listen is the TCP address (wrapper frames); "127.0.0.1:4060" when
	// empty and UDP is empty too. "-" disables TCP.
	Listen string
	// UDP is the UDP address (one wrapper frame per datagram); empty: none.
	UDP string
	// Resolver and Publisher are required.
	Resolver  Resolver
	Publisher Publisher
	// Origin names this head-end in batch subjects and message IDs
	// ("hes" when empty).
	Origin string
	// StateDir holds the invocation counter journal (required).
	StateDir string
	// Layouts decode pushes by their push setup's logical name (the first
	// element of the body); BuiltinLayouts are always known (a layout of
	// the same name here replaces one).
	Layouts []Layout
	// BatchPushes and BatchBytes bound one batch message (4096 pushes and
	// 512 KiB when 0); Linger is the longest a push waits for its batch to
	// fill (10 ms when 0). InFlight batches are made durable at once (2
	// when 0); beyond that, receiving waits.
	BatchPushes, BatchBytes int
	Linger                  time.Duration
	InFlight                int
	// PublishTimeout bounds one publish attempt (5 s when 0); a failed
	// publish is retried until the listener stops.
	PublishTimeout time.Duration
	// Metrics: nil counts nowhere.
	Metrics *Metrics
	Logger  *slog.Logger
}

// DefaultListen is the push listener's TCP address when none is given.
const DefaultListen = "127.0.0.1:4060"

func (c Config) withDefaults() (Config, error) {
	if c.Resolver == nil || c.Publisher == nil || c.StateDir == "" {
		return c, errors.New("push: Config needs a Resolver, a Publisher and a StateDir")
	}
	if c.Listen == "" && c.UDP == "" {
		c.Listen = DefaultListen
	}
	if c.Origin == "" {
		c.Origin = "hes"
	}
	if c.BatchPushes == 0 {
		c.BatchPushes = 4096
	}
	if c.BatchBytes == 0 {
		c.BatchBytes = 512 << 10
	}
	if c.Linger == 0 {
		c.Linger = 10 * time.Millisecond
	}
	if c.InFlight == 0 {
		c.InFlight = 2
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = 5 * time.Second
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.BatchPushes < 1 || c.BatchBytes < 4096 || c.Linger < 0 || c.InFlight < 1 {
		return c, errors.New("push: batch limits must be positive (BatchBytes ≥ 4096)")
	}
	return c, nil
}

// BuiltinLayouts are the layouts every listener knows, of the pushes the
// amigo meter sends: DefaultLayout, EventLayout, TamperLayout and
// ApplianceLayout. A configured layout of the same name replaces one.
func BuiltinLayouts() []Layout {
	return []Layout{DefaultLayout(), EventLayout(), TamperLayout(), ApplianceLayout()}
}

// layouts indexes the configured layouts by push setup name.
func (c *Config) layouts() map[cosem.OBIS]*Layout {
	out := map[cosem.OBIS]*Layout{}
	for _, l := range BuiltinLayouts() {
		out[l.Name] = &l
	}
	for i := range c.Layouts {
		out[c.Layouts[i].Name] = &c.Layouts[i]
	}
	return out
}
