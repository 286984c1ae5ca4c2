package verify

import (
	"runtime"
	"testing"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// benchSeconds is the signal one benchmark iteration processes: 100 cycles
// at 50 Hz, so the buffer repeats seamlessly from iteration to iteration.
const benchSeconds = 2

// BenchmarkCore is the `metrology` scenario (BENCHMARKS.md): a three-phase
// meter sampled at 8 kHz, harmonic analysis to the 50th on, voltages with 5 %
// 3rd, 4 % 5th, 3 % 7th and currents with 30 % 3rd and 20 % 5th at PF 0.8.
// It reports meter-seconds of signal processed per CPU-second
// (meter-s/cpu-s) and heap allocations per 200 ms window in the steady
// state (allocs/window). `go test -bench Core ./metrology` and
// `amigo bench metrology` both run it.
func BenchmarkCore(b *testing.B) {
	s := &signal.Signal{Rate: Rate, Frequency: Fn, Phases: signal.ThreePhase(signal.Phase{
		U: signal.Sine(Un, 0).With(
			signal.Component{Order: 3, RMS: 0.05 * Un, Phase: 0.4},
			signal.Component{Order: 5, RMS: 0.04 * Un, Phase: 1.1},
			signal.Component{Order: 7, RMS: 0.03 * Un, Phase: -0.3}),
		I: signal.Sine(In, signal.Deg(-36.87)).With(
			signal.Component{Order: 3, RMS: 0.3 * In, Phase: 2},
			signal.Component{Order: 5, RMS: 0.2 * In, Phase: -1}),
	}, false)}
	frames, err := s.Samples(int(benchSeconds * Rate))
	if err != nil {
		b.Fatal(err)
	}
	windows := 0
	core, err := metrology.New(metrology.Config{Rate: Rate, Phases: s.Present(), OnWindow: func(metrology.Measurement) { windows++ }})
	if err != nil {
		b.Fatal(err)
	}
	// Warm up: lock the frequency and let the buffers reach their steady state.
	for range 2 {
		if err := core.Process(frames); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	windows = 0
	cpu := bench.CPUTime()
	iterations := 0
	for b.Loop() {
		if err := core.Process(frames); err != nil {
			b.Fatal(err)
		}
		iterations++
	}
	used := bench.CPUTime() - cpu
	runtime.ReadMemStats(&after)
	if used > 0 {
		b.ReportMetric(float64(iterations)*benchSeconds/used.Seconds(), "meter-s/cpu-s")
	}
	if windows > 0 {
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(windows), "allocs/window")
	}
}
