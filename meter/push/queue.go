package push

import (
	"math/rand/v2"
	"slices"
	"sync"
	"time"
)

// Pusher sends pushes. Push must not block for long: it sends at once or
// queues, and calls done exactly once with the outcome, from any goroutine
// (possibly before Push returns).
type Pusher interface {
	Push(dst Destination, apdu []byte, done func(error))
}

// Pending is a push waiting in a Queue.
type Pending struct {
	ID       uint64
	Setup    int // index of the setup
	Due      time.Time
	Attempts int // sends so far
	LastGasp bool
}

// Queue holds the pushes waiting to go and those in flight.
type Queue struct {
	rng      *rand.Rand
	next     uint64
	pending  []Pending
	inflight map[uint64]Pending

	mu    sync.Mutex // guards results
	inbox []result
}

type result struct {
	id  uint64
	err error
}

// NewQueue returns an empty queue whose randomisation draws from seed (a
// meter derives it from its serial, so a fleet spreads its pushes the
// same way on every run).
func NewQueue(seed uint64) *Queue {
	return &Queue{rng: rand.New(rand.NewPCG(seed, 0x70757368)), inflight: map[uint64]Pending{}}
}

// Trigger schedules a push of setup index i at or after now: after a
// random delay within the randomisation interval, not before the setup's
// next window opens (open is its Open's answer for now). A last-gasp push
// is due at once. It returns the push's ID, which Due hands out with it.
func (q *Queue) Trigger(i int, s *Setup, now time.Time, lastGasp bool, opensAt time.Time) uint64 {
	q.next++
	due := now
	if !lastGasp {
		if opensAt.After(due) {
			due = opensAt
		}
		if s.Randomisation > 0 {
			due = due.Add(time.Duration(q.rng.Int64N(int64(s.Randomisation/time.Second)+1)) * time.Second)
		}
	}
	q.pending = append(q.pending, Pending{ID: q.next, Setup: i, Due: due, LastGasp: lastGasp})
	return q.next
}

// Report records the outcome of push id. Safe from any goroutine.
func (q *Queue) Report(id uint64, err error) {
	q.mu.Lock()
	q.inbox = append(q.inbox, result{id, err})
	q.mu.Unlock()
}

// Failure is a push given up after its retries.
type Failure struct {
	Pending
	Err error
}

// Due processes the outcomes reported since the last call — rescheduling
// a failed push its setup's repetition delay after it was sent, while
// retries remain —
// and then removes and returns the pushes due at now, marked in flight.
// setups gives each push's setup.
func (q *Queue) Due(now time.Time, setups []Setup) (due []Pending, failed []Failure) {
	q.mu.Lock()
	inbox := q.inbox
	q.inbox = nil
	q.mu.Unlock()
	for _, r := range inbox {
		p, ok := q.inflight[r.id]
		if !ok {
			continue
		}
		delete(q.inflight, r.id)
		if r.err == nil {
			continue
		}
		if p.LastGasp || p.Setup >= len(setups) || p.Attempts > int(setups[p.Setup].Retries) {
			failed = append(failed, Failure{p, r.err})
			continue
		}
		p.Due = p.Due.Add(setups[p.Setup].RepetitionDelay) // Due is when it was sent
		q.pending = append(q.pending, p)
	}
	q.pending = slices.DeleteFunc(q.pending, func(p Pending) bool {
		if p.Due.After(now) {
			return false
		}
		p.Attempts++
		p.Due = now
		q.inflight[p.ID] = p
		due = append(due, p)
		return true
	})
	return due, failed
}

// Next returns when the earliest pending push is due; false when none is.
func (q *Queue) Next() (time.Time, bool) {
	var t time.Time
	for i, p := range q.pending {
		if i == 0 || p.Due.Before(t) {
			t = p.Due
		}
	}
	return t, len(q.pending) > 0
}

// Len returns the number of pushes pending and in flight.
func (q *Queue) Len() int { return len(q.pending) + len(q.inflight) }
