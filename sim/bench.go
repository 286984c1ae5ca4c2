package sim

import (
	"runtime"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/internal/testenv"
)

// BenchMeters is how many meters BenchmarkFleet simulates.
const BenchMeters = 10_000

// BenchmarkFleet is the simulator at scale: BenchMeters meters in fast
// mode (the load mix, with AMPds R1 when $AMIGO_SHARED_DATA or
// ../shared/data has it), the built-in template, no sockets, on a stopped
// clock advanced a quarter hour per iteration on every CPU, after two
// simulated hours of warm-up. It reports meter-s/cpu-s (simulated
// meter-seconds per CPU-second, the process's user + system time),
// B/meter (heap per meter after the warm-up, object tree and DLMS server
// included), build-ms/meter and allocs/meter-step (per meter per quarter
// hour advanced).
func BenchmarkFleet(b *testing.B) {
	dir := testenv.SharedData()
	start := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	built := time.Now()
	f, err := New(Config{Meters: BenchMeters, Seed: 1, Start: start, DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	buildTime := time.Since(built)
	defer f.Close()
	now := start
	for range 8 {
		now = now.Add(15 * time.Minute)
		f.AdvanceTo(now)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportAllocs()
	cpu := bench.CPUTime()
	n := 0
	for b.Loop() {
		now = now.Add(15 * time.Minute)
		f.AdvanceTo(now)
		n++
	}
	used := bench.CPUTime() - cpu
	b.ReportMetric(float64(n)*BenchMeters*900/used.Seconds(), "meter-s/cpu-s")
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/BenchMeters, "B/meter")
	b.ReportMetric(float64(buildTime.Milliseconds())/BenchMeters, "build-ms/meter")
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	mallocs := m.Mallocs
	now = now.Add(15 * time.Minute)
	f.AdvanceTo(now)
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.Mallocs-mallocs)/float64(BenchMeters), "allocs/meter-step")
	runtime.KeepAlive(f)
}
