package bus

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// streamConfigs are the streams of ARCHITECTURE §7 and §10 as this
// configuration wants them.
func (c *Config) streamConfigs() []jetstream.StreamConfig {
	spec := map[string]struct {
		subject   string
		retention jetstream.RetentionPolicy
		about     string
	}{
		StreamReadings: {prefixReadings + ">", jetstream.LimitsPolicy, "meter readings, one subject per meter"},
		StreamEvents:   {prefixEvents + ">", jetstream.LimitsPolicy, "meter events, one subject per meter"},
		StreamCommands: {prefixCommands + ">", jetstream.WorkQueuePolicy, "commands to meters, each taken by one head-end"},
		StreamJobs:     {prefixJobs + ">", jetstream.WorkQueuePolicy, "head-end jobs, each taken by one head-end"},
		StreamDead:     {prefixDead + ">", jetstream.LimitsPolicy, "messages consumers gave up on, with the reason in headers"},
	}
	var out []jetstream.StreamConfig
	for _, s := range c.streamLimits() {
		sp := spec[s.name]
		out = append(out, jetstream.StreamConfig{
			Name:        s.name,
			Description: "amigo: " + sp.about,
			Subjects:    []string{sp.subject},
			Retention:   sp.retention,
			MaxAge:      s.limits.MaxAge,
			MaxBytes:    s.limits.MaxBytes,
			MaxMsgs:     -1,
			// Refuse rather than drop: an unconsumed reading must not
			// vanish because the stream is full.
			Discard:    jetstream.DiscardNew,
			Storage:    jetstream.FileStorage,
			Replicas:   c.Replicas,
			Duplicates: c.Duplicates,
		})
	}
	return out
}

// ensureStreams creates the streams, or updates their limits and replicas
// to the configuration; running it again changes nothing. Each request
// waits at most AckTimeout: a cluster still electing its leaders drops
// requests unanswered, and the caller's retry beats waiting out its context.
func (b *Bus) ensureStreams(ctx context.Context) error {
	for _, sc := range b.cfg.streamConfigs() {
		rctx, cancel := context.WithTimeout(ctx, b.cfg.AckTimeout)
		_, err := b.js.CreateOrUpdateStream(rctx, sc)
		cancel()
		if err != nil {
			return fmt.Errorf("bus: stream %s (replicas %d): %w", sc.Name, sc.Replicas, err)
		}
	}
	return nil
}
