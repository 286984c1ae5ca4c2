package sim

import (
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/sim/fault"
)

// Stats is what a fleet has done so far.
type Stats struct {
	Now         time.Time // simulated time
	Meters      int
	Listening   int    // sockets open
	Unreachable int    // meters offline or without power now
	Steps       uint64 // meter steps
	Connections uint64 // accepted (sockets and in memory)
	Refused     uint64 // connections to unreachable meters, closed at once
	// Pushes sent (their frames may still be lost or corrupted) and
	// failed (the head-end unreachable, or the meter).
	Pushes, PushesFailed uint64
	// Frames the meters sent, and of them lost, corrupted and delayed.
	Frames, Dropped, Corrupted, Delayed uint64
	// Fault periods started, by kind, and invocation counter losses.
	Offline, Outages, Restarts, Tampers, ICLosses uint64
	DriverErrors                                  uint64
}

// stats are the fleet's counters.
type stats struct {
	steps, connections, refused, pushes, pushesFailed atomic.Uint64
	offline, outages, restarts, tampers, icLosses     atomic.Uint64
	driverErrors                                      atomic.Uint64
	frames                                            fault.Counts
}

// count counts the start of a fault.
func (s *stats) count(e fault.Event) {
	if !e.Start {
		return
	}
	switch e.Kind {
	case fault.Offline:
		s.offline.Add(1)
	case fault.Outage:
		s.outages.Add(1)
	case fault.Restart:
		s.restarts.Add(1)
	case fault.Tamper:
		s.tampers.Add(1)
	case fault.ICLoss:
		s.icLosses.Add(1)
	}
}

// Stats returns the fleet's counts.
func (f *Fleet) Stats() Stats {
	s := &f.stats
	out := Stats{Now: f.clock.Now(), Meters: len(f.units), Steps: s.steps.Load(), Connections: s.connections.Load(),
		Refused: s.refused.Load(), Pushes: s.pushes.Load(), PushesFailed: s.pushesFailed.Load(),
		Frames: s.frames.Frames.Load(), Dropped: s.frames.Dropped.Load(), Corrupted: s.frames.Corrupted.Load(), Delayed: s.frames.Delayed.Load(),
		Offline: s.offline.Load(), Outages: s.outages.Load(), Restarts: s.restarts.Load(), Tampers: s.tampers.Load(), ICLosses: s.icLosses.Load(),
		DriverErrors: s.driverErrors.Load()}
	if f.listeners != nil {
		out.Listening = f.listeners.Len()
	}
	for _, u := range f.units {
		if u.unreachable() {
			out.Unreachable++
		}
	}
	return out
}
