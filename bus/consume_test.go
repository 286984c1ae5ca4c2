package bus

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// fastRetry keeps redelivery waits short in tests.
var fastRetry = Backoff(time.Millisecond, 4*time.Millisecond)

// consumeInBackground runs Consume until the test ends or stop is called,
// and reports its return value on the returned channel.
func consumeInBackground(t *testing.T, ctx context.Context, b *Bus, stream, durable string, h Handler, opts ...ConsumeOption) <-chan error {
	t.Helper()
	return inBackground(t, func() error { return b.Consume(ctx, stream, durable, h, opts...) })
}

// inBackground runs f, a consuming call, and reports its return
// value on the returned channel.
func inBackground(t *testing.T, f func() error) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	return done
}

// recv waits for the next value on ch.
func recv[T any](t *testing.T, ctx context.Context, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-ctx.Done():
		t.Fatalf("waiting for %s: %v", what, ctx.Err())
		panic("unreachable")
	}
}

func TestPublishConsumeRoundTrip(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	hdr := Header{}
	hdr.Set("Content-Type", "application/x-amigo-reading")
	if err := b.PublishMsg(ctx, Message{Subject: ReadingsSubject("M.1"), ID: "M.1/1.8.0/1700000000000", Header: hdr, Data: []byte{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	if len(hdr) != 1 {
		t.Errorf("PublishMsg modified the caller's header: %v", hdr)
	}

	got := make(chan *Delivery, 1)
	consumeCtx, stop := context.WithCancel(ctx)
	done := consumeInBackground(t, consumeCtx, b, StreamReadings, "mdm", func(_ context.Context, d *Delivery) error {
		got <- d
		return nil
	})
	d := recv(t, ctx, got, "delivery")
	meter, err := MeterFromSubject(d.Subject)
	if err != nil || meter != "M.1" {
		t.Errorf("meter from %q = %q, %v", d.Subject, meter, err)
	}
	if d.ID != "M.1/1.8.0/1700000000000" || d.Header.Get("Content-Type") != "application/x-amigo-reading" ||
		string(d.Data) != "\x01\x02\x03" || d.Stream != StreamReadings || d.Sequence != 1 || d.Delivered != 1 {
		t.Errorf("delivery %+v", d)
	}
	if age := time.Since(d.Published); age < 0 || age > hangGuard {
		t.Errorf("published %v, not around now", d.Published)
	}
	stop()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatalf("Consume after cancel = %v, want nil", err)
	}
	settled(t, ctx, b, StreamReadings, "mdm", 1)
}

func TestRedeliveryAfterHandlerError(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	if err := b.Publish(ctx, EventsSubject("M1"), "e1", []byte("power-down")); err != nil {
		t.Fatal(err)
	}
	type attempt struct{ seq, delivered uint64 }
	attempts := make(chan attempt, 10)
	consumeCtx, stop := context.WithCancel(ctx)
	done := consumeInBackground(t, consumeCtx, b, StreamEvents, "mdm", func(_ context.Context, d *Delivery) error {
		attempts <- attempt{d.Sequence, d.Delivered}
		if d.Sequence == 1 && d.Delivered == 1 {
			return errors.New("store unavailable")
		}
		return nil
	}, fastRetry)
	first := recv(t, ctx, attempts, "first delivery")
	second := recv(t, ctx, attempts, "redelivery")
	if first != (attempt{1, 1}) || second != (attempt{1, 2}) {
		t.Errorf("attempts %+v then %+v, want {1 1} then {1 2}", first, second)
	}
	// A second message proves the first is settled: the consumer moved on.
	if err := b.Publish(ctx, EventsSubject("M1"), "e2", []byte("power-up")); err != nil {
		t.Fatal(err)
	}
	if third := recv(t, ctx, attempts, "next message"); third != (attempt{2, 1}) {
		t.Errorf("after the redelivered message: %+v, want {2 1}", third)
	}
	stop()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatal(err)
	}
	settled(t, ctx, b, StreamEvents, "mdm", 2)
	if n := streamMsgs(t, b, StreamDead); n != 0 {
		t.Errorf("DEAD holds %d messages, want 0", n)
	}
}

// deadLetterFrom waits for one message in the dead-letter stream and returns it.
func deadLetterFrom(t *testing.T, ctx context.Context, b *Bus) *Delivery {
	t.Helper()
	got := make(chan *Delivery, 1)
	consumeCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := consumeInBackground(t, consumeCtx, b, StreamDead, "inspect", func(_ context.Context, d *Delivery) error {
		got <- d
		return nil
	})
	d := recv(t, ctx, got, "dead letter")
	stop()
	recv(t, ctx, done, "dead-letter Consume to return")
	return d
}

func TestDeadLetterAfterMaxDeliver(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	hdr := Header{"Meter-Model": {"E450"}}
	if err := b.PublishMsg(ctx, Message{Subject: ReadingsSubject("M1"), ID: "r1", Header: hdr, Data: []byte("poison")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var calls []uint64
	consumeCtx, stop := context.WithCancel(ctx)
	done := consumeInBackground(t, consumeCtx, b, StreamReadings, "mdm", func(_ context.Context, d *Delivery) error {
		mu.Lock()
		calls = append(calls, d.Delivered)
		mu.Unlock()
		return fmt.Errorf("attempt %d fails", d.Delivered)
	}, MaxDeliver(3), fastRetry)

	d := deadLetterFrom(t, ctx, b)
	stop()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		HeaderDeadStream:   StreamReadings,
		HeaderDeadSubject:  ReadingsSubject("M1"),
		HeaderDeadSequence: "1",
		HeaderDeadConsumer: "mdm",
		HeaderDeadDelivery: "3",
		HeaderDeadReason:   "attempt 3 fails",
		"Meter-Model":      "E450",
	}
	for k, v := range want {
		if got := d.Header.Get(k); got != v {
			t.Errorf("dead letter header %s = %q, want %q", k, got, v)
		}
	}
	if d.Subject != DeadSubject(StreamReadings, "mdm") || string(d.Data) != "poison" || d.ID != "READINGS.mdm.1" {
		t.Errorf("dead letter subject %q id %q data %q", d.Subject, d.ID, d.Data)
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(calls, []uint64{1, 2, 3}) {
		t.Errorf("handler saw deliveries %v, want [1 2 3]", calls)
	}
	settled(t, ctx, b, StreamReadings, "mdm", 1)
}

func TestPermanentErrorDeadLettersAtOnce(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	if err := b.Publish(ctx, JobsSubject("M1"), "j1", []byte("garbled")); err != nil {
		t.Fatal(err)
	}
	calls := 0
	consumeCtx, stop := context.WithCancel(ctx)
	done := consumeInBackground(t, consumeCtx, b, StreamJobs, "hes", func(context.Context, *Delivery) error {
		calls++
		return fmt.Errorf("job: %w", ErrPermanent)
	})
	d := deadLetterFrom(t, ctx, b)
	stop()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatal(err)
	}
	if d.Header.Get(HeaderDeadDelivery) != "1" || calls != 1 {
		t.Errorf("dead-lettered at delivery %s after %d calls, want 1 and 1", d.Header.Get(HeaderDeadDelivery), calls)
	}
	// Terminated in a work queue means removed.
	eventually(t, ctx, "the dead-lettered job to leave JOBS", func() bool { return streamMsgs(t, b, StreamJobs) == 0 })
}

func TestIdempotentPublish(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	subject := ReadingsSubject("M1")
	for range 2 {
		if err := b.Publish(ctx, subject, "M1/1.8.0/1700000000000", []byte("42")); err != nil {
			t.Fatal(err)
		}
	}
	if n := streamMsgs(t, b, StreamReadings); n != 1 {
		t.Fatalf("same ID twice: READINGS holds %d, want 1", n)
	}
	batch := []Message{
		{Subject: subject, ID: "M1/1.8.0/1700000000000", Data: []byte("42")}, // already stored
		{Subject: subject, ID: "M1/1.8.0/1700000900000", Data: []byte("43")},
		{Subject: subject, ID: "M1/1.8.0/1700000900000", Data: []byte("43")}, // twice in one batch
		{Subject: subject, Data: []byte("no id")},
		{Subject: subject, Data: []byte("no id")},
	}
	if err := b.PublishBatch(ctx, batch); err != nil {
		t.Fatal(err)
	}
	if n := streamMsgs(t, b, StreamReadings); n != 4 {
		t.Fatalf("after batch: READINGS holds %d, want 4 (1 + one new ID + two without ID)", n)
	}
}

func TestPublishBatchBeyondWindow(t *testing.T) {
	b := openEmbedded(t, Config{MaxInFlight: 16})
	ctx := guarded(t)
	const n = 2000
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Subject: ReadingsSubject("M" + strconv.Itoa(i%10)), ID: strconv.Itoa(i), Data: []byte(strconv.Itoa(i))}
	}
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	if got := streamMsgs(t, b, StreamReadings); got != n {
		t.Fatalf("READINGS holds %d, want %d", got, n)
	}
	if err := b.PublishBatch(ctx, nil); err != nil {
		t.Errorf("empty batch: %v", err)
	}
	bad := []Message{{Subject: ReadingsSubject("ok"), Data: nil}, {Subject: "amigo.readings.*"}}
	if err := b.PublishBatch(ctx, bad); !errors.Is(err, ErrBadSubject) {
		t.Errorf("batch with a wildcard subject = %v, want ErrBadSubject", err)
	}
}

