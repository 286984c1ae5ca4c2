package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// Store is where readings go: store.Store's Append, which is durable when
// it returns nil.
type Store interface {
	Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error)
	Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error)
}

// Consumers is the part of the bus ingest uses (*bus.Bus).
type Consumers interface {
	ConsumeBatch(ctx context.Context, stream, durable string, size int, h bus.BatchHandler, opts ...bus.ConsumeOption) error
}

// Alarms raises alarms for tamper events (store/meta); optional.
type Alarms interface {
	RaiseAlarm(ctx context.Context, a meta.Alarm) (int64, error)
}

// Config configures a Consumer.
type Config struct {
	Store  Store
	Bus    Consumers
	Alarms Alarms // nil: no alarms for tamper events
	// Durable is the consumer name; every instance of the MDM uses the
	// same, so the work splits between them. "mdm-ingest" if empty.
	Durable string
	// Batch is how many messages one store write takes; 256 if zero.
	Batch int
	// Workers is the number of batches in flight at once; 2 if zero.
	Workers int
	// MaxAhead: a message with a reading further ahead of Now is refused
	// as a whole (a meter whose clock runs wild); 24 h if zero.
	MaxAhead time.Duration
	// Options tune the bus consumers (AckWait, MaxDeliver, …); every
	// instance must pass the same.
	Options []bus.ConsumeOption
	Logger  *slog.Logger     // nil discards
	Now     func() time.Time // time.Now if nil; for the lag metric
}

// Consumer takes readings and events from the bus into the store.
type Consumer struct {
	cfg Config
	log *slog.Logger
	m   metrics
}

// New returns a Consumer; Store and Bus are required.
func New(cfg Config) (*Consumer, error) {
	if cfg.Store == nil || cfg.Bus == nil {
		return nil, errors.New("ingest: Store and Bus are required")
	}
	if cfg.Durable == "" {
		cfg.Durable = "mdm-ingest"
	}
	if cfg.Batch == 0 {
		cfg.Batch = 256
	}
	if cfg.Workers == 0 {
		cfg.Workers = 2
	}
	if cfg.Batch < 1 || cfg.Workers < 1 {
		return nil, fmt.Errorf("ingest: batch %d and workers %d must be positive", cfg.Batch, cfg.Workers)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxAhead == 0 {
		cfg.MaxAhead = 24 * time.Hour
	}
	return &Consumer{cfg: cfg, log: cfg.Logger}, nil
}

// Run consumes the READINGS and EVENTS streams with Workers consumers
// each until ctx is done, then returns nil; it returns early with the
// first consumer's error.
func (c *Consumer) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 2*c.cfg.Workers)
	start := func(stream string, h func() bus.BatchHandler) {
		for range c.cfg.Workers {
			wg.Go(func() {
				if err := c.cfg.Bus.ConsumeBatch(ctx, stream, c.cfg.Durable, c.cfg.Batch, h(), c.cfg.Options...); err != nil {
					errs <- err
					cancel()
				}
			})
		}
	}
	start(bus.StreamReadings, c.Handler)
	start(bus.StreamEvents, c.Handler)
	wg.Wait()
	close(errs)
	return <-errs
}

// Handler returns a handler for READINGS and EVENTS deliveries, with its
// own scratch space. Each delivery is decoded — a readings message, an
// events message, or a batch of them (meterdata.Batch, from the head-end's
// push listener) — and all of a batch's readings are appended in one
// durable store write before the handler returns (and the bus
// acknowledges). Events are stored as readings on their log's channel
// (meterdata.Events.AppendReadings), and tamper events not stored before
// raise an alarm first, so a crash in between repeats the alarm rather
// than losing it. A delivery that does not decode fails alone and
// permanently (it goes to the dead-letter stream, a batch whole); a failed
// write fails the batch of deliveries, which the bus delivers again.
// Appending is idempotent, so redelivery stores nothing twice.
func (c *Consumer) Handler() bus.BatchHandler {
	var (
		readings meterdata.Readings
		events   meterdata.Events
		members  [][]byte
	)
	var one decodeFunc = func(ctx context.Context, data []byte, batch []store.Reading) ([]store.Reading, error) {
		if meterdata.IsReadings(data) {
			if err := meterdata.DecodeReadings(data, &readings); err != nil {
				return batch, fmt.Errorf("%w: %w", bus.ErrPermanent, err)
			}
			if err := ahead(readings.Readings, c.cfg.Now().Add(c.cfg.MaxAhead).UnixMilli()); err != nil {
				return batch, fmt.Errorf("%w: %w", bus.ErrPermanent, err)
			}
			return append(batch, readings.Readings...), nil
		}
		if err := meterdata.DecodeEvents(data, &events); err != nil {
			return batch, fmt.Errorf("%w: %w", bus.ErrPermanent, err)
		}
		start := len(batch)
		batch = events.AppendReadings(batch)
		if err := c.alarms(ctx, batch[start:]); err != nil {
			return batch[:start], err
		}
		c.m.events.Add(int64(len(events.Events)))
		return batch, nil
	}
	return c.handler(func(ctx context.Context, data []byte, batch []store.Reading) ([]store.Reading, error) {
		if !meterdata.IsBatch(data) {
			return one(ctx, data, batch)
		}
		var err error
		if members, err = meterdata.SplitBatch(data, members[:0]); err != nil {
			return batch, fmt.Errorf("%w: %w", bus.ErrPermanent, err)
		}
		start := len(batch)
		for i, m := range members {
			if batch, err = one(ctx, m, batch); err != nil {
				return batch[:start], fmt.Errorf("batch member %d: %w", i, err)
			}
		}
		return batch, nil
	})
}

