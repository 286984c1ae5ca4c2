package push

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// pending is one batch being filled or made durable: the readings and
// events of many pushes, and the invocation counter each push was
// accepted with.
type pending struct {
	readings, events meterdata.Batch
	counters         []counterEntry
	pushes           int
	since            time.Time
}

func (p *pending) reset() {
	p.readings.Reset()
	p.events.Reset()
	p.counters, p.pushes = p.counters[:0], 0
}

// batcher collects pushes into batches and makes them durable in order:
// counters into the journal, then the batch messages onto the bus.
// Workers fill the current batch under mu; a full one is queued for the
// flusher and the next is taken from the free list, so that receiving
// waits only when InFlight batches are queued (the bus is slower than
// the pushes).
type batcher struct {
	l    *Listener
	boot string // distinguishes this run's message IDs from a previous run's

	mu      sync.Mutex
	cur     *pending
	free    chan *pending
	full    chan *pending
	closing chan struct{}
	once    sync.Once
	seq     uint64
}

func newBatcher(l *Listener, boot string) *batcher {
	n := l.cfg.InFlight + 1
	b := &batcher{l: l, boot: boot, free: make(chan *pending, n), full: make(chan *pending, n), closing: make(chan struct{})}
	for range n {
		b.free <- &pending{}
	}
	return b
}

// add appends one push's messages (either may be nil) and its counter.
func (b *batcher) add(meter store.MeterID, ic uint32, rm *meterdata.Readings, em *meterdata.Events) error {
	b.mu.Lock()
	for b.cur == nil {
		select {
		case p := <-b.free:
			b.cur, p.since = p, time.Now()
		default:
			// Every batch is queued: wait for the flusher, unlocked.
			b.mu.Unlock()
			p := <-b.free
			b.mu.Lock()
			if b.cur == nil {
				b.cur, p.since = p, time.Now()
			} else {
				b.free <- p
			}
		}
	}
	p := b.cur
	var err error
	if rm != nil {
		err = p.readings.AppendReadings(rm)
	}
	if em != nil && err == nil {
		err = p.events.AppendEvents(em)
	}
	p.counters = append(p.counters, counterEntry{meter, ic})
	if err == nil {
		p.pushes++
	}
	if p.pushes >= b.l.cfg.BatchPushes || p.readings.Size()+p.events.Size() >= b.l.cfg.BatchBytes {
		b.cur = nil
		b.full <- p // never blocks: there are only as many batches as room
	}
	b.mu.Unlock()
	return err
}

// run flushes full batches, and the current one once it has waited
// Linger, until close; then it flushes what is left and returns.
func (b *batcher) run(ctx context.Context) error {
	tick := time.NewTicker(max(b.l.cfg.Linger/2, time.Millisecond))
	defer tick.Stop()
	// A flush under way when ctx ends (the process is stopping) gets
	// PublishTimeout more to finish: its pushes were taken from meters
	// that will not send them again.
	pubCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(b.l.cfg.PublishTimeout, cancel) })
	defer stop()
	ctx = pubCtx
	for {
		select {
		case p := <-b.full:
			b.flush(ctx, p)
		case <-tick.C:
			b.mu.Lock()
			p := b.cur
			if p != nil && time.Since(p.since) >= b.l.cfg.Linger {
				b.cur = nil
			} else {
				p = nil
			}
			b.mu.Unlock()
			if p != nil {
				b.flush(ctx, p)
			}
		case <-b.closing:
			// Receiving has stopped: make the rest durable, with a
			// deadline of its own since ctx may be over.
			sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), b.l.cfg.PublishTimeout)
			defer cancel()
			for {
				select {
				case p := <-b.full:
					b.flush(sctx, p)
					continue
				default:
				}
				break
			}
			b.mu.Lock()
			p := b.cur
			b.cur = nil
			b.mu.Unlock()
			if p != nil {
				b.flush(sctx, p)
			}
			return nil
		}
	}
}

// close tells run to finish; no add may follow.
func (b *batcher) close() { b.once.Do(func() { close(b.closing) }) }

// flush makes p durable and returns it to the free list.
func (b *batcher) flush(ctx context.Context, p *pending) {
	defer func() {
		p.reset()
		b.free <- p
	}()
	if len(p.counters) == 0 {
		return
	}
	start := time.Now()
	l := b.l
	if err := l.journal.write(p.counters); err != nil {
		// Replays are still refused while the process runs; only a
		// restart would forget these counters.
		l.log.Error("push: counter journal not written", "err", err)
	}
	if l.journal.needsCompaction(l.knownMeters()) {
		if err := l.journal.compact(l.counterSnapshot()); err != nil {
			l.log.Error("push: counter journal not compacted", "err", err)
		}
	}
	b.seq++
	id := l.cfg.Origin + "." + b.boot + "." + strconv.FormatUint(b.seq, 10)
	ok := b.publish(ctx, bus.ReadingsBatchSubject(l.cfg.Origin), id+".r", p.readings.Bytes()) &&
		b.publish(ctx, bus.EventsBatchSubject(l.cfg.Origin), id+".e", p.events.Bytes())
	if !ok {
		l.metrics.rejected[ReasonPublish].Add(float64(p.pushes))
		l.log.Error("push: batch not published; its pushes are lost", "pushes", p.pushes, "id", id)
		return
	}
	l.metrics.Published.Add(float64(p.pushes))
	l.metrics.Batches.Inc()
	l.metrics.Flush.Observe(time.Since(start).Seconds())
}

// publish stores one batch message, retrying with the same ID (stored
// once) until it is acknowledged or ctx ends.
func (b *batcher) publish(ctx context.Context, subject, id string, data []byte) bool {
	if data == nil {
		return true
	}
	wait := 50 * time.Millisecond
	for {
		pctx, cancel := context.WithTimeout(ctx, b.l.cfg.PublishTimeout)
		err := b.l.cfg.Publisher.PublishMsg(pctx, bus.Message{Subject: subject, ID: id, Data: data})
		cancel()
		if err == nil {
			return true
		}
		b.l.log.Warn("push: publish failed; retrying", "subject", subject, "id", id, "err", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}
