package verify

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// load is a balanced three-phase load at Un: current i (RMS) lagging the
// voltage by phi degrees (negative: leading, capacitive).
func load(i, phi float64) signal.Phase {
	return signal.Phase{U: signal.Sine(Un, 0), I: signal.Sine(i, signal.Deg(-phi))}
}

func threePhase(p signal.Phase, f float64) *signal.Signal {
	return &signal.Signal{Rate: Rate, Frequency: f, Phases: signal.ThreePhase(p, false)}
}

// pfAngle is the lag in degrees for a power factor (negative pf: capacitive).
func pfAngle(pf float64) float64 {
	a := math.Acos(math.Abs(pf)) * 180 / math.Pi
	if pf < 0 {
		return -a
	}
	return a
}

func pfName(pf float64) string {
	switch {
	case pf == 1:
		return "PF 1"
	case pf < 0:
		return fmt.Sprintf("PF %g cap", -pf)
	default:
		return fmt.Sprintf("PF %g ind", pf)
	}
}

func currentName(i float64) string {
	for _, n := range []struct {
		v    float64
		name string
	}{{Imax, "Imax"}, {In, "In"}, {Itr, "Itr"}, {Imin, "Imin"}, {Ist, "Ist"}} {
		if i == n.v {
			return n.name
		}
	}
	return fmt.Sprintf("%.3g In", i/In)
}

// energyCase is an active-energy accuracy point on a load that repeats
// every cycle.
func energyCase(id, test, cond string, budget float64, s *signal.Signal) Case {
	return Case{ID: id, Test: test, Condition: cond, Budget: budget, Unit: "%",
		measure: func(m *meter) (float64, error) { return m.energyError(s, 2) }}
}

// cases is the §6 matrix with the class 0.2S core budgets.
func cases() []Case {
	var cs []Case
	add := func(c ...Case) { cs = append(cs, c...) }

	for _, i := range []float64{Itr, 0.1 * In, In, Imax} {
		add(energyCase("A1", "active energy, Itr…Imax", currentName(i)+", PF 1", 0.02, threePhase(load(i, 0), Fn)))
	}
	for _, i := range []float64{Imin, 0.02 * In} {
		add(energyCase("A2", "active energy, Imin…Itr", currentName(i)+", PF 1", 0.04, threePhase(load(i, 0), Fn)))
	}
	for _, pf := range []float64{0.5, -0.8} {
		for _, i := range []float64{2 * Itr, In, Imax} {
			add(energyCase("A3", "active energy, PF 0.5 ind / 0.8 cap", currentName(i)+", "+pfName(pf), 0.03, threePhase(load(i, pfAngle(pf)), Fn)))
		}
	}
	for _, pf := range []float64{0.25, -0.5} {
		for _, i := range []float64{In, Imax} {
			add(energyCase("A4", "active energy, PF 0.25 ind / 0.5 cap", currentName(i)+", "+pfName(pf), 0.05, threePhase(load(i, pfAngle(pf)), Fn)))
		}
	}

	// A5: polyphase conditions
	for p := range 3 {
		for _, pf := range []float64{1, 0.5} {
			s := threePhase(load(In, pfAngle(pf)), Fn)
			for q := range 3 {
				if q != p {
					s.Phases[q].I = signal.Waveform{} // voltage on, no current
				}
			}
			add(energyCase("A5", "polyphase: one phase loaded", fmt.Sprintf("phase %c only, In, %s", 'a'+p, pfName(pf)), 0.03, s))
		}
	}
	rev := &signal.Signal{Rate: Rate, Frequency: Fn, Phases: signal.ThreePhase(load(In, 60), true)}
	add(energyCase("A5", "polyphase: reversed sequence", "a-c-b, In, PF 0.5 ind", 0.03, rev))
	unb := threePhase(load(In, 30), Fn)
	for q, k := range []float64{1, 0.9, 1.1} {
		unb.Phases[q].U = unb.Phases[q].U.Scaled(k)
		unb.Phases[q].I = unb.Phases[q].I.Scaled(2 - k)
	}
	add(energyCase("A5", "polyphase: 10 % unbalance", "U ×1/0.9/1.1, I ×1/1.1/0.9, PF 0.87 ind", 0.03, unb))

	for _, f := range []float64{45, 47.5, 52.5, 55} {
		for _, pf := range []float64{1, 0.5} {
			add(energyCase("A6", "frequency 45…55 Hz", fmt.Sprintf("%g Hz, In, %s", f, pfName(pf)), 0.02, threePhase(load(In, pfAngle(pf)), f)))
		}
	}

	h5 := threePhase(signal.Phase{
		U: signal.Sine(Un, 0).With(signal.Component{Order: 5, RMS: 0.1 * Un}),
		I: signal.Sine(In, 0).With(signal.Component{Order: 5, RMS: 0.4 * In}),
	}, Fn)
	add(energyCase("A7", "5th harmonic 10 % U, 40 % I", "In, PF 1, harmonics in phase", 0.02, h5))

	band := signal.BandOrder(Rate, Fn)
	add(energyCase("A8", "half-wave rectified current", "peak √2·Imax, resistive", 0.05,
		threePhase(signal.Phase{U: signal.Sine(Un, 0), I: signal.HalfWave(math.Sqrt2*Imax, band)}, Fn)))
	add(energyCase("A8", "phase-fired current", "firing at 90°, peak √2·In", 0.05,
		threePhase(signal.Phase{U: signal.Sine(Un, 0), I: signal.PhaseFired(math.Sqrt2*In, math.Pi/2, band)}, Fn)))
	for _, b := range [][2]int{{2, 2}, {3, 7}} {
		s := threePhase(signal.Phase{U: signal.Sine(Un, 0), I: signal.BurstFired(math.Sqrt2*In, b[0], b[1], band)}, Fn)
		add(Case{ID: "A8", Test: "burst-fired current", Condition: fmt.Sprintf("%d cycles on, %d off, peak √2·In", b[0], b[1]), Budget: 0.05, Unit: "%",
			measure: func(m *meter) (float64, error) { return m.windowEnergyError(s, 4) }})
	}

	add(startingCase(), creepCase())
	for _, phi := range []float64{30, 150, 210, 330} {
		add(quadrantCase(phi))
	}
	add(reactiveCases()...)
	for _, f := range []float64{42.5, 45, 47.5, 50, 52.5, 55, 57.5} {
		add(frequencyCase(f))
	}
	for _, f := range []float64{47.5, 50, 52.5} {
		add(harmonicsCase(f))
	}
	add(freezeCases()...)
	return cs
}

