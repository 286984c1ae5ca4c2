package signal

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// PresetFrequency is the fundamental frequency of every preset.
const PresetFrequency = 50

type preset struct {
	doc   string
	build func(maxOrder float64) [3]*Phase
}

// presets returns the named signals of `amigo metrology gen`.
func presets() map[string]preset {
	return map[string]preset{
		"ieee1459-annexb": {"IEEE 1459-2010 Annex B: V 100∠0°, 8∠−70°, 15∠140°, 5∠20°; I 100∠−30°, 20∠−165°, 15∠234°, 10∠234° (h = 1, 3, 5, 7)",
			func(float64) [3]*Phase { p := AnnexB(); return [3]*Phase{&p} }},
		"pf05": {"230 V, 5 A lagging 60° (PF 0.5 inductive)",
			func(float64) [3]*Phase { return [3]*Phase{{U: Sine(230, 0), I: Sine(5, Deg(-60))}} }},
		"harmonics5": {"230 V with 10 % 5th harmonic, 5 A lagging 30° with 40 % 5th harmonic",
			func(float64) [3]*Phase {
				return [3]*Phase{{
					U: Sine(230, 0).With(Component{Order: 5, RMS: 23, Phase: Deg(20)}),
					I: Sine(5, Deg(-30)).With(Component{Order: 5, RMS: 2, Phase: Deg(-10)}),
				}}
			}},
		"threephase-balanced": {"three phases, 230 V with 3 % 5th and 2 % 7th, 5 A lagging 36.87° (PF1 0.8) with 10 % 5th",
			func(float64) [3]*Phase {
				return ThreePhase(Phase{
					U: Sine(230, 0).With(Component{Order: 5, RMS: 6.9, Phase: Deg(10)}, Component{Order: 7, RMS: 4.6, Phase: Deg(-40)}),
					I: Sine(5, -math.Atan2(3, 4)).With(Component{Order: 5, RMS: 0.5, Phase: Deg(30)}),
				}, false)
			}},
		"threephase-unbalanced": {"three phases, 230/220/240 V with skewed angles, 5/3/4 A at PF 0.87 ind / 0.94 ind / 0.94 cap",
			func(float64) [3]*Phase {
				return [3]*Phase{
					{U: Sine(230, 0), I: Sine(5, Deg(-30))},
					{U: Sine(220, Deg(-122)), I: Sine(3, Deg(-142))},
					{U: Sine(240, Deg(118)), I: Sine(4, Deg(138))},
				}
			}},
		"halfwave": {"230 V, resistive load behind a half-wave rectifier (7.07 A peak)",
			func(h float64) [3]*Phase { return [3]*Phase{{U: Sine(230, 0), I: HalfWave(5*math.Sqrt2, h)}} }},
		"phasefired": {"230 V, resistive load behind a leading-edge dimmer firing at 90° (7.07 A peak)",
			func(h float64) [3]*Phase {
				return [3]*Phase{{U: Sine(230, 0), I: PhaseFired(5*math.Sqrt2, math.Pi/2, h)}}
			}},
		"burstfired": {"230 V, resistive load burst-fired 2 cycles on, 3 off (7.07 A peak)",
			func(h float64) [3]*Phase { return [3]*Phase{{U: Sine(230, 0), I: BurstFired(5*math.Sqrt2, 2, 3, h)}} }},
	}
}

// AnnexB is the single-phase example of IEEE 1459-2010 Annex B.
func AnnexB() Phase {
	return Phase{
		U: Waveform{Components: []Component{
			{Order: 1, RMS: 100, Phase: 0},
			{Order: 3, RMS: 8, Phase: Deg(-70)},
			{Order: 5, RMS: 15, Phase: Deg(140)},
			{Order: 7, RMS: 5, Phase: Deg(20)},
		}},
		I: Waveform{Components: []Component{
			{Order: 1, RMS: 100, Phase: Deg(-30)},
			{Order: 3, RMS: 20, Phase: Deg(-165)},
			{Order: 5, RMS: 15, Phase: Deg(234)},
			{Order: 7, RMS: 10, Phase: Deg(234)},
		}},
	}
}

// Presets lists the preset names, sorted, each with a one-line description.
func Presets() [][2]string {
	all := presets()
	out := make([][2]string, 0, len(all))
	for name, p := range all {
		out = append(out, [2]string{name, p.doc})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// Preset returns the named signal at 50 Hz sampled at rate. Non-sinusoidal
// loads keep harmonics up to BandOrder(rate, 50).
func Preset(name string, rate float64) (*Signal, error) {
	all := presets()
	p, ok := all[name]
	if !ok {
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		slices.Sort(names)
		return nil, fmt.Errorf("signal: unknown preset %q (have %s)", name, strings.Join(names, ", "))
	}
	s := &Signal{Rate: rate, Frequency: PresetFrequency, Phases: p.build(BandOrder(rate, PresetFrequency))}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("preset %s: %w", name, err)
	}
	return s, nil
}

// BandOrder is the highest harmonic order kept for a fundamental f sampled
// at rate: the 50th, or fewer where the rate cannot carry it (0.36·rate, the
// metrology core's flat band).
func BandOrder(rate, f float64) float64 {
	return min(MaxOrder, math.Floor(0.36*rate/f))
}
