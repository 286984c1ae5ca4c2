package metrology_test

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/metrology"
)

func phasePower(u, i, phiDeg float64) metrology.PhasePower {
	phi := phiDeg * math.Pi / 180
	return metrology.PhasePower{U: u, I: i, P: u * i * math.Cos(phi), Q1: u * i * math.Sin(phi), S: u * i}
}

// Fifteen years at the largest accepted power (10 MW on each of three
// phases, P = 29 999 999.999999 W with an awkward fraction), in day-long
// steps each split by 96 quarter-hour freezes: the active register must equal ⌊Σ p·t / 3.6·10¹²⌋ computed in
// exact integer arithmetic, to the µWh, and the freeze deltas must add up
// to it. A float accumulator would have drifted by many µWh.
func TestFifteenYearsExactAtMaxPower(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var deltaSum metrology.Registers
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{
		Start:         start,
		FreezePeriods: []time.Duration{15 * time.Minute},
		OnFreeze:      func(f metrology.Freeze) { deltaSum = deltaSum.Add(f.Delta) },
	})
	if err != nil {
		t.Fatal(err)
	}
	pw := metrology.PhasePower{U: 1e5, I: 99.999999999999990, P: 9999999.999999999, Q1: -123.4567891, S: 9999999.999999999}
	in := metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{pw, pw, pw}}
	const step = 24 * time.Hour
	steps := int64(15*365 + 4) // days, leap days included
	for range steps {
		if err := acc.Integrate(in, step); err != nil {
			t.Fatal(err)
		}
	}
	r := acc.View().Registers()

	microWatts := big.NewInt(int64(math.RoundToEven((pw.P + pw.P + pw.P) * 1e6)))
	exact := new(big.Int).Mul(microWatts, big.NewInt(steps*int64(step)))
	exact.Quo(exact, big.NewInt(3_600_000_000_000))
	if !exact.IsInt64() || int64(r.ActiveImport) != exact.Int64() {
		t.Errorf("active import after 15 years = %d µWh, want exactly %s", r.ActiveImport, exact)
	}
	if r.ActiveImport < 3.9e18 {
		t.Errorf("active import %d: expected ≈ 3.94·10¹⁸ µWh (overflow?)", r.ActiveImport)
	}
	if deltaSum != r {
		t.Errorf("Σ freeze deltas = %+v, registers %+v", deltaSum, r)
	}
	if got := acc.View().Now(); !got.Equal(start.Add(time.Duration(steps) * step)) {
		t.Errorf("clock = %v", got)
	}
	// Q1 = 3 × −123.4567891 var while importing: quadrant IV only.
	if r.Reactive[metrology.QI] != 0 || r.Reactive[metrology.QIV] == 0 || r.ActiveExport != 0 {
		t.Errorf("reactive by quadrant: %+v", r)
	}
}

// Registers depend only on Σ p·t: integrating an hour in one step or in
// thousands of uneven ones gives identical registers, to the µWh.
func TestRegistersIndependentOfStepSplit(t *testing.T) {
	in := metrology.Power{Phases: [3]metrology.PhasePower{phasePower(231.7, 4.123, 37.1)}}
	one, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
	many, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
	if err := one.Integrate(in, time.Hour); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	left := time.Hour
	for left > 0 {
		d := min(left, time.Duration(rng.Int64N(int64(300*time.Millisecond))))
		if err := many.Integrate(in, d); err != nil {
			t.Fatal(err)
		}
		left -= d
	}
	a, b := one.View().Registers(), many.View().Registers()
	if a != b {
		t.Errorf("one step %+v\nmany steps %+v", a, b)
	}
	wantWh := 231.7 * 4.123 * math.Cos(37.1*math.Pi/180)
	if math.Abs(a.ActiveImport.Wh()-wantWh) > 1e-6 {
		t.Errorf("active %v Wh, want %.6f", a.ActiveImport, wantWh)
	}
}