// A9: at the starting current the register must move within 1.2 × the time
// the true energy takes to reach one register step (0.01 Wh).
func startingCase() Case {
	const step = 10_000 // µWh, the 0.01 Wh resolution of 1.0.1.8.0 with scaler −2
	return Case{ID: "A9", Test: "starting current registers", Condition: "Ist = 0.001·In, PF 1, first 0.01 Wh", Budget: 1.2, OneSided: true, Unit: "× expected time",
		measure: func(m *meter) (float64, error) {
			s := threePhase(load(Ist, 0), Fn)
			expected := step / 1e6 * 3600 / s.Truth().P // seconds
			var core *metrology.Core
			reached := 0.0
			cfg := metrology.Config{OnWindow: func(w metrology.Measurement) {
				if reached == 0 && core.View().Registers().ActiveImport >= step {
					reached = w.End.Sub(time.Unix(0, 0)).Seconds()
				}
			}}
			var err error
			if core, err = m.newCore(s, cfg); err != nil {
				return 0, err
			}
			if err := feed(core, s, 1.3*expected); err != nil {
				return 0, err
			}
			if reached == 0 {
				return math.Inf(1), nil
			}
			return reached / expected, nil
		}}
}

// A10: with 115 % Un and no load (only a little noise and DC offset in the
// current channels) nothing at all may register.
func creepCase() Case {
	return Case{ID: "A10", Test: "no-load creep", Condition: "1.15·Un, I = 0 + 0.5 mA noise + 0.2 mA DC, 5 s", Budget: 0, Unit: "µWh",
		measure: func(m *meter) (float64, error) {
			core, _, err := m.run(noLoadSignal(), 5, metrology.Config{})
			if err != nil {
				return 0, err
			}
			return float64(magnitude(core.View().Registers())), nil
		}}
}

// noLoadSignal is the A10 condition.
func noLoadSignal() *signal.Signal {
	s := threePhase(signal.Phase{U: signal.Sine(1.15*Un, 0), I: signal.Waveform{DC: 0.0002, Noise: 0.0005}}, Fn)
	s.Seed = 10
	return s
}

// magnitude is the sum of the absolute values of all registers.
func magnitude(r metrology.Registers) metrology.Energy {
	abs := func(e metrology.Energy) metrology.Energy { return max(e, -e) }
	sum := abs(r.ActiveImport) + abs(r.ActiveExport) + abs(r.ApparentImport) + abs(r.ApparentExport)
	for _, q := range r.Reactive {
		sum += abs(q)
	}
	return sum
}

