package metrology

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// PhasePower is what one phase carried during an integration step.
type PhasePower struct {
	U, I float64 // RMS, V and A
	P    float64 // active power, W; negative while exporting
	Q1   float64 // fundamental reactive power, var; positive when the current lags
	S    float64 // apparent power, VA
}

// PF is P/S, 0 when S is 0.
func (p PhasePower) PF() float64 { return ratio(p.P, p.S) }

// Power is the input of one integration step and the instantaneous values a
// View reports.
type Power struct {
	Frequency float64 // Hz; 0 when not known
	Phases    [3]PhasePower
}

// Total returns the sums over the phases of P, Q1 and S (arithmetic
// apparent power).
func (p Power) Total() (pw, q1, s float64) {
	for _, ph := range p.Phases {
		pw += ph.P
		q1 += ph.Q1
		s += ph.S
	}
	return pw, q1, s
}

// MaxPhasePower bounds |P|, |Q1| and S of one phase: 10 MW. With all three
// phases there, the registers last over 30 years.
const MaxPhasePower = 1e7

// DefaultNoLoadCurrent is the no-load threshold when EnergyConfig leaves it
// zero: half the starting current of a class 0.2S meter with In = 5 A
// (0.001·In = 5 mA).
const DefaultNoLoadCurrent = 0.0025

// ErrRange is returned (wrapped) by Integrate for a step it cannot take:
// negative or over-long time, non-finite or out-of-range values.
var ErrRange = errors.New("metrology: value out of range")

// EnergyConfig configures an Accumulator.
type EnergyConfig struct {
	// Start is the wall-clock time of the first integration step (the first
	// sample). Zero means the Unix epoch. The metrology core keeps its own
	// clock from here on, advanced by the integrated time.
	Start time.Time
	// FreezePeriods are the intervals at whose boundaries the registers are
	// frozen; boundaries are multiples of the period as time.Time.Truncate
	// counts them (whole minutes, quarter hours in UTC). Default: 1 min and
	// 15 min. A nil slice takes the default; an empty non-nil one freezes
	// nothing.
	FreezePeriods []time.Duration
	// FreezeKeep is how many freezes per period a View can still read
	// (default 16).
	FreezeKeep int
	// NoLoadCurrent, in amperes: a phase whose current RMS is below it adds
	// nothing to any register (no-load condition, anti-creep). Default
	// DefaultNoLoadCurrent.
	NoLoadCurrent float64
	// OnFreeze, if set, receives every freeze synchronously as it is taken.
	OnFreeze func(Freeze)
}

func (c *EnergyConfig) withDefaults() EnergyConfig {
	d := *c
	if d.Start.IsZero() {
		d.Start = time.Unix(0, 0).UTC()
	}
	if d.FreezePeriods == nil {
		d.FreezePeriods = []time.Duration{time.Minute, 15 * time.Minute}
	}
	if d.FreezeKeep == 0 {
		d.FreezeKeep = 16
	}
	if d.NoLoadCurrent == 0 {
		d.NoLoadCurrent = DefaultNoLoadCurrent
	}
	return d
}

func (c *EnergyConfig) validate() error {
	for _, p := range c.FreezePeriods {
		if p < time.Second || p > 24*time.Hour {
			return fmt.Errorf("%w: freeze period %v: want 1 s … 24 h", ErrConfig, p)
		}
	}
	if c.FreezeKeep < 0 || c.FreezeKeep > 100000 {
		return fmt.Errorf("%w: %d freezes kept: want 0 … 100000", ErrConfig, c.FreezeKeep)
	}
	if c.NoLoadCurrent < 0 || math.IsNaN(c.NoLoadCurrent) || math.IsInf(c.NoLoadCurrent, 0) {
		return fmt.Errorf("%w: no-load current %v A", ErrConfig, c.NoLoadCurrent)
	}
	return nil
}

// Freeze is a snapshot of the registers at a period boundary.
type Freeze struct {
	Period    time.Duration
	Seq       uint64    // 1 for the first freeze of this period, then +1 each
	At        time.Time // the boundary
	Registers Registers // values at At
	// Delta is Registers minus the previous freeze's Registers (or the
	// registers at Start for the first), so the deltas of consecutive
	// freezes add up to the register difference exactly.
	Delta Registers
	// Partial is true for the first freeze when Start was not on a
	// boundary: its interval is shorter than Period.
	Partial bool
}

// Accumulator integrates power over time into the energy registers and
// takes the freezes. The metrology core drives one from its windows; a
// simulator's fast mode drives one directly from load-model quantities, so
// both go through the same register logic. Integrate is for one writer
// goroutine; View methods may be called from any goroutine.
type Accumulator struct {
	cfg  EnergyConfig
	view *View

	mu        sync.RWMutex // guards everything below
	now       time.Time
	regs      [numRegisters]Energy
	rem       [numRegisters]register
	instant   Power
	schedules []freezeSchedule
	taken     []Freeze // freezes of the current Integrate, handed to OnFreeze after unlocking
}

// Register indices of Accumulator.regs.
const (
	regActiveImport = iota
	regActiveExport
	regReactive       // four of them, QI … QIV
	regApparentImport = regReactive + 4
	regApparentExport = regApparentImport + 1
	numRegisters      = regApparentExport + 1
)

