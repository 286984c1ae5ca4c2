package bus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Delivery is a message as a consumer receives it.
type Delivery struct {
	Message             // Subject, ID (from Nats-Msg-Id), Header, Data; the handler may keep them
	Stream    string    // the stream it was stored in
	Sequence  uint64    // its sequence in that stream: unique and stable across redeliveries
	Delivered uint64    // 1 on the first delivery, 2 on the first redelivery, …
	Published time.Time // when the stream stored it
}

// Handler processes one delivery. Returning nil acknowledges it: the
// message is done for this consumer. An error hands it back for another
// attempt after a backoff, or dead-letters it (see Consume). The context is
// the one given to Consume.
type Handler func(ctx context.Context, d *Delivery) error

// BatchHandler processes several deliveries at once, so that a consumer can
// make them durable in one write. Returning nil acknowledges them all; a
// DeliveryErrors fails only the deliveries it names; any other error fails
// them all. Failed deliveries are retried or dead-lettered one by one, as
// for Handler.
type BatchHandler func(ctx context.Context, ds []*Delivery) error

// DeliveryErrors is a BatchHandler's answer when only some deliveries failed:
// the error of each failed one by its index in the batch. The others are
// acknowledged.
type DeliveryErrors map[int]error

func (e DeliveryErrors) Error() string {
	first := -1
	for i := range e {
		if first < 0 || i < first {
			first = i
		}
	}
	if first < 0 {
		return "bus: no delivery failed"
	}
	return fmt.Sprintf("bus: %d deliveries failed, first [%d]: %v", len(e), first, e[first])
}

// ErrPermanent, wrapped in a handler's error, says retrying cannot help (an
// undecodable payload): the message goes to the dead-letter stream at once.
var ErrPermanent = errors.New("bus: permanent failure")

// ConsumeOption tunes one Consume call; every instance of a durable
// consumer should pass the same ones.
type ConsumeOption func(*consumeOptions)

type consumeOptions struct {
	filter     string
	ackWait    time.Duration
	maxDeliver int
	backoffMin time.Duration
	backoffMax time.Duration
	prefetch   int
	linger     time.Duration
}

// FilterSubject limits the consumer to subjects matching s
// ("amigo.readings.>" is the whole READINGS stream, the default).
func FilterSubject(s string) ConsumeOption { return func(o *consumeOptions) { o.filter = s } }

// AckWait is how long a delivery may stay unanswered before the server
// gives it to another instance (30 s by default). Handlers must finish
// well within it.
func AckWait(d time.Duration) ConsumeOption { return func(o *consumeOptions) { o.ackWait = d } }

// MaxDeliver is how many deliveries a message gets before it is
// dead-lettered (5 by default).
func MaxDeliver(n int) ConsumeOption { return func(o *consumeOptions) { o.maxDeliver = n } }

// Backoff sets the delay before a failed message is redelivered: first
// after min, doubling on each failure up to max (1 s and 1 min by default).
func Backoff(min, max time.Duration) ConsumeOption {
	return func(o *consumeOptions) { o.backoffMin, o.backoffMax = min, max }
}

// Prefetch is how many messages an instance holds ahead of its handler
// (256 by default). Work-queue consumers with slow handlers (head-end jobs)
// want a small number so that idle instances get the work.
func Prefetch(n int) ConsumeOption { return func(o *consumeOptions) { o.prefetch = n } }

// Linger is how long ConsumeBatch waits for more messages to fill a batch
// once it has one (10 ms by default). Messages already received never wait.
func Linger(d time.Duration) ConsumeOption { return func(o *consumeOptions) { o.linger = d } }

// delay is how long to wait before the delivered-th attempt is retried.
func (o *consumeOptions) delay(delivered uint64) time.Duration {
	d := o.backoffMin
	for i := uint64(1); i < delivered && d < o.backoffMax; i++ {
		d *= 2
	}
	return min(d, o.backoffMax)
}

// Consume runs h on the messages of durable pull consumer durable on
// stream, creating the consumer on first use, until ctx is done; it then
// returns nil. Every process that calls Consume with the same stream and
// durable is one instance of the same consumer: each message goes to one of
// them, and a new instance resumes where the consumer stands.
//
// Delivery is at least once. A message is acknowledged only after h returns
// nil; one that h fails on is redelivered after a backoff, and after
// MaxDeliver failures (or at once for ErrPermanent) it is published to
// DeadSubject(stream, durable) in stream DEAD, with the reason in headers,
// and terminated. A message that comes back more than MaxDeliver times
// without h answering (a process dying in h) is dead-lettered without
// calling h again. When ctx ends, messages received but not handled are
// handed back at once.
//
// Messages are handled one at a time in stream order; run several Consume
// calls for parallelism.
func (b *Bus) Consume(ctx context.Context, stream, durable string, h Handler, opts ...ConsumeOption) error {
	return b.consume(ctx, stream, durable, 1, func(ctx context.Context, ds []*Delivery) error { return h(ctx, ds[0]) }, opts)
}