// decodeFunc appends the readings of one delivery's payload to batch; an
// error wrapping bus.ErrPermanent fails the delivery alone, any other the
// whole batch.
type decodeFunc func(ctx context.Context, data []byte, batch []store.Reading) ([]store.Reading, error)

// handler decodes a batch of deliveries and stores their readings in one
// write.
func (c *Consumer) handler(decode decodeFunc) bus.BatchHandler {
	var batch []store.Reading
	return func(ctx context.Context, ds []*bus.Delivery) error {
		batch = batch[:0]
		var bad bus.DeliveryErrors
		for i, d := range ds {
			var err error
			batch, err = decode(ctx, d.Data, batch)
			switch {
			case err == nil:
			case errors.Is(err, bus.ErrPermanent):
				c.m.rejected.Add(1)
				c.log.Warn("ingest: message refused", "stream", d.Stream, "subject", d.Subject, "seq", d.Sequence, "err", err)
				if bad == nil {
					bad = bus.DeliveryErrors{}
				}
				bad[i] = fmt.Errorf("%s seq %d: %w", d.Subject, d.Sequence, err)
			default:
				return err
			}
		}
		if err := c.append(ctx, batch, ds); err != nil {
			return err
		}
		if bad != nil {
			return bad
		}
		return nil
	}
}

// ahead refuses readings later than limit.
func ahead(rs []store.Reading, limit int64) error {
	for _, r := range rs {
		if r.Time > limit {
			return fmt.Errorf("%s is ahead of the clock: %w", r, store.ErrInvalid)
		}
	}
	return nil
}

// append writes batch durably and counts what happened.
func (c *Consumer) append(ctx context.Context, batch []store.Reading, ds []*bus.Delivery) error {
	if len(batch) > 0 {
		res, err := c.cfg.Store.Append(ctx, batch)
		if err != nil {
			c.m.failedWrites.Add(1)
			return fmt.Errorf("ingest: storing %d readings of %d messages: %w", len(batch), len(ds), err)
		}
		c.m.count(res)
	}
	c.m.messages.Add(int64(len(ds)))
	now := c.cfg.Now()
	var lag time.Duration
	for _, d := range ds {
		lag = max(lag, now.Sub(d.Published))
	}
	c.m.lagMs.Store(lag.Milliseconds())
	return nil
}

// tamper are the events that raise an alarm, by code.
var tamper = map[meterdata.Code]string{
	meterdata.TerminalCoverOpened: "terminal cover opened",
	meterdata.MeterCoverOpened:    "meter cover opened",
	meterdata.MagneticField:       "strong magnetic field",
}

func (c *Consumer) alarms(ctx context.Context, evs []store.Reading) error {
	if c.cfg.Alarms == nil {
		return nil
	}
	for _, r := range evs {
		what, ok := tamper[meterdata.Code(r.Value)]
		if !ok {
			continue
		}
		seen, err := c.cfg.Store.Scan(ctx, store.ScanQuery{Meter: r.Meter, Channel: r.Channel, Range: store.Range{From: r.Time, To: r.Time + 1}}, nil)
		if err != nil {
			return fmt.Errorf("ingest: event %s: %w", r, err)
		}
		if len(seen) > 0 {
			continue // stored before: its alarm was raised then
		}
		a := meta.Alarm{Meter: r.Meter, Kind: "tamper", Severity: "critical", Message: what, RaisedAt: time.UnixMilli(r.Time)}
		if _, err := c.cfg.Alarms.RaiseAlarm(ctx, a); err != nil {
			return fmt.Errorf("ingest: alarm for %s: %w", r, err)
		}
	}
	return nil
}

// Metrics counts what a Consumer did since it was made.
type Metrics struct {
	Messages     int64 // deliveries handled (decoded or rejected)
	Rejected     int64 // deliveries that did not decode or had readings from the future (dead-lettered)
	Added        int64 // readings stored for the first time
	Duplicates   int64 // readings already stored as they came (redelivery, repeated reads)
	Replaced     int64 // readings that replaced an estimate or gained flags
	Conflicts    int64 // readings that disagreed with a stored actual value (kept for review)
	Events       int64 // meter events received
	FailedWrites int64 // store writes that failed (their batches are delivered again)
	LagMs        int64 // of the last batch: how long its oldest message waited in the stream
}

type metrics struct {
	messages, rejected, added, duplicates, replaced, conflicts, events, failedWrites, lagMs atomic.Int64
}

func (m *metrics) count(r store.AppendResult) {
	m.added.Add(int64(r.Added))
	m.duplicates.Add(int64(r.Unchanged))
	m.replaced.Add(int64(r.Replaced))
	m.conflicts.Add(int64(r.Conflicted))
}

// Metrics returns the counters.
func (c *Consumer) Metrics() Metrics {
	m := &c.m
	return Metrics{Messages: m.messages.Load(), Rejected: m.rejected.Load(), Added: m.added.Load(), Duplicates: m.duplicates.Load(),
		Replaced: m.replaced.Load(), Conflicts: m.conflicts.Load(), Events: m.events.Load(), FailedWrites: m.failedWrites.Load(), LagMs: m.lagMs.Load()}
}
