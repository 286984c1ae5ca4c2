package device

import (
	"runtime"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/feed"
	"github.com/amigo-ami/amigo/meter/load"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/profile"
)

// FleetMeters is how many meters BenchmarkFleet steps.
const FleetMeters = 1000

// fleetTOML is a simulator-sized meter: a two-rate weekday calendar, a week
// of 15-minute profile, no 1-minute profile, short logs, prepayment.
const fleetTOML = `
serial = "0000000001"
[tariff]
prices = [0.20, 0.12, 0.20, 0.12]
[[tariff.season]]
name = "all"
start = "*-01-01"
week = "w"
[[tariff.week]]
name = "w"
days = [1, 1, 1, 1, 1, 2, 2]
[[tariff.day]]
id = 1
actions = [{ start = "07:00", tariff = 1 }, { start = "21:00", tariff = 2 }]
[[tariff.day]]
id = 2
actions = [{ start = "00:00", tariff = 2 }]
[profiles]
load15 = { period = "15m", capacity = 672 }
load1 = { capacity = -1 }
daily = 31
monthly = 12
events = 50
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
`

// BenchmarkFleet is the fleet simulator's inner loop: FleetMeters meters in
// fast mode (load model → metrology accumulator → management core) with
// their object trees, each advanced one simulated second per meter per
// iteration on one goroutine. It reports meter-s/cpu-s (simulated
// meter-seconds per CPU-second), B/meter (heap per meter with its tree and
// two hours of history), B/meter-full (the same with every profile and log
// full) and allocs/meter-s.
func BenchmarkFleet(b *testing.B) {
	f, err := config.Parse("fleet.toml", []byte(fleetTOML))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	model := load.Sum{load.Constant{W: 400, PF: 0.95}, load.PV{Peak: 3000}}
	schema, err := objects.NewSchema(f.Meter)
	if err != nil {
		b.Fatal(err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	type unit struct {
		drv *feed.Fast
		m   *meter.Meter
		t   *objects.Tree
	}
	fleet := make([]unit, FleetMeters)
	for i := range fleet {
		cfg := f.Meter
		cfg.Serial = serialOf(i)
		drv, err := feed.NewFast(model, start)
		if err != nil {
			b.Fatal(err)
		}
		m, err := meter.New(cfg, drv.View(), start, meter.Options{})
		if err != nil {
			b.Fatal(err)
		}
		fleet[i] = unit{drv, m, objects.New(schema, m, objects.Config{})}
	}
	now := start
	step := func() {
		now = now.Add(time.Second)
		for _, u := range fleet {
			if err := u.drv.Advance(now, true); err != nil {
				b.Fatal(err)
			}
			u.m.Step(now)
		}
	}
	for range 2 * 60 { // two hours of history, a minute at a time
		now = now.Add(59 * time.Second)
		step()
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportAllocs()
	cpu := bench.CPUTime()
	n := 0
	for b.Loop() {
		step()
		n++
	}
	used := bench.CPUTime() - cpu
	b.ReportMetric(float64(n*FleetMeters)/used.Seconds(), "meter-s/cpu-s")
	perMeter := float64(after.HeapAlloc-before.HeapAlloc) / FleetMeters
	b.ReportMetric(perMeter, "B/meter")
	b.ReportMetric(perMeter+float64(unfilled(fleet[0].m)), "B/meter-full")
	b.ReportMetric(float64(testing.AllocsPerRun(1, step))/FleetMeters, "allocs/meter-s")
	runtime.KeepAlive(fleet)
}

// unfilled is the bytes m's profiles and logs will still grow by.
func unfilled(m *meter.Meter) int {
	n := 0
	count := func(p *profile.Profile) { n += (p.Config().Capacity - p.Len()) * p.RowBytes() }
	for _, p := range []meter.Profile{meter.LP15, meter.LP1, meter.Daily, meter.Monthly} {
		m.Read(p, count)
	}
	for l := range eventlog.NumLogs {
		m.ReadLog(l, count)
	}
	return n
}

func serialOf(i int) string {
	b := []byte("0000000000")
	for k := len(b) - 1; i > 0; k-- {
		b[k] = byte('0' + i%10)
		i /= 10
	}
	return string(b)
}
