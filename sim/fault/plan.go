package fault

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Kind is a kind of fault event.
type Kind uint8

// Kinds of fault events, in the order ties are broken.
const (
	Offline Kind = iota + 1 // the meter is unreachable (Start) or reachable again
	Outage                  // the power fails (Start) or comes back
	Restart                 // the meter restarts (Start: goes down, end: boots)
	Tamper                  // a tamper sensor trips (Start) or clears
	ICLoss                  // the meter loses its invocation counters (Start only)
	numKinds
)

var kindNames = [numKinds]string{"", "offline", "outage", "restart", "tamper", "icloss"}

func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "fault?"
}

// Sensor is what a tamper episode trips.
type Sensor uint8

// Tamper sensors.
const (
	MeterCover Sensor = iota
	TerminalCover
	Magnet
	numSensors
)

// RestartDowntime is how long a restarting meter is down.
const RestartDowntime = 5 * time.Second

// Tamper episodes last from TamperMin to TamperMax (uniform).
const (
	TamperMin = time.Minute
	TamperMax = 10 * time.Minute
)

// Event is one fault event of a plan.
type Event struct {
	At     time.Time
	Kind   Kind
	Start  bool   // the fault begins (false: it ends)
	Sensor Sensor // Tamper: the sensor
}

// stream is one kind's event process: its random stream, the next event
// (nanoseconds after the plan's start; -1: none) and whether it starts a
// fault.
type stream struct {
	rng    rand.PCG
	next   int64
	start  bool
	sensor Sensor
}

func (s *stream) float() float64 { return float64(s.rng.Uint64()>>11) / (1 << 53) }

// horizon bounds a plan: no event comes later than this after its start
// (nanoseconds stay well inside int64).
const horizon = int64(100 * 365 * 24 * time.Hour)

// exp draws an exponential duration of the given mean, in nanoseconds, at
// most the horizon.
func (s *stream) exp(mean time.Duration) int64 {
	return int64(min(-math.Log1p(-s.float())*float64(mean), float64(horizon)))
}

// Plan is one meter's faults (see the package documentation).
type Plan struct {
	spec    *Spec
	start   time.Time
	drift   float64
	streams [numKinds]stream

	mu     sync.Mutex // guards frames
	frames rand.PCG
}

// stream identifiers beyond the event kinds.
const (
	driftStream  = 14
	framesStream = 15
)

// streamSeed is the second PCG seed word of a meter's stream.
func streamSeed(meter int, stream uint64) uint64 { return uint64(meter)<<4 | stream }

// NewPlan returns the plan of meter (its index in the fleet) under spec
// with seed, from start; nil when spec injects nothing. The plan keeps
// spec, which must not change afterwards.
func NewPlan(spec *Spec, seed uint64, meter int, start time.Time) *Plan {
	if spec.IsZero() {
		return nil
	}
	p := &Plan{spec: spec, start: start}
	p.frames.Seed(seed, streamSeed(meter, framesStream))
	if spec.DriftPPM > 0 {
		d := rand.NewPCG(seed, streamSeed(meter, driftStream))
		p.drift = spec.DriftPPM * (2*float64(d.Uint64()>>11)/(1<<53) - 1)
	}
	for k := Offline; k < numKinds; k++ {
		s := &p.streams[k]
		s.rng.Seed(seed, streamSeed(meter, uint64(k)))
		s.next = -1
		switch k {
		case Offline, Outage:
			per := p.period(k)
			if per.Fraction == 0 {
				continue
			}
			// Stationary start: in the fault with probability F; the
			// time left in either state is exponential (memoryless).
			s.start = true
			if s.float() >= per.Fraction {
				s.next = s.exp(p.gap(k))
			} else {
				s.next = 0
			}
		default:
			if g := p.gap(k); g > 0 {
				s.next, s.start = s.exp(g), true
			}
		}
	}
	return p
}

func (p *Plan) period(k Kind) Period {
	if k == Offline {
		return p.spec.Offline
	}
	return p.spec.Outage
}

// gap is the mean time from the end of a fault of kind k to the next start.
func (p *Plan) gap(k Kind) time.Duration {
	switch k {
	case Offline, Outage:
		per := p.period(k)
		return time.Duration(min(float64(per.Mean)*(1-per.Fraction)/per.Fraction, float64(horizon)))
	case Restart:
		return p.spec.Restart.mean()
	case Tamper:
		return p.spec.Tamper.mean()
	case ICLoss:
		return p.spec.ICLoss.mean()
	}
	return 0
}

// DriftPPM is the meter's crystal error in ppm.
func (p *Plan) DriftPPM() float64 {
	if p == nil {
		return 0
	}
	return p.drift
}

// Next returns the time of the plan's next event; zero if there is none.
func (p *Plan) Next() time.Time {
	if p == nil {
		return time.Time{}
	}
	if k := p.earliest(); k != 0 {
		return p.start.Add(time.Duration(p.streams[k].next))
	}
	return time.Time{}
}

func (p *Plan) earliest() Kind {
	var best Kind
	for k := Offline; k < numKinds; k++ {
		if n := p.streams[k].next; n >= 0 && (best == 0 || n < p.streams[best].next) {
			best = k
		}
	}
	return best
}

// Pop returns the next event and draws the one after it of the same kind.
// The plan must have an event (Next not zero).
func (p *Plan) Pop() Event {
	k := p.earliest()
	s := &p.streams[k]
	e := Event{At: p.start.Add(time.Duration(s.next)), Kind: k, Start: s.start, Sensor: s.sensor}
	switch {
	case k == ICLoss:
		s.next += s.exp(p.gap(k))
	case s.start:
		s.next += p.length(s, k)
		s.start = false
	default:
		s.next += s.exp(p.gap(k))
		s.start = true
	}
	if k == Tamper && e.Start {
		e.Sensor = Sensor(s.rng.Uint64() % uint64(numSensors))
		s.sensor = e.Sensor
	}
	if s.next > horizon {
		s.next = -1 // a century on: nothing more
	}
	return e
}

// length draws how long a fault of kind k lasts, in nanoseconds.
func (p *Plan) length(s *stream, k Kind) int64 {
	switch k {
	case Offline, Outage:
		return max(s.exp(p.period(k).Mean), 1)
	case Restart:
		return int64(RestartDowntime)
	default: // Tamper
		return int64(TamperMin) + int64(s.float()*float64(TamperMax-TamperMin))
	}
}

// Frame is the fate of one frame a meter sends.
type Frame struct {
	Delay   time.Duration
	Drop    bool
	Corrupt bool
	At      uint64 // Corrupt: picks the byte (modulo the bytes that may be hit) and bit (At % 8)
}

// Frame draws the fate of the meter's next frame. A nil plan passes every
// frame.
func (p *Plan) Frame() Frame {
	if p == nil {
		return Frame{}
	}
	s := p.spec
	if s.Loss == 0 && s.Corrupt == 0 && s.Latency == 0 {
		return Frame{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := func() float64 { return float64(p.frames.Uint64()>>11) / (1 << 53) }
	// Always draw the same number of values, so that one frame's fate
	// does not shift the next frames' draws.
	fate, jitter, at := u(), u(), p.frames.Uint64()
	f := Frame{Drop: fate < s.Loss, At: at}
	f.Corrupt = !f.Drop && fate < s.Loss+s.Corrupt
	if s.Latency > 0 {
		f.Delay = s.Latency + time.Duration((2*jitter-1)*float64(s.Jitter))
	}
	return f
}
