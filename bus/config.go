package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Config says where the bus runs and how its streams are kept. The zero value
// is not valid: an embedded bus needs StateDir.
type Config struct {
	// URLs of an external NATS server or cluster ("nats://10.0.0.1:4222",
	// one per node). Empty runs the embedded server.
	URLs []string `toml:"urls"`
	// StateDir holds the embedded server's JetStream data (in StateDir/nats).
	// Required when URLs is empty; unused otherwise.
	StateDir string `toml:"state_dir"`
	// Listen is the embedded server's client address for other processes
	// ("127.0.0.1:4222"; "127.0.0.1:0" picks a free port). Empty opens no
	// port: the bus then connects to its server in-process only.
	Listen string `toml:"listen"`
	// Name identifies this connection in the server's monitoring ("amigo").
	Name string `toml:"name"`
	// Replicas of every stream and key-value bucket: 1 if zero and
	// embedded, 3 if zero and external. At most 5.
	Replicas int `toml:"replicas"`
	// Duplicates is how long a stream remembers message IDs, so that a
	// message published again with the same ID within it is stored once
	// (2 minutes if zero).
	Duplicates time.Duration `toml:"duplicates"`
	// MaxInFlight bounds the messages a PublishBatch call has sent and not
	// yet seen acknowledged (1024 if zero).
	MaxInFlight int `toml:"max_in_flight"`
	// AckTimeout bounds how long a request waits for the server's answer:
	// always for PublishBatch messages and Open's stream set-up, otherwise
	// when the context has no deadline (5 s if zero).
	AckTimeout time.Duration `toml:"ack_timeout"`
	// Limits per stream; a zero field takes the stream's default (see
	// DefaultLimits).
	Readings Limits `toml:"readings"`
	Events   Limits `toml:"events"`
	Commands Limits `toml:"commands"`
	Jobs     Limits `toml:"jobs"`
	Dead     Limits `toml:"dead"`
	// Logger receives connection and server events; nil discards them.
	Logger *slog.Logger `toml:"-"`
}

// Limits bound what a stream keeps. A stream that reaches MaxBytes refuses
// new messages (the publisher gets an error) rather than dropping old ones
// nobody has consumed yet; messages older than MaxAge are removed.
type Limits struct {
	MaxAge   time.Duration `toml:"max_age"`   // 0: the stream's default
	MaxBytes int64         `toml:"max_bytes"` // 0: the stream's default; -1: unlimited
}

// DefaultLimits is what a stream keeps when Config leaves its Limits zero:
// a week of traffic (a month of dead letters) and no size limit.
func DefaultLimits(stream string) Limits {
	if stream == StreamDead {
		return Limits{MaxAge: 30 * 24 * time.Hour, MaxBytes: -1}
	}
	return Limits{MaxAge: 7 * 24 * time.Hour, MaxBytes: -1}
}

const maxReplicas = 5

// embedded reports whether the configuration runs its own server.
func (c *Config) embedded() bool { return len(c.URLs) == 0 }

// withDefaults returns c with zero fields filled.
func (c Config) withDefaults() Config {
	if c.Name == "" {
		c.Name = "amigo"
	}
	if c.Replicas == 0 {
		c.Replicas = 3
		if c.embedded() {
			c.Replicas = 1
		}
	}
	if c.Duplicates == 0 {
		c.Duplicates = 2 * time.Minute
	}
	if c.MaxInFlight == 0 {
		c.MaxInFlight = 1024
	}
	if c.AckTimeout == 0 {
		c.AckTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// validate reports the first setting that cannot work.
func (c *Config) validate() error {
	var errs []error
	if c.embedded() && c.StateDir == "" {
		errs = append(errs, errors.New("state_dir is required for the embedded server"))
	}
	if c.Replicas < 1 || c.Replicas > maxReplicas {
		errs = append(errs, fmt.Errorf("replicas %d: want 1..%d", c.Replicas, maxReplicas))
	}
	if c.embedded() && c.Replicas != 1 {
		errs = append(errs, fmt.Errorf("replicas %d: the embedded server is one node, want 1", c.Replicas))
	}
	if c.Duplicates < 0 || c.MaxInFlight < 0 || c.AckTimeout < 0 {
		errs = append(errs, errors.New("duplicates, max_in_flight and ack_timeout must not be negative"))
	}
	for _, s := range c.streamLimits() {
		if s.limits.MaxAge < 0 || s.limits.MaxBytes < -1 {
			errs = append(errs, fmt.Errorf("%s limits %+v: max_age must be ≥ 0 and max_bytes ≥ -1", s.name, s.limits))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bus: config: %w", err)
	}
	return nil
}

type namedLimits struct {
	name   string
	limits Limits
}

// streamLimits pairs each stream with its configured limits, defaults
// filled in.
func (c *Config) streamLimits() []namedLimits {
	out := []namedLimits{
		{StreamReadings, c.Readings},
		{StreamEvents, c.Events},
		{StreamCommands, c.Commands},
		{StreamJobs, c.Jobs},
		{StreamDead, c.Dead},
	}
	for i := range out {
		def := DefaultLimits(out[i].name)
		if out[i].limits.MaxAge == 0 {
			out[i].limits.MaxAge = def.MaxAge
		}
		if out[i].limits.MaxBytes == 0 {
			out[i].limits.MaxBytes = def.MaxBytes
		}
	}
	return out
}