// A11 at the register level: the quadrant and the import/export split are
// decided by the signs of total P and Q1.
func TestQuadrants(t *testing.T) {
	cases := []struct {
		phi      float64
		quadrant int
		export   bool
	}{{30, metrology.QI, false}, {150, metrology.QII, true}, {210, metrology.QIII, true}, {330, metrology.QIV, false}}
	for _, c := range cases {
		acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
		in := metrology.Power{Phases: [3]metrology.PhasePower{phasePower(230, 5, c.phi)}}
		if err := acc.Integrate(in, time.Hour); err != nil {
			t.Fatal(err)
		}
		r := acc.View().Registers()
		for q := range 4 {
			if (r.Reactive[q] != 0) != (q == c.quadrant) {
				t.Errorf("φ=%v°: reactive %v, want only quadrant %d", c.phi, r.Reactive, c.quadrant+1)
			}
		}
		p := 230 * 5 * math.Abs(math.Cos(c.phi*math.Pi/180))
		imp, exp := r.ActiveImport.Wh(), r.ActiveExport.Wh()
		if c.export {
			imp, exp = exp, imp
		}
		if exp != 0 || math.Abs(imp-p) > 1e-6 {
			t.Errorf("φ=%v°: import %v export %v, want %.6f on the %v side", c.phi, r.ActiveImport, r.ActiveExport, p, map[bool]string{true: "export", false: "import"}[c.export])
		}
		if a := r.Apparent().Wh(); math.Abs(a-1150) > 1e-6 || (r.ApparentExport != 0) != c.export {
			t.Errorf("φ=%v°: apparent import %v export %v", c.phi, r.ApparentImport, r.ApparentExport)
		}
	}
}

// No-load: a phase below the threshold registers nothing, even with power
// computed from noise; the others still register.
func TestNoLoadThreshold(t *testing.T) {
	acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{NoLoadCurrent: 0.0025})
	creep := metrology.PhasePower{U: 264.5, I: 0.0024, P: 0.4, Q1: 0.3, S: 0.63}
	if err := acc.Integrate(metrology.Power{Phases: [3]metrology.PhasePower{creep, creep}}, 24*time.Hour); err != nil {
		t.Fatal(err)
	}
	if r := acc.View().Registers(); r != (metrology.Registers{}) {
		t.Errorf("creep registered %+v", r)
	}
	start := phasePower(230, 0.005, 0) // 0.001·In
	if err := acc.Integrate(metrology.Power{Phases: [3]metrology.PhasePower{creep, start}}, time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := acc.View().Registers().ActiveImport.Wh(); math.Abs(got-1.15) > 1e-6 {
		t.Errorf("starting current registered %v Wh in an hour, want 1.15", got)
	}
}

