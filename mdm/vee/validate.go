package vee

import (
	"fmt"
	"slices"

	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// Rule names a validation rule.
type Rule uint8

// Validation rules.
const (
	Gap         Rule = iota + 1 // readings missing on the interval grid
	Spike                       // an interval's energy beyond the meter's power or far above the usual
	Negative                    // the register went down
	Rollover                    // the register wrapped at its modulus (valid)
	Reset                       // the register went back to about zero (meter reset or exchange)
	ClockJump                   // a reading off the interval grid, or the meter's clock was set
	SumMismatch                 // the interval channel's sum differs from the register's difference
)

var ruleNames = [...]string{Gap: "gap", Spike: "spike", Negative: "negative", Rollover: "rollover",
	Reset: "reset", ClockJump: "clock-jump", SumMismatch: "sum-mismatch"}

func (r Rule) String() string {
	if int(r) < len(ruleNames) && ruleNames[r] != "" {
		return ruleNames[r]
	}
	return fmt.Sprintf("rule(%d)", uint8(r))
}

// Finding is one rule that a reading (the end of an interval) broke.
type Finding struct {
	Rule   Rule
	Time   int64 // the reading's time (for a gap: the reading after it, or the range end)
	Detail string
}

// GapSpan is a run of missing readings on the interval grid between two
// readings; OpenStart or OpenEnd when no reading bounds it on that side
// (the range starts or ends in it).
type GapSpan struct {
	After, Before      store.Reading // bounding readings (zero when open)
	From, To           int64         // first and last missing grid time
	Missing            int
	OpenStart, OpenEnd bool
}

// Report is what Validate found and the flags it sets.
type Report struct {
	Findings []Finding
	// Marks are stored actual readings with the flags validation adds
	// (Valid, or Suspect, and Rollover, ClockAdjusted, ClockInvalid,
	// PowerDown); appending them changes only their flags (store.Merge).
	Marks []store.Reading
	Gaps  []GapSpan
	// Estimates fill the gaps (Estimate); appending them never overwrites
	// a measured value, and actual readings that arrive later replace
	// them.
	Estimates []store.Reading
}

// Input is what Validate checks: the register readings of one meter and
// channel in time order, from ProfileWeeks before Range (history for the
// profile) to its end; the meter's events over Range; and optionally the
// readings of an interval-energy channel (each value the energy of the
// interval ending at its time) to compare with the register.
type Input struct {
	Range     store.Range // checked: readings with times in [From, To]
	Registers []store.Reading
	Events    []meterdata.Event
	Intervals []store.Reading
}

// Validate applies the rules to the readings of in.Range and returns the
// findings, the flags to add and the gaps. It does not estimate.
func Validate(cfg Config, in Input) (Report, error) {
	cfg = cfg.Defaults()
	if err := cfg.validate(); err != nil {
		return Report{}, err
	}
	v := validator{cfg: cfg, step: cfg.step(), in: in}
	v.outages()
	v.run()
	return v.rep, nil
}

type validator struct {
	cfg    Config
	step   int64
	in     Input
	rep    Report
	down   []store.Range // power outages from the events
	median int64
}

// usable reports whether r has a value.
func usable(r store.Reading) bool { return r.Quality&store.Missing == 0 }

func (v *validator) run() {
	r := v.in.Range
	var prev store.Reading
	havePrev := false
	var checked []store.Reading
	for _, x := range v.in.Registers {
		if !usable(x) || x.Time > r.To {
			continue
		}
		if x.Time < r.From {
			prev, havePrev = x, true
			continue
		}
		checked = append(checked, x)
	}
	v.median = v.medianInterval(prev, havePrev, checked)
	if len(checked) == 0 {
		v.gap(prev, havePrev, store.Reading{}, false, r.From, r.To)
		return
	}
	if !havePrev {
		v.gap(store.Reading{}, false, checked[0], true, r.From, checked[0].Time-1)
	}
	for _, cur := range checked {
		if havePrev {
			v.gap(prev, true, cur, true, prev.Time+1, cur.Time-1)
		}
		v.check(prev, havePrev, cur)
		prev, havePrev = cur, true
	}
	v.gap(prev, true, store.Reading{}, false, prev.Time+1, r.To)
}

// gap records the grid times in [from, to] as a gap when there are any.
func (v *validator) gap(after store.Reading, haveAfter bool, before store.Reading, haveBefore bool, from, to int64) {
	first := ceilTo(from, v.step)
	if first > to {
		return
	}
	last := to - floorMod(to, v.step)
	g := GapSpan{From: first, To: last, Missing: int((last-first)/v.step) + 1, OpenStart: !haveAfter, OpenEnd: !haveBefore}
	if haveAfter {
		g.After = after
	}
	at := v.in.Range.To
	if haveBefore {
		g.Before, at = before, before.Time
	}
	v.rep.Gaps = append(v.rep.Gaps, g)
	v.find(Gap, at, "%d readings missing from %s to %s", g.Missing, stamp(first), stamp(last))
}

// check applies the rules to the interval (prev, cur].
func (v *validator) check(prev store.Reading, havePrev bool, cur store.Reading) {
	var add store.Quality
	suspect := false
	if off := min(floorMod(cur.Time, v.step), v.step-floorMod(cur.Time, v.step)); off > v.cfg.ClockTolerance.Milliseconds() {
		v.find(ClockJump, cur.Time, "%d ms off the %v grid", off, v.cfg.Interval)
		suspect = true
	}
	if havePrev {
		delta := cur.Value - prev.Value
		dt := cur.Time - prev.Time
		if delta < 0 {
			m := v.cfg.Modulus
			switch {
			case m > 0 && prev.Value >= m-m/10 && cur.Value >= 0 && cur.Value < m/10:
				delta += m
				add |= store.Rollover
				v.find(Rollover, cur.Time, "register wrapped at %d: %d → %d", m, prev.Value, cur.Value)
			case cur.Value >= 0 && cur.Value <= prev.Value/10:
				v.find(Reset, cur.Time, "register fell from %d to %d", prev.Value, cur.Value)
				suspect = true
			default:
				v.find(Negative, cur.Time, "register fell by %d, from %d to %d", -delta, prev.Value, cur.Value)
				suspect = true
			}
		}
		if delta > 0 {
			intervals := max(dt/v.step, 1)
			switch {
			case v.cfg.MaxPowerW > 0 && delta > v.cfg.MaxPowerW*dt/3_600_000:
				v.find(Spike, cur.Time, "%d Wh in %d ms is more than %d W", delta, dt, v.cfg.MaxPowerW)
				suspect = true
			case v.median > 0 && delta > v.cfg.SpikeFactor*v.median*intervals && delta > v.cfg.MinSpikeWh:
				v.find(Spike, cur.Time, "%d Wh is more than %d × the median %d Wh", delta, v.cfg.SpikeFactor, v.median)
				suspect = true
			}
		}
		if v.in.Intervals != nil {
			if sum, n := v.intervalSum(prev.Time, cur.Time); n > 0 && abs(sum-delta) > v.cfg.SumToleranceWh*int64(n) {
				v.find(SumMismatch, cur.Time, "intervals sum to %d Wh, the register moved %d Wh", sum, delta)
				suspect = true
			}
		}
		add |= v.eventFlags(prev.Time, cur.Time)
	}
	if suspect {
		add |= store.Suspect
	} else {
		add |= store.Valid
	}
	if cur.Quality.Class() == store.ClassActual && cur.Quality|add != cur.Quality {
		cur.Quality |= add
		v.rep.Marks = append(v.rep.Marks, cur)
	}
}

// medianInterval is the median energy of the range's intervals of one
// step that grew the register.
func (v *validator) medianInterval(prev store.Reading, havePrev bool, checked []store.Reading) int64 {
	var ds []int64
	for _, cur := range checked {
		if havePrev && cur.Time-prev.Time == v.step && cur.Value > prev.Value {
			ds = append(ds, cur.Value-prev.Value)
		}
		prev, havePrev = cur, true
	}
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// intervalSum adds the interval channel's values with times in (from, to].
func (v *validator) intervalSum(from, to int64) (sum int64, n int) {
	iv := v.in.Intervals
	i, _ := slices.BinarySearchFunc(iv, from+1, func(r store.Reading, t int64) int { return cmp64(r.Time, t) })
	for ; i < len(iv) && iv[i].Time <= to; i++ {
		if usable(iv[i]) {
			sum += iv[i].Value
			n++
		}
	}
	return sum, n
}

// outages pairs power-down and power-up events into spans.
func (v *validator) outages() {
	evs := slices.Clone(v.in.Events)
	slices.SortStableFunc(evs, func(a, b meterdata.Event) int { return cmp64(a.Time, b.Time) })
	start := int64(-1)
	for _, e := range evs {
		switch e.Code {
		case meterdata.PowerDown:
			if start < 0 {
				start = e.Time
			}
		case meterdata.PowerUp:
			if start >= 0 {
				v.down = append(v.down, store.Range{From: start, To: e.Time + 1})
				start = -1
			}
		}
	}
	if start >= 0 {
		v.down = append(v.down, store.Range{From: start, To: store.MaxTime + 1})
	}
}

// eventFlags returns the flags the events give the interval (from, to].
func (v *validator) eventFlags(from, to int64) store.Quality {
	var q store.Quality
	for _, e := range v.in.Events {
		if e.Time <= from || e.Time > to {
			continue
		}
		switch e.Code {
		case meterdata.ClockAdjustedOld, meterdata.ClockAdjustedNew:
			q |= store.ClockAdjusted
		case meterdata.ClockInvalid:
			q |= store.ClockInvalid
		}
	}
	for _, d := range v.down {
		if d.From <= to && d.To > from {
			q |= store.PowerDown
		}
	}
	if q&store.ClockAdjusted != 0 {
		v.find(ClockJump, to, "the meter's clock was set in the interval")
	}
	return q
}

func (v *validator) find(rule Rule, at int64, format string, args ...any) {
	v.rep.Findings = append(v.rep.Findings, Finding{Rule: rule, Time: at, Detail: fmt.Sprintf(format, args...)})
}
