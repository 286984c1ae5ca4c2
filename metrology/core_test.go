package metrology_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// After Finish the registers cover every frame written, so a stationary
// load's energy is P·(frames/rate), whatever the record length.
func TestCoreEnergyCoversEveryFrame(t *testing.T) {
	phases := signal.ThreePhase(signal.Phase{U: signal.Sine(230, 0), I: signal.Sine(5, signal.Deg(-60))}, false)
	s := &signal.Signal{Rate: 8000, Frequency: 50.2, Phases: phases}
	const seconds = 3.3371
	_, core := run(t, s, seconds, metrology.Config{})
	r := core.View().Registers()
	tr := s.Truth()
	frames := math.Round(seconds * s.Rate)
	wantWh := tr.P * frames / s.Rate / 3600
	if e := relErr(r.ActiveImport.Wh(), wantWh); e > 1e-4 {
		t.Errorf("active import %v Wh, want %.6f (error %.2g)", r.ActiveImport, wantWh, e)
	}
	if e := relErr(r.Reactive[metrology.QI].Wh(), tr.Q1*frames/s.Rate/3600); e > 1e-4 {
		t.Errorf("QI %v varh (error %.2g)", r.Reactive[metrology.QI], e)
	}
	if e := relErr(r.ApparentImport.Wh(), tr.S*frames/s.Rate/3600); e > 1e-4 {
		t.Errorf("apparent %v VAh (error %.2g)", r.ApparentImport, e)
	}
	if got := core.View().Now().Sub(time.Unix(0, 0)); math.Abs(got.Seconds()-frames/s.Rate) > 1e-9 {
		t.Errorf("metrology clock advanced %v, want %v s", got, frames/s.Rate)
	}
	if err := core.Process(make([]float64, 6)); !errors.Is(err, metrology.ErrFinished) {
		t.Errorf("Process after Finish: %v", err)
	}
}

// Freezes through the core: boundaries every 10 s that fall anywhere inside
// a window (the verify matrix's Z1 does the same for 1 and 15 minutes); every
// full interval carries P·10 s and the deltas add up to the registers exactly.
func TestCoreFreezesSplitWindows(t *testing.T) {
	p := signal.Phase{U: signal.Sine(230, 0), I: signal.Sine(3, signal.Deg(-210))} // current lags by 210°: exporting, QIII
	s := &signal.Signal{Rate: 3200, Frequency: 49.9, Phases: [3]*signal.Phase{&p}}
	var freezes []metrology.Freeze
	start := time.Date(2026, 5, 1, 11, 59, 51, 123_456_789, time.UTC)
	run(t, s, 31, metrology.Config{Energy: metrology.EnergyConfig{
		Start:         start,
		FreezePeriods: []time.Duration{10 * time.Second},
		OnFreeze:      func(f metrology.Freeze) { freezes = append(freezes, f) },
	}})
	if len(freezes) != 3 {
		t.Fatalf("%d freezes, want 3 (12:00:00, :10, :20)", len(freezes))
	}
	tr := s.Truth()
	var sum metrology.Registers
	for k, f := range freezes {
		sum = sum.Add(f.Delta)
		if k == 0 {
			continue
		}
		if e := relErr(-f.Delta.ActiveExport.Wh(), tr.P/360); e > 2e-4 || f.Delta.ActiveImport != 0 {
			t.Errorf("interval to %v: export %v Wh, want %.6f", f.At, f.Delta.ActiveExport, -tr.P/360)
		}
		if e := relErr(-f.Delta.Reactive[metrology.QIII].Wh(), tr.Q1/360); e > 2e-4 {
			t.Errorf("interval to %v: QIII %v varh, want %.6f", f.At, f.Delta.Reactive[metrology.QIII], -tr.Q1/360)
		}
	}
	if sum != freezes[2].Registers {
		t.Errorf("Σ deltas %+v ≠ registers at 12:00:20 %+v", sum, freezes[2].Registers)
	}
}

func TestCoreRejectsBadFrames(t *testing.T) {
	core, err := metrology.New(metrology.Config{Rate: 8000, Phases: [3]bool{true, false, true}})
	if err != nil {
		t.Fatal(err)
	}
	for name, frames := range map[string][]float64{
		"partial frame": {1, 2, 3},
		"NaN":           {1, 2, 3, math.NaN()},
		"Inf":           {math.Inf(-1), 2, 3, 4},
		"beyond 1e9":    {1, 2e9, 3, 4},
	} {
		if err := core.Process(frames); !errors.Is(err, metrology.ErrFrame) {
			t.Errorf("%s: %v, want ErrFrame", name, err)
		}
	}
}

