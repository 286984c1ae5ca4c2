package sim

import (
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/sim/fault"
)

// Stats is what a fleet has done so far.
type Stats struct {
	Now         time.Time `json:"now"` // simulated time
	Meters      int       `json:"meters"`
	Listening   int       `json:"listening"`   // sockets open
	Unreachable int       `json:"unreachable"` // meters offline or without power now
	Steps       uint64    `json:"steps"`       // meter steps
	Connections uint64    `json:"connections"` // accepted (sockets and in memory)
	Refused     uint64    `json:"refused"`     // connections to unreachable meters, closed at once
	// Pushes sent (their frames may still be lost or corrupted) and
	// failed (the head-end unreachable, or the meter).
	Pushes       uint64 `json:"pushes"`
	PushesFailed uint64 `json:"pushes_failed"`
	// Frames the meters sent, and of them lost, corrupted and delayed.
	Frames    uint64 `json:"frames"`
	Dropped   uint64 `json:"frames_lost"`
	Corrupted uint64 `json:"frames_corrupted"`
	Delayed   uint64 `json:"frames_delayed"`
	// Fault periods started, by kind, and invocation counter losses.
	Offline      uint64 `json:"offline_periods"`
	Outages      uint64 `json:"outages"`
	Restarts     uint64 `json:"restarts"`
	Tampers      uint64 `json:"tamper_episodes"`
	ICLosses     uint64 `json:"counter_losses"`
	DriverErrors uint64 `json:"driver_errors"`
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
