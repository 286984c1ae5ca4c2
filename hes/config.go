package hes

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/hes/clock"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/store/meta"
)

// Publisher stores a bus message durably; *bus.Bus is one.
type Publisher interface {
	PublishMsg(ctx context.Context, m bus.Message) error
}

// DefaultClientTitle is the head-end's system title unless configured
// (ARCHITECTURE §4 demo value).
var DefaultClientTitle = []byte{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01}

// Config configures a HeadEnd. Meta is required; everything else has a
// default or is optional.
type Config struct {
	// Meta holds the meter registry, key sets, jobs, alarms and the audit
	// log.
	Meta *meta.DB
	// Bus, when set, carries readings and events out, jobs in (the JOBS
	// work queue shared by head-end nodes), and the state nodes must share
	// (invocation counters, read watermarks, schedule locks) in key-value
	// buckets. Without it jobs run in this process and readings go to
	// Publisher.
	Bus *bus.Bus
	// Publisher receives readings and events when Bus is nil (tests).
	Publisher Publisher
	// Node names this head-end (bus consumer instances, push batch
	// subjects); "hes" when empty.
	Node string
	// StateDir holds the push listener's counter journal; required when
	// Push is set.
	StateDir string
	// ClientTitle is the head-end's 8-byte system title
	// (DefaultClientTitle when nil).
	ClientTitle []byte
	// Dial opens transports to meters; TCP when nil (tests dial in
	// memory, hestest.Fleet.Dial).
	Dial conn.Dialer
	// Conn bounds and paces associations (see conn.Config; its Registry,
	// ClientTitle, Dial, Counters, Clock and Logger are filled in here).
	Conn conn.Config
	// Push, when set, runs the push listener (its Resolver, Publisher,
	// StateDir, Origin, Metrics and Logger are filled in here).
	Push *push.Config
	// Schedules are the recurring jobs (see Schedule).
	Schedules []Schedule
	// Workers is how many jobs run at once on this node (64 when 0). A
	// group job counts once; its meters are bounded by Conn.
	Workers int
	// JobLease is how long a started job is held before another node may
	// take it over, renewed with its progress (10 min when 0).
	JobLease time.Duration
	// ImageDir holds firmware images by identifier (ImageDir/<identifier>):
	// a campaign that names an identifier without the image's bytes takes
	// them from there.
	ImageDir string
	// InitialBackfill is how far back a meter's first profile read goes
	// (24 h when 0).
	InitialBackfill time.Duration
	// Clock tells time and waits (schedules, backoff); clock.Real when nil.
	Clock clock.Clock
	// Rand is the source of new keys (crypto/rand when nil).
	Rand io.Reader
	// OnOutcome, when set, is told how every operation on one meter ended
	// (a meter job, or each meter of a group job run meter by meter), from
	// the goroutine that ran it: what a fleet view needs to keep each
	// meter's comms, supply and credit status. It must not block.
	OnOutcome func(Outcome)
	// Metrics registers the head-end's collectors (none when nil).
	Metrics prometheus.Registerer
	// Logger: nil discards.
	Logger *slog.Logger
}

func (c Config) withDefaults() (Config, error) {
	if c.Meta == nil {
		return c, errors.New("hes: Config.Meta is required")
	}
	if c.Bus == nil && c.Publisher == nil {
		return c, errors.New("hes: Config needs a Bus or a Publisher")
	}
	if c.Publisher == nil {
		c.Publisher = c.Bus
	}
	if c.Node == "" {
		c.Node = "hes"
	}
	if c.ClientTitle == nil {
		c.ClientTitle = DefaultClientTitle
	}
	if c.Push != nil && c.StateDir == "" {
		return c, errors.New("hes: the push listener needs Config.StateDir")
	}
	if c.Workers == 0 {
		c.Workers = 64
	}
	if c.JobLease == 0 {
		c.JobLease = 10 * time.Minute
	}
	if c.InitialBackfill == 0 {
		c.InitialBackfill = 24 * time.Hour
	}
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}