func TestConsumerResumesFromDurablePosition(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	msgs := make([]Message, 10)
	for i := range msgs {
		msgs[i] = Message{Subject: ReadingsSubject("M1"), ID: strconv.Itoa(i + 1)}
	}
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}

	// The first instance handles five messages and stops while holding the
	// rest in its prefetch buffer; those must be handed back, not lost.
	firstCtx, stopFirst := context.WithCancel(ctx)
	var first []uint64
	err := b.Consume(firstCtx, StreamReadings, "mdm", func(_ context.Context, d *Delivery) error {
		first = append(first, d.Sequence)
		if len(first) == 5 {
			stopFirst()
		}
		return nil
	})
	if err != nil {
		t.Fatalf("first Consume = %v", err)
	}
	if !slices.Equal(first, []uint64{1, 2, 3, 4, 5}) {
		t.Fatalf("first instance handled %v, want 1..5", first)
	}

	// A new instance (AckWait far beyond the test's guard, so only the
	// hand-back can make this pass) resumes at 6.
	seen := make(chan uint64, 10)
	secondCtx, stopSecond := context.WithCancel(ctx)
	done := consumeInBackground(t, secondCtx, b, StreamReadings, "mdm", func(_ context.Context, d *Delivery) error {
		seen <- d.Sequence
		return nil
	}, AckWait(time.Hour))
	var second []uint64
	for len(second) < 5 {
		second = append(second, recv(t, ctx, seen, "resumed delivery"))
	}
	stopSecond()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(second)
	if !slices.Equal(second, []uint64{6, 7, 8, 9, 10}) {
		t.Fatalf("second instance handled %v, want 6..10", second)
	}
	if len(seen) != 0 {
		t.Errorf("second instance handled more: %d extra", len(seen))
	}
}