func TestNewRejectsConfig(t *testing.T) {
	base := func() metrology.Config { return metrology.Config{Rate: 8000, Phases: [3]bool{true}} }
	cases := map[string]func(*metrology.Config){
		"rate below 64/cycle": func(c *metrology.Config) { c.Rate = 3199 },
		"NaN rate":            func(c *metrology.Config) { c.Rate = math.NaN() },
		"rate 2 MHz":          func(c *metrology.Config) { c.Rate = 2e6 },
		"nominal 55":          func(c *metrology.Config) { c.Nominal = 55 },
		"no phase":            func(c *metrology.Config) { c.Phases = [3]bool{} },
		"zero gain": func(c *metrology.Config) {
			cal := metrology.UnityCalibration()
			cal.I[0].Gain = 0
			c.Calibration = &cal
		},
		"delay 2 ms": func(c *metrology.Config) {
			cal := metrology.UnityCalibration()
			cal.U[2].Delay = 2e-3
			c.Calibration = &cal
		},
		"freeze period 0.5 s": func(c *metrology.Config) { c.Energy.FreezePeriods = []time.Duration{time.Second / 2} },
		"capture 0 cycles":    func(c *metrology.Config) { c.CaptureCycles = -1 },
	}
	for name, mutate := range cases {
		cfg := base()
		mutate(&cfg)
		if _, err := metrology.New(cfg); !errors.Is(err, metrology.ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
	if _, err := metrology.New(base()); err != nil {
		t.Errorf("valid config: %v", err)
	}
}

// The view hands out copies: changing what it returned changes nothing.
func TestViewReturnsCopies(t *testing.T) {
	p := signal.AnnexB()
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{&p}}
	_, core := run(t, s, 0.7, metrology.Config{})
	v := core.View()
	m, ok := v.Measurement()
	if !ok {
		t.Fatal("no measurement")
	}
	m.Phases[0].P = -1
	m.Phases[0].Harmonics[3].U = 0
	again, _ := v.Measurement()
	if again.Phases[0].P == -1 || again.Phases[0].Harmonics[3].U == 0 {
		t.Error("Measurement shares storage with the core")
	}
	inst := v.Instant()
	if relErr(inst.Phases[0].P, 8589.162) > 1e-4 || relErr(inst.Phases[0].PF(), 8589.162/10517.493) > 1e-4 || inst.Frequency != again.Frequency {
		t.Errorf("Instant = %+v", inst)
	}
}

// The view may be read from other goroutines while samples are processed
// (run with -race).
func TestViewConcurrentWithProcess(t *testing.T) {
	p := signal.AnnexB()
	s := &signal.Signal{Rate: 4000, Frequency: 50, Phases: [3]*signal.Phase{&p}}
	x, err := s.Samples(4000 * 2)
	if err != nil {
		t.Fatal(err)
	}
	core, err := metrology.New(metrology.Config{Rate: 4000, Phases: [3]bool{true}, NominalVoltage: 100,
		Energy: metrology.EnergyConfig{FreezePeriods: []time.Duration{time.Second}}})
	if err != nil {
		t.Fatal(err)
	}
	v := core.View()
	done := make(chan struct{})
	reads := make(chan int)
	go func() {
		n := 0
		var last metrology.Energy
		for {
			r := v.Registers()
			if r.ActiveImport < last {
				t.Error("register went backwards")
			}
			last = r.ActiveImport
			v.Instant()
			v.Measurement()
			v.Freezes(time.Second)
			v.Identity()
			if _, err := v.Capture(2); err != nil {
				t.Error(err)
			}
			n++
			select {
			case <-done:
				reads <- n
				return
			default:
			}
		}
	}()
	for k := 0; k < len(x); k += 2 * 100 {
		if err := core.Process(x[k:min(len(x), k+200)]); err != nil {
			t.Fatal(err)
		}
	}
	close(done)
	<-reads
	if len(v.Freezes(time.Second)) == 0 {
		t.Error("no freezes")
	}
}