// ConsumeBatch is Consume for handlers that want up to size deliveries at a
// time: it passes whatever has arrived, waiting at most Linger for more
// once it holds one. Prefetch should be at least size.
func (b *Bus) ConsumeBatch(ctx context.Context, stream, durable string, size int, h BatchHandler, opts ...ConsumeOption) error {
	if size < 1 {
		return fmt.Errorf("bus: consume %s/%s: batch size %d", stream, durable, size)
	}
	return b.consume(ctx, stream, durable, size, h, opts)
}

func (b *Bus) consume(ctx context.Context, stream, durable string, size int, h BatchHandler, opts []ConsumeOption) error {
	o := consumeOptions{ackWait: 30 * time.Second, maxDeliver: 5, backoffMin: time.Second, backoffMax: time.Minute,
		prefetch: max(256, size), linger: 10 * time.Millisecond}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ackWait <= 0 || o.maxDeliver < 1 || o.backoffMin <= 0 || o.backoffMax < o.backoffMin || o.prefetch < 1 || o.linger < 0 {
		return fmt.Errorf("bus: consume %s/%s: bad options %+v", stream, durable, o)
	}
	cons, err := b.createConsumer(ctx, stream, jetstream.ConsumerConfig{
		Durable:       durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       o.ackWait,
		FilterSubject: o.filter,
		// The bus counts deliveries itself so that the last failure is
		// dead-lettered, not silently dropped by the server.
		MaxDeliver: -1,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("bus: consumer %s/%s: %w", stream, durable, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(o.prefetch), jetstream.WithMessagesErrOnMissingHeartbeat(false))
	if err != nil {
		return fmt.Errorf("bus: consume %s/%s: %w", stream, durable, err)
	}
	c := consumer{bus: b, stream: stream, durable: durable, opts: o, h: h}
	batch := make([]jetstream.Msg, 0, size)
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if ctx.Err() != nil {
			batch = batch[:0]
			if err == nil {
				batch = append(batch, msg)
			}
			c.stop(it, batch)
			return nil
		}
		if err != nil {
			if errors.Is(err, jetstream.ErrMsgIteratorClosed) || errors.Is(err, jetstream.ErrConsumerDeleted) {
				it.Stop()
				return fmt.Errorf("bus: consume %s/%s: %w", stream, durable, err)
			}
			b.log.Warn("bus: consume", "stream", stream, "consumer", durable, "err", err)
			continue
		}
		batch = append(batch[:0], msg)
		for len(batch) < size {
			// A closed iterator shows up again at the blocking Next above.
			more, err := it.Next(jetstream.NextMaxWait(max(o.linger, time.Microsecond)))
			if err != nil {
				break
			}
			batch = append(batch, more)
		}
		if unanswered := c.handle(ctx, batch); len(unanswered) > 0 {
			c.stop(it, unanswered)
			return nil
		}
	}
}

// createConsumer creates or updates a durable consumer. A cluster that is
// electing leaders drops or refuses requests for a few seconds, so requests
// are bounded by AckTimeout and retried while the failure is of that kind.
func (b *Bus) createConsumer(ctx context.Context, stream string, cfg jetstream.ConsumerConfig) (jetstream.Consumer, error) {
	wait := 250 * time.Millisecond
	for {
		rctx, cancel := context.WithTimeout(ctx, b.cfg.AckTimeout)
		cons, err := b.js.CreateOrUpdateConsumer(rctx, stream, cfg)
		cancel()
		if err == nil || ctx.Err() != nil || !transient(err) {
			return cons, err
		}
		b.log.Warn("bus: consumer not created yet; retrying", "stream", stream, "consumer", cfg.Durable, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

// transient reports failures that a cluster electing leaders produces:
// no answer, no responder, or "temporarily unavailable".
func transient(err error) bool {
	var apiErr *jetstream.APIError
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, nats.ErrTimeout) ||
		errors.Is(err, nats.ErrNoResponders) || errors.Is(err, jetstream.ErrNoStreamResponse) ||
		errors.As(err, &apiErr) && apiErr.Code == 503
}

// consumer is one running Consume call.
type consumer struct {
	bus             *Bus
	stream, durable string
	opts            consumeOptions
	h               BatchHandler
}

// handle runs the handler on msgs and answers the server for each. It
// returns the messages it left unanswered because the handler failed as ctx
// ended.
func (c *consumer) handle(ctx context.Context, msgs []jetstream.Msg) []jetstream.Msg {
	ds := make([]*Delivery, 0, len(msgs))
	live := msgs[:0] // the messages of ds, in place
	for _, msg := range msgs {
		d, err := delivery(msg)
		switch {
		case err != nil:
			c.bus.log.Error("bus: delivery without metadata", "stream", c.stream, "consumer", c.durable, "subject", msg.Subject(), "err", err)
			c.answer(msg.Term(), "term", msg)
		case d.Delivered > uint64(c.opts.maxDeliver):
			c.deadLetter(ctx, msg, d, fmt.Errorf("delivered %d times without an answer", d.Delivered))
		default:
			ds = append(ds, d)
			live = append(live, msg)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	herr := c.h(ctx, ds)
	if herr != nil && ctx.Err() != nil {
		return live
	}
	var each DeliveryErrors
	partial := errors.As(herr, &each)
	for i, msg := range live {
		err := herr
		if partial {
			err = each[i]
		}
		c.settle(ctx, msg, ds[i], err)
	}
	return nil
}

// settle acknowledges msg if err is nil, and otherwise hands it back for a
// retry after the backoff or dead-letters it.
func (c *consumer) settle(ctx context.Context, msg jetstream.Msg, d *Delivery, err error) {
	switch {
	case err == nil:
		c.answer(msg.Ack(), "ack", msg)
	case errors.Is(err, ErrPermanent) || d.Delivered >= uint64(c.opts.maxDeliver):
		c.deadLetter(ctx, msg, d, err)
	default:
		c.answer(msg.NakWithDelay(c.opts.delay(d.Delivered)), "nak", msg)
	}
}

// Dead-letter headers: where the message was and why it was given up.
const (
	HeaderDeadStream   = "Amigo-Dead-Stream"
	HeaderDeadSubject  = "Amigo-Dead-Subject"
	HeaderDeadSequence = "Amigo-Dead-Sequence"
	HeaderDeadConsumer = "Amigo-Dead-Consumer"
	HeaderDeadDelivery = "Amigo-Dead-Delivered"
	HeaderDeadReason   = "Amigo-Dead-Reason"
)

// deadLetter stores msg in the dead-letter stream and terminates it. If the
// dead-letter stream cannot take it, the message is handed back for later
// and, delivered too often, comes here again without the handler.
func (c *consumer) deadLetter(ctx context.Context, msg jetstream.Msg, d *Delivery, reason error) {
	h := make(Header, len(d.Header)+6)
	for k, v := range d.Header {
		if k != jetstream.MsgIDHeader {
			h[k] = v
		}
	}
	h.Set(HeaderDeadStream, c.stream)
	h.Set(HeaderDeadSubject, d.Subject)
	h.Set(HeaderDeadSequence, strconv.FormatUint(d.Sequence, 10))
	h.Set(HeaderDeadConsumer, c.durable)
	h.Set(HeaderDeadDelivery, strconv.FormatUint(d.Delivered, 10))
	h.Set(HeaderDeadReason, reason.Error())
	dead := Message{
		Subject: DeadSubject(c.stream, c.durable),
		// Stream and sequence name the message, so a retried dead letter
		// is stored once.
		ID:     c.stream + "." + c.durable + "." + strconv.FormatUint(d.Sequence, 10),
		Header: h,
		Data:   d.Data,
	}
	log := c.bus.log.With("stream", c.stream, "consumer", c.durable, "subject", d.Subject, "seq", d.Sequence, "delivered", d.Delivered)
	if err := c.bus.PublishMsg(ctx, dead); err != nil {
		log.Error("bus: dead letter not stored; retrying later", "reason", reason, "err", err)
		c.answer(msg.NakWithDelay(c.opts.backoffMax), "nak", msg)
		return
	}
	log.Warn("bus: message dead-lettered", "reason", reason)
	c.answer(msg.TermWithReason(reason.Error()), "term", msg)
}

// stop ends the pull, then hands back inHand and every message already
// received, so that other instances get them now rather than after
// AckWait. The hand-back waits until the pull has ended (the iterator is
// drained), or the server could deliver the messages here again.
func (c *consumer) stop(it jetstream.MessagesContext, inHand []jetstream.Msg) {
	it.Drain()
	back := inHand
	for {
		msg, err := it.Next(jetstream.NextMaxWait(time.Second))
		if err != nil {
			break
		}
		back = append(back, msg)
	}
	for _, msg := range back {
		c.answer(msg.Nak(), "nak", msg)
	}
}

// answer logs a failed ack, nak or term: the server will redeliver, so the
// only harm is a duplicate the consumer must tolerate anyway.
func (c *consumer) answer(err error, what string, msg jetstream.Msg) {
	if err != nil {
		c.bus.log.Warn("bus: "+what+" not sent", "stream", c.stream, "consumer", c.durable, "subject", msg.Subject(), "err", err)
	}
}

// delivery converts a received message.
func delivery(msg jetstream.Msg) (*Delivery, error) {
	md, err := msg.Metadata()
	if err != nil {
		return nil, err
	}
	h := msg.Headers()
	return &Delivery{
		Message: Message{
			Subject: msg.Subject(),
			ID:      h.Get(jetstream.MsgIDHeader),
			Header:  h,
			Data:    msg.Data(),
		},
		Stream:    md.Stream,
		Sequence:  md.Sequence.Stream,
		Delivered: md.NumDelivered,
		Published: md.Timestamp,
	}, nil
}