func TestWorkQueueSplitsBetweenInstances(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	const jobs = 200
	msgs := make([]Message, jobs)
	for i := range msgs {
		msgs[i] = Message{Subject: JobsSubject("M" + strconv.Itoa(i)), ID: "job-" + strconv.Itoa(i)}
	}
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	handledBy := map[string][]string{}
	all := make(chan struct{})
	consumeCtx, stop := context.WithCancel(ctx)
	var dones []<-chan error
	for _, node := range []string{"hes-a", "hes-b"} {
		dones = append(dones, consumeInBackground(t, consumeCtx, b, StreamJobs, "hes", func(_ context.Context, d *Delivery) error {
			mu.Lock()
			defer mu.Unlock()
			handledBy[d.ID] = append(handledBy[d.ID], node)
			if len(handledBy) == jobs && len(handledBy[d.ID]) == 1 {
				close(all)
			}
			return nil
		}, Prefetch(1)))
	}
	recv(t, ctx, all, "every job handled")
	stop()
	for _, done := range dones {
		if err := recv(t, ctx, done, "Consume to return"); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for id, by := range handledBy {
		if len(by) != 1 {
			t.Errorf("job %s handled %d times", id, len(by))
		}
	}
	eventually(t, ctx, "acknowledged jobs to leave JOBS", func() bool { return streamMsgs(t, b, StreamJobs) == 0 })
}

func TestContextCancellation(t *testing.T) {
	b := openEmbedded(t, Config{})
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Publish(cancelled, ReadingsSubject("M1"), "x", nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Publish(cancelled) = %v, want context.Canceled", err)
	}
	batch := []Message{{Subject: ReadingsSubject("M1"), ID: "y"}}
	if err := b.PublishBatch(cancelled, batch); !errors.Is(err, context.Canceled) {
		t.Errorf("PublishBatch(cancelled) = %v, want context.Canceled", err)
	}
	if err := b.Consume(cancelled, StreamReadings, "mdm", func(context.Context, *Delivery) error { return nil }); err != nil {
		t.Errorf("Consume(cancelled) = %v, want nil", err)
	}
	if _, err := b.KeyValue(cancelled, "locks", 0); !errors.Is(err, context.Canceled) {
		t.Errorf("KeyValue(cancelled) = %v, want context.Canceled", err)
	}

	// A handler that sees its context end hands the message back instead
	// of counting a failure.
	ctx := guarded(t)
	if err := b.Publish(ctx, CommandsSubject("M1"), "c1", []byte("disconnect")); err != nil {
		t.Fatal(err)
	}
	consumeCtx, stop := context.WithCancel(ctx)
	started := make(chan struct{})
	done := consumeInBackground(t, consumeCtx, b, StreamCommands, "hes", func(hctx context.Context, _ *Delivery) error {
		close(started)
		<-hctx.Done()
		return hctx.Err()
	})
	recv(t, ctx, started, "handler to start")
	stop()
	if err := recv(t, ctx, done, "Consume to return"); err != nil {
		t.Fatalf("Consume after cancel = %v, want nil", err)
	}
	var d *Delivery
	got := make(chan *Delivery, 1)
	again, stopAgain := context.WithCancel(ctx)
	done = consumeInBackground(t, again, b, StreamCommands, "hes", func(_ context.Context, d *Delivery) error {
		got <- d
		return nil
	}, AckWait(time.Hour))
	d = recv(t, ctx, got, "handed-back command")
	stopAgain()
	recv(t, ctx, done, "Consume to return")
	if d.ID != "c1" || d.Delivered != 2 {
		t.Errorf("handed-back command id %q delivered %d, want c1 and 2", d.ID, d.Delivered)
	}
	if n := streamMsgs(t, b, StreamDead); n != 0 {
		t.Errorf("DEAD holds %d, want 0: a cancelled handler is not a failure", n)
	}
}

func TestConsumeRejectsBadOptions(t *testing.T) {
	b := openEmbedded(t, Config{})
	nop := func(context.Context, *Delivery) error { return nil }
	for _, opt := range []ConsumeOption{MaxDeliver(0), AckWait(0), Backoff(time.Second, time.Millisecond), Prefetch(0), Linger(-time.Second)} {
		if err := b.Consume(t.Context(), StreamReadings, "mdm", nop, opt); err == nil {
			t.Errorf("Consume with bad option returned nil")
		}
	}
	if err := b.Consume(t.Context(), "NOSUCH", "mdm", nop); err == nil {
		t.Errorf("Consume on a missing stream returned nil")
	}
	nopBatch := func(context.Context, []*Delivery) error { return nil }
	if err := b.ConsumeBatch(t.Context(), StreamReadings, "mdm", 0, nopBatch); err == nil {
		t.Errorf("ConsumeBatch with size 0 returned nil")
	}
}

func TestBackoffDoubles(t *testing.T) {
	o := consumeOptions{backoffMin: time.Second, backoffMax: 10 * time.Second}
	var got []time.Duration
	for n := uint64(1); n <= 6; n++ {
		got = append(got, o.delay(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("delays %v, want %v", got, want)
	}
}

func TestConsumeBatch(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	const n, size = 250, 100
	msgs := make([]Message, n)
	for i := range msgs {
		msgs[i] = Message{Subject: ReadingsSubject("M" + strconv.Itoa(i%7)), ID: strconv.Itoa(i)}
	}
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	seen := map[uint64]int{}
	var sizes []int
	all := make(chan struct{})
	consumeCtx, stop := context.WithCancel(ctx)
	done := inBackground(t, func() error {
		return b.ConsumeBatch(consumeCtx, StreamReadings, "mdm", size, func(_ context.Context, ds []*Delivery) error {
			sizes = append(sizes, len(ds))
			for _, d := range ds {
				seen[d.Sequence]++
			}
			if len(seen) == n {
				close(all)
			}
			return nil
		})
	})
	recv(t, ctx, all, "every message in batches")
	stop()
	if err := recv(t, ctx, done, "ConsumeBatch to return"); err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= n; seq++ {
		if seen[seq] != 1 {
			t.Errorf("sequence %d handled %d times", seq, seen[seq])
		}
	}
	if len(sizes) >= n || slices.Max(sizes) > size {
		t.Errorf("batch sizes %v: want fewer batches than messages, none over %d", sizes, size)
	}
	settled(t, ctx, b, StreamReadings, "mdm", n)
}

func TestConsumeBatchPartialFailure(t *testing.T) {
	b := openEmbedded(t, Config{})
	ctx := guarded(t)
	msgs := []Message{
		{Subject: ReadingsSubject("M1"), ID: "good"},
		{Subject: ReadingsSubject("M1"), ID: "garbled", Data: []byte{0xff}},
		{Subject: ReadingsSubject("M1"), ID: "flaky"},
	}
	if err := b.PublishBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	handled := map[string][]uint64{} // ID → delivery counts seen
	flakyDone := make(chan struct{})
	consumeCtx, stop := context.WithCancel(ctx)
	done := inBackground(t, func() error {
		return b.ConsumeBatch(consumeCtx, StreamReadings, "mdm", 10, func(_ context.Context, ds []*Delivery) error {
			mu.Lock()
			defer mu.Unlock()
			errs := DeliveryErrors{}
			for i, d := range ds {
				handled[d.ID] = append(handled[d.ID], d.Delivered)
				switch {
				case d.ID == "garbled":
					errs[i] = fmt.Errorf("decode: %w", ErrPermanent)
				case d.ID == "flaky" && d.Delivered == 1:
					errs[i] = errors.New("store busy")
				case d.ID == "flaky":
					close(flakyDone)
				}
			}
			if len(errs) == 0 {
				return nil
			}
			return errs
		}, fastRetry)
	})
	dead := deadLetterFrom(t, ctx, b)
	recv(t, ctx, flakyDone, "flaky message retried")
	stop()
	if err := recv(t, ctx, done, "ConsumeBatch to return"); err != nil {
		t.Fatal(err)
	}
	if dead.Header.Get(HeaderDeadReason) != "decode: bus: permanent failure" || dead.Header.Get(HeaderDeadSequence) != "2" {
		t.Errorf("dead letter reason %q sequence %s", dead.Header.Get(HeaderDeadReason), dead.Header.Get(HeaderDeadSequence))
	}
	mu.Lock()
	defer mu.Unlock()
	want := map[string][]uint64{"good": {1}, "garbled": {1}, "flaky": {1, 2}}
	for id, w := range want {
		if !slices.Equal(handled[id], w) {
			t.Errorf("%s handled at deliveries %v, want %v", id, handled[id], w)
		}
	}
	settled(t, ctx, b, StreamReadings, "mdm", 3)
}

func TestDeliveryErrorsMessage(t *testing.T) {
	e := DeliveryErrors{7: errors.New("late"), 2: errors.New("early")}
	if got, want := e.Error(), "bus: 2 deliveries failed, first [2]: early"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
