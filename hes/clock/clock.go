package clock

import "time"

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives once d has passed on this
	// clock.
	After(d time.Duration) <-chan time.Time
}

// Real is the process's clock (inside a synctest bubble: the bubble's).
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Scaled runs speed times faster than real time from the moment it is
// made, starting at Start: a simulated fleet's clock (amigo demo --speed).
type Scaled struct {
	Start time.Time // the clock's reading at creation
	Speed float64   // > 0
	real  time.Time
}

// NewScaled returns a clock reading start now and running speed times
// faster than real time.
func NewScaled(start time.Time, speed float64) *Scaled {
	return &Scaled{Start: start, Speed: speed, real: time.Now()}
}

func (s *Scaled) Now() time.Time {
	return s.Start.Add(time.Duration(float64(time.Since(s.real)) * s.Speed))
}

func (s *Scaled) After(d time.Duration) <-chan time.Time {
	out := make(chan time.Time, 1)
	time.AfterFunc(time.Duration(float64(d)/s.Speed), func() { out <- s.Now() })
	return out
}
