package clock

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// Clock is simulated time; see the package documentation.
type Clock struct {
	wall  func() time.Time
	speed float64

	mu      sync.Mutex
	simAt   time.Time // simulated time at wallAt
	wallAt  time.Time
	waiters []waiter // After on a stopped clock, woken by Set
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// MaxSpeed bounds Speed: beyond it a nanosecond of wall time is more than
// a millisecond simulated and timers lose their meaning.
const MaxSpeed = 1e6

// New returns a clock reading start now and running speed times faster
// than wall (time.Now when nil); speed 0 makes a stopped clock that only
// Set moves.
func New(start time.Time, speed float64, wall func() time.Time) (*Clock, error) {
	if speed < 0 || speed > MaxSpeed || math.IsNaN(speed) {
		return nil, fmt.Errorf("clock: speed %v: want 0 (stopped) or up to %g", speed, float64(MaxSpeed))
	}
	if wall == nil {
		wall = time.Now
	}
	return &Clock{wall: wall, speed: speed, simAt: start, wallAt: wall()}, nil
}

// Speed is how many simulated seconds pass per wall second (0: stopped).
func (c *Clock) Speed() float64 { return c.speed }

// Now returns the simulated time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now()
}

func (c *Clock) now() time.Time {
	if c.speed == 0 {
		return c.simAt
	}
	return c.simAt.Add(time.Duration(float64(c.wall().Sub(c.wallAt)) * c.speed))
}

// Set moves the clock forward to t (an earlier t changes nothing). A
// running clock carries on at its speed from t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !t.After(c.now()) {
		return
	}
	c.simAt, c.wallAt = t, c.wall()
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	clear(c.waiters[len(kept):])
	c.waiters = kept
}

// WallUntil returns how long the wall clock takes to reach simulated time
// t (0 if it has passed; -1 on a stopped clock, which never gets there
// by itself).
func (c *Clock) WallUntil(t time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := t.Sub(c.now())
	switch {
	case d <= 0:
		return 0
	case c.speed == 0:
		return -1
	}
	return time.Duration(math.Ceil(float64(d) / c.speed))
}

// After returns a channel that receives the simulated time once d of it
// has passed (the head-end's clock.Clock). On a stopped clock that is
// when Set moves it that far.
func (c *Clock) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	at := c.now().Add(d)
	switch {
	case d <= 0:
		ch <- c.now()
	case c.speed == 0:
		c.waiters = append(c.waiters, waiter{at, ch})
	default:
		time.AfterFunc(time.Duration(math.Ceil(float64(d)/c.speed)), func() { ch <- c.Now() })
	}
	return ch
}