// A11: the reactive energy must land in exactly the quadrant of the angle,
// and active and apparent energy on the right side.
func quadrantCase(phi float64) Case {
	return Case{ID: "A11", Test: "four quadrants", Condition: fmt.Sprintf("current lagging %g°, In", phi), Budget: 0, Unit: "registers wrong",
		measure: func(m *meter) (float64, error) {
			core, _, err := m.run(threePhase(load(In, phi), Fn), 1, metrology.Config{})
			if err != nil {
				return 0, err
			}
			r := core.View().Registers()
			quadrant := int(phi / 90) // 30° → QI, 150° → QII, 210° → QIII, 330° → QIV
			export := quadrant == metrology.QII || quadrant == metrology.QIII
			wrong := 0
			check := func(e metrology.Energy, want bool) {
				if (e > 0) != want {
					wrong++
				}
			}
			for q, e := range r.Reactive {
				check(e, q == quadrant)
			}
			check(r.ActiveImport, !export)
			check(r.ActiveExport, export)
			check(r.ApparentImport, !export)
			check(r.ApparentExport, export)
			return float64(wrong), nil
		}}
}

// R1: fundamental reactive energy at PF 0.5 ind, with and without the A7
// harmonics, and the influence of the harmonics on Q1.
func reactiveCases() []Case {
	plain := threePhase(load(In, 60), Fn)
	harm := threePhase(signal.Phase{
		U: signal.Sine(Un, 0).With(signal.Component{Order: 5, RMS: 0.1 * Un, Phase: signal.Deg(15)}),
		I: signal.Sine(In, signal.Deg(-60)).With(signal.Component{Order: 5, RMS: 0.4 * In, Phase: signal.Deg(-40)}),
	}, Fn)
	q1Error := func(m *meter, s *signal.Signal) (float64, error) {
		core, _, err := m.run(s, 2, metrology.Config{})
		if err != nil {
			return 0, err
		}
		got := core.View().Registers().Reactive[metrology.QI].Wh()
		want := s.Truth().Q1 * math.Round(2*s.Rate) / s.Rate / 3600
		return 100 * (got/want - 1), nil
	}
	meanQ1 := func(m *meter, s *signal.Signal) (float64, error) {
		_, ms, err := m.run(s, 1, metrology.Config{})
		if err != nil {
			return 0, err
		}
		q := 0.0
		for _, w := range ms {
			q += w.Total.Q1 / float64(len(ms))
		}
		return q, nil
	}
	return []Case{
		{ID: "R1", Test: "fundamental reactive energy", Condition: "In, PF 0.5 ind, sinusoidal", Budget: 0.05, Unit: "%",
			measure: func(m *meter) (float64, error) { return q1Error(m, plain) }},
		{ID: "R1", Test: "fundamental reactive energy", Condition: "In, PF 0.5 ind, 10 % U5 / 40 % I5", Budget: 0.05, Unit: "%",
			measure: func(m *meter) (float64, error) { return q1Error(m, harm) }},
		{ID: "R1", Test: "harmonic influence on Q1", Condition: "Q1 with vs without 10 % U5 / 40 % I5", Budget: 0.02, Unit: "%",
			measure: func(m *meter) (float64, error) {
				a, err := meanQ1(m, plain)
				if err != nil {
					return 0, err
				}
				b, err := meanQ1(m, harm)
				if err != nil {
					return 0, err
				}
				return 100 * (b/a - 1), nil
			}},
	}
}

// F1: every window's frequency within ±1 mHz, with 5 % harmonics.
func frequencyCase(f float64) Case {
	return Case{ID: "F1", Test: "frequency per 200 ms window", Condition: fmt.Sprintf("%g Hz, 5 %% 3rd/5th/7th", f), Budget: 1, Unit: "mHz",
		measure: func(m *meter) (float64, error) {
			s := threePhase(signal.Phase{
				U: signal.Sine(Un, 0).With(
					signal.Component{Order: 3, RMS: 0.05 * Un, Phase: 1},
					signal.Component{Order: 5, RMS: 0.05 * Un, Phase: 2},
					signal.Component{Order: 7, RMS: 0.05 * Un, Phase: -1}),
				I: signal.Sine(In, signal.Deg(-30)),
			}, f)
			_, ms, err := m.run(s, 1.2, metrology.Config{})
			if err != nil {
				return 0, err
			}
			worst := 0.0
			for _, w := range ms {
				e := 1000 * (w.Frequency - f)
				if !w.Locked {
					e = math.Inf(1)
				}
				if math.Abs(e) > math.Abs(worst) {
					worst = e
				}
			}
			return worst, nil
		}}
}