// Z1 at the register level: with steps that never line up with the minute
// and a start between boundaries, each freeze lands exactly on its
// boundary, its delta is the energy of its interval, and the deltas add up
// to the register difference.
func TestFreezesAtArbitraryPhase(t *testing.T) {
	start := time.Date(2026, 3, 29, 0, 59, 7, 300_000_000, time.UTC)
	var got []metrology.Freeze
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{
		Start:      start,
		FreezeKeep: 4,
		OnFreeze: func(f metrology.Freeze) {
			got = append(got, f)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := metrology.Power{Phases: [3]metrology.PhasePower{phasePower(230, 5, 0), phasePower(229, 4, 180)}}
	net := 230*5 - 229*4.0 // W, importing
	step := 213_700_003 * time.Nanosecond
	for range 20000 { // 71 minutes
		if err := acc.Integrate(in, step); err != nil {
			t.Fatal(err)
		}
	}
	v := acc.View()
	var sum metrology.Registers
	var minutes, quarters int
	for _, f := range got {
		if !f.At.Equal(f.At.Truncate(f.Period)) {
			t.Errorf("freeze at %v is not on a %v boundary", f.At, f.Period)
		}
		if f.Period == time.Minute {
			minutes++
			sum = sum.Add(f.Delta)
			if minutes == 1 != f.Partial {
				t.Errorf("minute freeze %d partial=%v", f.Seq, f.Partial)
			}
			if !f.Partial && math.Abs(f.Delta.ActiveImport.Wh()-net/60) > 1e-6 {
				t.Errorf("minute %v: %v Wh, want %.6f", f.At, f.Delta.ActiveImport, net/60)
			}
		} else {
			quarters++
		}
	}
	// 00:59:07.3 + 20000 × 0.2137 s = 02:10:21.3
	if minutes != 71 || quarters != 5 {
		t.Errorf("%d minute and %d quarter-hour freezes, want 71 and 5", minutes, quarters)
	}
	var last metrology.Freeze
	for _, f := range got {
		if f.Period == time.Minute {
			last = f
		}
	}
	if sum != last.Registers {
		t.Errorf("Σ minute deltas %+v ≠ registers at the last freeze %+v", sum, last.Registers)
	}
	kept := v.Freezes(15 * time.Minute)
	if len(kept) != 4 || !kept[0].At.Equal(time.Date(2026, 3, 29, 1, 15, 0, 0, time.UTC)) || kept[3].Seq != 5 {
		t.Errorf("kept quarter-hour freezes: %+v", kept)
	}
	kept[0].Registers.ActiveImport = -1 // the caller's copy
	if v.Freezes(15 * time.Minute)[0].Registers.ActiveImport == -1 {
		t.Error("Freezes returned the accumulator's own storage")
	}
	if mins := v.Freezes(time.Minute); len(mins) != 4 || mins[3].Seq != 71 {
		t.Errorf("kept minute freezes: %d, last seq %d", len(mins), mins[len(mins)-1].Seq)
	}
}

// OnFreeze runs after the accumulator's lock is released, so it may read the view.
func TestOnFreezeMayReadView(t *testing.T) {
	var acc *metrology.Accumulator
	var seen metrology.Registers
	acc, _ = metrology.NewAccumulator(metrology.EnergyConfig{
		FreezePeriods: []time.Duration{time.Minute},
		OnFreeze:      func(metrology.Freeze) { seen = acc.View().Registers() },
	})
	if err := acc.Integrate(metrology.Power{Phases: [3]metrology.PhasePower{phasePower(230, 1, 0)}}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if seen.ActiveImport == 0 {
		t.Error("OnFreeze did not see the registers")
	}
}

func TestIntegrateRejects(t *testing.T) {
	acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
	ok := phasePower(230, 5, 0)
	cases := map[string]struct {
		p  metrology.PhasePower
		dt time.Duration
	}{
		"negative step":   {ok, -time.Second},
		"step over a day": {ok, 25 * time.Hour},
		"NaN power":       {metrology.PhasePower{U: 230, I: 5, P: math.NaN()}, time.Second},
		"infinite S":      {metrology.PhasePower{U: 230, I: 5, S: math.Inf(1)}, time.Second},
		"over 10 MW":      {metrology.PhasePower{U: 1e5, I: 200, P: 2e7, S: 2e7}, time.Second},
		"negative S":      {metrology.PhasePower{U: 230, I: 5, S: -1}, time.Second},
	}
	for name, c := range cases {
		err := acc.Integrate(metrology.Power{Phases: [3]metrology.PhasePower{c.p}}, c.dt)
		if !errors.Is(err, metrology.ErrRange) {
			t.Errorf("%s: err = %v, want ErrRange", name, err)
		}
	}
	if r := acc.View().Registers(); r != (metrology.Registers{}) {
		t.Errorf("rejected steps registered %+v", r)
	}
}

func TestEnergyString(t *testing.T) {
	if s := metrology.Energy(12_000_345).String(); s != "12.000345" {
		t.Errorf("String = %q", s)
	}
}