func registersOf(e *[numRegisters]Energy) Registers {
	return Registers{
		ActiveImport:   e[regActiveImport],
		ActiveExport:   e[regActiveExport],
		Reactive:       [4]Energy(e[regReactive : regReactive+4]),
		ApparentImport: e[regApparentImport],
		ApparentExport: e[regApparentExport],
	}
}

type freezeSchedule struct {
	period  time.Duration
	next    time.Time
	last    Registers // at the previous freeze, or at Start
	partial bool
	seq     uint64
	ring    []Freeze // the last FreezeKeep freezes, oldest at ring[head]
	head    int
}

// NewAccumulator returns an accumulator with all registers at zero.
func NewAccumulator(cfg EnergyConfig) (*Accumulator, error) {
	c := cfg.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	a := &Accumulator{cfg: c, now: c.Start}
	periods := slices.Clone(c.FreezePeriods)
	slices.Sort(periods)
	periods = slices.Compact(periods)
	for _, p := range periods {
		first := c.Start.Truncate(p)
		a.schedules = append(a.schedules, freezeSchedule{
			period:  p,
			next:    first.Add(p),
			partial: !first.Equal(c.Start),
			ring:    make([]Freeze, 0, c.FreezeKeep),
		})
	}
	a.view = &View{acc: a}
	return a, nil
}

// View returns the read-only view of the registers, instantaneous values and
// freezes.
func (a *Accumulator) View() *View { return a.view }

// Integrate adds p held for dt to the registers, freezing them at every
// period boundary inside the step (the step is split there exactly). It
// rejects, with ErrRange, a negative step or one over 24 h, non-finite
// values, negative U, I or S, and any phase power over MaxPhasePower.
func (a *Accumulator) Integrate(p Power, dt time.Duration) error {
	if dt < 0 || dt > maxStep {
		return fmt.Errorf("%w: step %v", ErrRange, dt)
	}
	var pt, qt, st float64
	for i, ph := range p.Phases {
		for _, v := range []float64{ph.U, ph.I, ph.P, ph.Q1, ph.S} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: phase %c: non-finite value", ErrRange, 'a'+i)
			}
		}
		if ph.U < 0 || ph.I < 0 || ph.S < 0 || math.Abs(ph.P) > MaxPhasePower || math.Abs(ph.Q1) > MaxPhasePower || ph.S > MaxPhasePower {
			return fmt.Errorf("%w: phase %c: %+v", ErrRange, 'a'+i, ph)
		}
		if ph.I < a.cfg.NoLoadCurrent {
			continue // no-load: this phase registers nothing
		}
		pt += ph.P
		qt += ph.Q1
		st += ph.S
	}
	if math.IsNaN(p.Frequency) || math.IsInf(p.Frequency, 0) || p.Frequency < 0 {
		return fmt.Errorf("%w: frequency %v", ErrRange, p.Frequency)
	}
	flows := splitFlows(pt, qt, st)

	a.mu.Lock()
	a.instant = p
	for dt > 0 {
		step := dt
		for i := range a.schedules {
			if until := a.schedules[i].next.Sub(a.now); until < step {
				step = until
			}
		}
		a.add(&flows, uint64(step))
		a.now = a.now.Add(step)
		dt -= step
		for i := range a.schedules {
			if s := &a.schedules[i]; !a.now.Before(s.next) {
				a.freeze(s)
			}
		}
	}
	taken := a.taken
	a.taken = a.taken[:0]
	a.mu.Unlock()
	if a.cfg.OnFreeze != nil {
		for _, fr := range taken {
			a.cfg.OnFreeze(fr)
		}
	}
	return nil
}

// flows are the quantised magnitudes one step adds, by register index.
type flows [numRegisters]uint64

// splitFlows routes total P, Q1 and S to their registers: active and
// apparent by the sign of P, reactive by quadrant.
func splitFlows(pt, qt, st float64) flows {
	var f flows
	imp := pt >= 0
	if imp {
		f[regActiveImport] = microUnits(pt)
		f[regApparentImport] = microUnits(st)
	} else {
		f[regActiveExport] = microUnits(-pt)
		f[regApparentExport] = microUnits(st)
	}
	var q int
	switch {
	case imp && qt >= 0:
		q = QI
	case !imp && qt >= 0:
		q = QII
	case !imp:
		q = QIII
	default:
		q = QIV
	}
	f[regReactive+q] = microUnits(math.Abs(qt))
	return f
}

func (a *Accumulator) add(f *flows, nanos uint64) {
	for i, v := range f {
		if v != 0 {
			a.rem[i].add(&a.regs[i], v, nanos)
		}
	}
}

func (a *Accumulator) freeze(s *freezeSchedule) {
	s.seq++
	regs := registersOf(&a.regs)
	fr := Freeze{
		Period:    s.period,
		Seq:       s.seq,
		At:        s.next,
		Registers: regs,
		Delta:     regs.Sub(s.last),
		Partial:   s.partial,
	}
	s.last, s.partial = regs, false
	s.next = s.next.Add(s.period)
	if cap(s.ring) > 0 {
		if len(s.ring) < cap(s.ring) {
			s.ring = append(s.ring, fr)
		} else {
			s.ring[s.head] = fr
			s.head = (s.head + 1) % len(s.ring)
		}
	}
	if a.cfg.OnFreeze != nil {
		a.taken = append(a.taken, fr)
	}
}