// H1: every harmonic magnitude from the 2nd to the 50th, at 1 % to 5 % of
// the fundamental, within ±0.5 % of reading.
func harmonicsCase(f float64) Case {
	return Case{ID: "H1", Test: "harmonics to the 50th, U_h ≥ 1 %", Condition: fmt.Sprintf("%g Hz, h = 2…50 at 1–5 %%", f), Budget: 0.5, Unit: "% of reading",
		measure: func(m *meter) (float64, error) {
			u, i := signal.Sine(Un, 0), signal.Sine(In, signal.Deg(-20))
			for h := 2; h <= metrology.MaxHarmonic; h++ {
				level := 0.01 + 0.04*float64(h%5)/4 // 1 %, 2 %, 3 %, 4 %, 5 % in turn
				u = u.With(signal.Component{Order: float64(h), RMS: level * Un, Phase: float64(h) * 0.7})
				i = i.With(signal.Component{Order: float64(h), RMS: level * In, Phase: float64(h) * -1.3})
			}
			s := threePhase(signal.Phase{U: u, I: i}, f)
			_, ms, err := m.run(s, 1, metrology.Config{})
			if err != nil {
				return 0, err
			}
			tr := s.Truth()
			worst := 0.0
			for _, w := range ms {
				for p := range 3 {
					want, got := tr.Phases[p].Harmonics, w.Phases[p].Harmonics
					for h := 2; h <= metrology.MaxHarmonic; h++ {
						for _, e := range []float64{
							100 * (math.Hypot(real(got[h].U), imag(got[h].U))/want[h].U - 1),
							100 * (math.Hypot(real(got[h].I), imag(got[h].I))/want[h].I - 1),
						} {
							if math.Abs(e) > math.Abs(worst) {
								worst = e
							}
						}
					}
				}
			}
			return worst, nil
		}}
}

// Z1: 1-min and 15-min freezes falling anywhere inside windows, from a
// start between boundaries (12:14:58.9, so 12:15:00 carries both periods).
// The first point checks the bookkeeping: the 1-min deltas up to 12:15 add
// up to the 15-min freeze taken at the same instant, and all 1-min deltas to
// the last 1-min freeze (error in µWh over all registers). The second
// checks the energy of the whole minute 12:15–12:16, which begins and ends
// inside windows. Both points share one run.
func freezeCases() []Case {
	type result struct {
		frozen map[time.Duration][]metrology.Freeze
		p      float64
	}
	var (
		once sync.Once
		res  result
		err  error
	)
	run := func(m *meter) (result, error) {
		once.Do(func() {
			frozen := map[time.Duration][]metrology.Freeze{}
			cfg := metrology.Config{Energy: metrology.EnergyConfig{
				Start:    time.Date(2026, 6, 1, 12, 14, 58, 900_000_000, time.UTC),
				OnFreeze: func(f metrology.Freeze) { frozen[f.Period] = append(frozen[f.Period], f) },
			}}
			s := threePhase(load(In, pfAngle(0.8)), Fn)
			if _, _, err = m.run(s, 61.5, cfg); err != nil {
				return
			}
			if len(frozen[time.Minute]) != 2 || len(frozen[15*time.Minute]) != 1 {
				err = fmt.Errorf("%d 1-min and %d 15-min freezes, want 2 and 1", len(frozen[time.Minute]), len(frozen[15*time.Minute]))
				return
			}
			res = result{frozen, s.Truth().P}
		})
		return res, err
	}
	const cond = "3 × In, PF 0.8 ind, start 12:14:58.9, 61.5 s"
	return []Case{
		{ID: "Z1", Test: "Σ interval increments = register delta", Condition: cond, Budget: 0, Unit: "µWh",
			measure: func(m *meter) (float64, error) {
				r, err := run(m)
				if err != nil {
					return 0, err
				}
				mins, quarter := r.frozen[time.Minute], r.frozen[15*time.Minute][0]
				var sum metrology.Registers
				for _, f := range mins {
					sum = sum.Add(f.Delta)
				}
				diff := magnitude(mins[0].Delta.Sub(quarter.Delta)) + magnitude(mins[0].Registers.Sub(quarter.Registers))
				diff += magnitude(sum.Sub(mins[len(mins)-1].Registers))
				return float64(diff), nil
			}},
		{ID: "Z1", Test: "interval energy between freezes", Condition: "minute 12:15–12:16, " + cond, Budget: 0.02, Unit: "%",
			measure: func(m *meter) (float64, error) {
				r, err := run(m)
				if err != nil {
					return 0, err
				}
				got := r.frozen[time.Minute][1].Delta.ActiveImport.Wh()
				return 100 * (got/(r.p/60) - 1), nil
			}},
	}
}
