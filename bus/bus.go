package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Bus is a connection to the JetStream streams of ARCHITECTURE §7, and to
// the embedded server that holds them when there is no external one. Its
// methods are safe for concurrent use.
type Bus struct {
	cfg Config
	log *slog.Logger
	ns  *server.Server // nil when connected to external servers
	nc  *nats.Conn
	js  jetstream.JetStream
}

// Open starts the embedded server (when cfg.URLs is empty) or connects to
// the external ones, then creates or updates the streams. Close releases
// what Open started.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	b := &Bus{cfg: cfg, log: cfg.Logger}
	opts := []nats.Option{
		nats.Name(cfg.Name),
		// A cluster node going away is routine: keep trying the others.
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250 * time.Millisecond),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				b.log.Warn("bus: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.log.Info("bus: reconnected", "addr", nc.ConnectedUrlRedacted())
		}),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			subject := ""
			if sub != nil {
				subject = sub.Subject
			}
			b.log.Warn("bus: asynchronous error", "subject", subject, "err", err)
		}),
	}
	url := strings.Join(cfg.URLs, ",")
	if cfg.embedded() {
		ns, err := startEmbedded(ctx, &cfg)
		if err != nil {
			return nil, err
		}
		b.ns = ns
		url = ns.ClientURL()
		opts = append(opts, nats.InProcessServer(ns))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.stopServer()
		return nil, fmt.Errorf("bus: connect %s: %w", redactURLs(cfg.URLs), err)
	}
	b.nc = nc
	b.js, err = jetstream.New(nc,
		jetstream.WithPublishAsyncTimeout(cfg.AckTimeout),
		jetstream.WithDefaultTimeout(cfg.AckTimeout),
		// PublishBatch bounds each call's window itself; this only stops
		// many concurrent batches from queueing without limit.
		jetstream.WithPublishAsyncMaxPending(16*cfg.MaxInFlight),
	)
	if err == nil {
		err = b.ensureStreams(ctx)
	}
	if err != nil {
		return nil, errors.Join(err, b.Close())
	}
	return b, nil
}

// Close flushes what was published or acknowledged, closes the connection
// and, if it is embedded, shuts the server down and waits until it has.
// Consume calls still running return with an error.
func (b *Bus) Close() error {
	var err error
	if b.nc != nil {
		if ferr := b.nc.FlushTimeout(b.cfg.AckTimeout); ferr != nil && !errors.Is(ferr, nats.ErrConnectionClosed) {
			err = fmt.Errorf("bus: flush on close: %w", ferr)
		}
		b.nc.Close()
	}
	b.stopServer()
	return err
}

func (b *Bus) stopServer() {
	if b.ns != nil {
		b.ns.Shutdown()
		b.ns.WaitForShutdown()
	}
}

// ClientURL is the address other processes reach the embedded server at
// ("nats://127.0.0.1:PORT"), or "" when it listens in-process only or the
// bus is external.
func (b *Bus) ClientURL() string {
	if b.ns == nil || b.cfg.Listen == "" {
		return ""
	}
	return b.ns.ClientURL()
}

// redactURLs drops user information (credentials) from URLs for messages.
func redactURLs(urls []string) string {
	out := make([]string, len(urls))
	for i, u := range urls {
		scheme, rest, ok := strings.Cut(u, "://")
		if !ok {
			scheme, rest = "", u
		}
		if at := strings.LastIndexByte(rest, '@'); at >= 0 {
			rest = rest[at+1:]
		}
		if ok {
			rest = scheme + "://" + rest
		}
		out[i] = rest
	}
	return strings.Join(out, ",")
}
