package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// hangGuard bounds how long a test waits for the server to deliver
// something. It only turns a hang into a failure; it measures nothing.
const hangGuard = 30 * time.Second

// openEmbedded opens a bus on its own embedded server in a fresh state
// directory and closes it when the test ends.
func openEmbedded(t testing.TB, cfg Config) *Bus {
	t.Helper()
	if cfg.StateDir == "" {
		cfg.StateDir = t.TempDir()
	}
	if cfg.Logger == nil && testing.Verbose() {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	b, err := Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// guarded returns a context that ends with the test or after hangGuard.
func guarded(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// streamMsgs is how many messages stream holds.
func streamMsgs(t testing.TB, b *Bus, stream string) uint64 {
	t.Helper()
	s, err := b.js.Stream(t.Context(), stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info, err := s.Info(t.Context())
	if err != nil {
		t.Fatalf("stream %s info: %v", stream, err)
	}
	return info.State.Msgs
}

// eventually polls cond until it holds, as acknowledgements reach the
// server asynchronously; it fails the test when ctx ends first.
func eventually(t testing.TB, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-tick.C:
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		}
	}
}

// settled waits until durable has no message delivered and unacknowledged
// and its acknowledgement floor is at ackFloor.
func settled(t testing.TB, ctx context.Context, b *Bus, stream, durable string, ackFloor uint64) {
	t.Helper()
	var info *jetstream.ConsumerInfo
	eventually(t, ctx, fmt.Sprintf("%s/%s to settle at %d", stream, durable, ackFloor), func() bool {
		info = consumerInfo(t, b, stream, durable)
		return info.NumAckPending == 0 && info.AckFloor.Stream == ackFloor
	})
	if info.NumPending != 0 {
		t.Errorf("%s/%s: %d messages not yet delivered", stream, durable, info.NumPending)
	}
}

// consumerInfo is the server's view of a durable consumer.
func consumerInfo(t testing.TB, b *Bus, stream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := b.js.Consumer(t.Context(), stream, durable)
	if err != nil {
		t.Fatalf("consumer %s/%s: %v", stream, durable, err)
	}
	info, err := c.Info(t.Context())
	if err != nil {
		t.Fatalf("consumer %s/%s info: %v", stream, durable, err)
	}
	return info
}

func TestConfigValidation(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"embedded without state dir", Config{}, "state_dir is required"},
		{"embedded with replicas 3", Config{StateDir: "x", Replicas: 3}, "embedded server is one node"},
		{"replicas 7", Config{URLs: []string{"nats://127.0.0.1:1"}, Replicas: 7}, "replicas 7: want 1..5"},
		{"negative duplicates", Config{StateDir: "x", Duplicates: -time.Second}, "must not be negative"},
		{"bad readings limit", Config{StateDir: "x", Readings: Limits{MaxBytes: -2}}, "READINGS limits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg.withDefaults()
			err := cfg.validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("validate() = %v, want an error containing %q", err, c.want)
			}
		})
	}
	external := Config{URLs: []string{"nats://127.0.0.1:1"}}.withDefaults()
	if external.Replicas != 3 {
		t.Errorf("external default replicas = %d, want 3", external.Replicas)
	}
	if err := external.validate(); err != nil {
		t.Errorf("external default: %v", err)
	}
}

func TestRedactURLs(t *testing.T) {
	got := redactURLs([]string{"nats://user:pw@10.0.0.1:4222", "tls://10.0.0.2:4222", "tok@10.0.0.3:4222"})
	if want := "nats://10.0.0.1:4222,tls://10.0.0.2:4222,10.0.0.3:4222"; got != want {
		t.Errorf("redactURLs = %q, want %q", got, want)
	}
}

func TestEmbeddedStartStopKeepsData(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(t.Context(), Config{StateDir: dir, Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	url := b.ClientURL()
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("ClientURL() = %q, want a loopback nats URL", url)
	}

	// Another process's view: a plain client over TCP sees the streams.
	nc, err := nats.Connect(url)
	if err != nil {
		t.Fatalf("connect to %s: %v", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	lister := js.ListStreams(t.Context())
	for info := range lister.Info() {
		names = append(names, info.Config.Name)
		wantRetention := jetstream.LimitsPolicy
		if info.Config.Name == StreamJobs || info.Config.Name == StreamCommands {
			wantRetention = jetstream.WorkQueuePolicy
		}
		if info.Config.Retention != wantRetention || info.Config.Storage != jetstream.FileStorage ||
			info.Config.Replicas != 1 || info.Config.Duplicates != 2*time.Minute || info.Config.Discard != jetstream.DiscardNew {
			t.Errorf("stream %s: retention %v storage %v replicas %d duplicates %v discard %v",
				info.Config.Name, info.Config.Retention, info.Config.Storage, info.Config.Replicas, info.Config.Duplicates, info.Config.Discard)
		}
	}
	if err := lister.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	if want := []string{"COMMANDS", "DEAD", "EVENTS", "JOBS", "READINGS"}; !slices.Equal(names, want) {
		t.Errorf("streams %v, want %v", names, want)
	}
	nc.Close()

	if err := b.Publish(t.Context(), ReadingsSubject("M1"), "r1", []byte("kept")); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c, err := net.Dial("tcp", strings.TrimPrefix(url, "nats://")); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Close", url)
	}

	// Reopening the same state directory finds the message, and updating
	// the existing streams is harmless.
	b2 := openEmbedded(t, Config{StateDir: dir})
	if n := streamMsgs(t, b2, StreamReadings); n != 1 {
		t.Fatalf("after restart READINGS holds %d messages, want 1", n)
	}
	if b2.ClientURL() != "" {
		t.Errorf("in-process bus ClientURL() = %q, want empty", b2.ClientURL())
	}
}

func TestPublishToSubjectWithoutStream(t *testing.T) {
	b := openEmbedded(t, Config{})
	err := b.Publish(t.Context(), "other.subject", "", []byte("x"))
	if !errors.Is(err, jetstream.ErrNoStreamResponse) {
		t.Fatalf("Publish outside every stream = %v, want ErrNoStreamResponse", err)
	}
	if err := b.Publish(t.Context(), ReadingsSubject(""), "", nil); !errors.Is(err, ErrBadSubject) {
		t.Fatalf("Publish to empty meter = %v, want ErrBadSubject", err)
	}
}
