package wave

import (
	"crypto/rand"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meter"
	nilmmodule "github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// BenchmarkHome is one waveform meter of the simulator: a household of
// the built-in appliances at 8 kHz, each on for 10–30 s and off for
// 20–60 s on average (seed 1), its metrology core fed and its management
// core stepped a simulated minute per iteration. It reports
// meter-s/cpu-s (simulated seconds per CPU second).
func BenchmarkHome(b *testing.B) { benchHome(b, false) }

// BenchmarkHomeNILM is BenchmarkHome with the NILM module on the
// driver's tap (no library: detection, every event logged as unknown):
// the module's share of a waveform meter's cost. It also reports
// events/min.
func BenchmarkHomeNILM(b *testing.B) { benchHome(b, true) }

func benchHome(b *testing.B, withNILM bool) {
	const rate = 8000
	start := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	apps, err := appliance.Synthetic(rate, Mains, Voltage)
	if err != nil {
		b.Fatal(err)
	}
	uses, err := Household(apps, Habits{On: [2]time.Duration{10 * time.Second, 30 * time.Second},
		Off: [2]time.Duration{20 * time.Second, time.Minute}}, 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(Config{Rate: rate, Start: start, Uses: uses, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	m, err := meter.New(meter.Config{Serial: "0000000001"}, d.View(), start, meter.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var mod *nilmmodule.Module
	if withNILM {
		key, err := nilm.NewSigningKeyPair(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		mod, err = nilmmodule.New(m, nilmmodule.Config{PublicKey: &key.PublicKey, RateHz: rate, Phases: [3]bool{true}, Start: start,
			LogCapacity: 100_000})
		if err != nil {
			b.Fatal(err)
		}
		d.SetTap(mod)
	}
	b.ReportAllocs()
	now := start
	cpu := bench.CPUTime()
	for b.Loop() {
		now = now.Add(time.Minute)
		if err := d.Advance(now, true); err != nil {
			b.Fatal(err)
		}
		m.Step(now)
	}
	b.ReportMetric(now.Sub(start).Seconds()/(bench.CPUTime()-cpu).Seconds(), "meter-s/cpu-s")
	if mod != nil {
		b.ReportMetric(float64(len(mod.Events()))/now.Sub(start).Minutes(), "events/min")
	}
}
