package bus

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Header carries message headers; it is the NATS header type (Get, Set,
// Add, Values), so it needs no conversion on the wire.
type Header = nats.Header

// Message is what a publisher hands the bus.
type Message struct {
	Subject string
	// ID makes publishing idempotent: the stream stores a message whose ID
	// it has seen within Config.Duplicates only once (header Nats-Msg-Id).
	// Empty: every publish is stored.
	ID     string
	Header Header // optional; the bus does not modify it
	Data   []byte
}

// Publish stores one message and returns once the stream has acknowledged
// it (persisted on a quorum of replicas). On error the message may or may
// not be stored: publish it again with the same ID.
func (b *Bus) Publish(ctx context.Context, subject, msgID string, data []byte) error {
	return b.PublishMsg(ctx, Message{Subject: subject, ID: msgID, Data: data})
}

// PublishMsg is Publish for a message with headers.
func (b *Bus) PublishMsg(ctx context.Context, m Message) error {
	nm, err := m.natsMsg()
	if err != nil {
		return err
	}
	if _, err := b.js.PublishMsg(ctx, nm); err != nil {
		return fmt.Errorf("bus: publish %s id %q: %w", m.Subject, m.ID, err)
	}
	return nil
}

// PublishBatch sends msgs without waiting for each acknowledgement in turn,
// keeping at most Config.MaxInFlight unacknowledged, and returns once every
// one is acknowledged. On error some messages may be stored and others not:
// publish the whole batch again; with IDs the stored ones are not stored
// twice. The client retries a message while a stream has no leader, so
// the stored order may differ from the slice order.
func (b *Bus) PublishBatch(ctx context.Context, msgs []Message) error {
	pending := make([]jetstream.PubAckFuture, 0, min(len(msgs), b.cfg.MaxInFlight))
	next := 0 // index in msgs of pending[0]
	var failed int
	var first error
	settle := func() error {
		err := awaitAck(ctx, pending[0])
		if err != nil && !isContext(err) {
			failed++
			if first == nil {
				first = fmt.Errorf("%s id %q: %w", msgs[next].Subject, msgs[next].ID, err)
			}
		}
		pending = pending[1:]
		next++
		return err
	}
	for i := range msgs {
		nm, err := msgs[i].natsMsg()
		if err != nil {
			return err
		}
		for {
			if len(pending) == b.cfg.MaxInFlight {
				if err := settle(); isContext(err) {
					return fmt.Errorf("bus: batch of %d: %w", len(msgs), err)
				}
			}
			f, err := b.js.PublishMsgAsync(nm)
			if err == nil {
				pending = append(pending, f)
				break
			}
			// Other publishers share the connection's window: wait for one
			// of ours and try again.
			if errors.Is(err, jetstream.ErrTooManyStalledMsgs) && len(pending) > 0 {
				if err := settle(); isContext(err) {
					return fmt.Errorf("bus: batch of %d: %w", len(msgs), err)
				}
				continue
			}
			return fmt.Errorf("bus: batch of %d: publish %s id %q: %w", len(msgs), msgs[i].Subject, msgs[i].ID, err)
		}
	}
	for len(pending) > 0 {
		if err := settle(); isContext(err) {
			return fmt.Errorf("bus: batch of %d: %w", len(msgs), err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("bus: batch of %d: %d not acknowledged, first %w", len(msgs), failed, first)
	}
	return nil
}

// awaitAck waits for f's acknowledgement.
func awaitAck(ctx context.Context, f jetstream.PubAckFuture) error {
	select {
	case <-f.Ok():
		return nil
	case err := <-f.Err():
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func isContext(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// natsMsg checks m and converts it, copying the header only when the ID
// must be added to it.
func (m *Message) natsMsg() (*nats.Msg, error) {
	if err := checkPublishSubject(m.Subject); err != nil {
		return nil, err
	}
	h := m.Header
	if m.ID != "" {
		h = make(Header, len(m.Header)+1)
		maps.Copy(h, m.Header)
		h.Set(jetstream.MsgIDHeader, m.ID)
	}
	return &nats.Msg{Subject: m.Subject, Header: h, Data: m.Data}, nil
}

// ErrBadSubject reports a subject nothing can be published to.
var ErrBadSubject = errors.New("bus: bad subject")

// checkPublishSubject rejects empty tokens, wildcards and white space,
// which the server would refuse or misroute.
func checkPublishSubject(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrBadSubject)
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '.' {
			tok := s[start:i]
			if tok == "" || tok == "*" || tok == ">" {
				return fmt.Errorf("%w: %q: token %q", ErrBadSubject, s, tok)
			}
			start = i + 1
			continue
		}
		switch s[i] {
		case ' ', '\t', '\r', '\n':
			return fmt.Errorf("%w: %q: white space", ErrBadSubject, s)
		}
	}
	return nil
}
