package nilm

import (
	"crypto/rand"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"testing"
)

// BenchmarkClassify is the `nilm` scenario (`amigo bench nilm`, and
// BenchmarkClassify in the package tests): a library of 50 synthetic
// appliances (random fundamental phase, level and odd harmonics; switch-on
// and switch-off modes; 10 noisy events each) and the time to classify one
// event cycle of 500 samples, features included. It reports ms/event and
// the signed library's size in library-bytes.
func BenchmarkClassify(b *testing.B) {
	const appliances, perState, points = 50, 10, 500
	rng := mrand.New(mrand.NewPCG(2026, 11))
	type model struct {
		amp, phase [MaxHarmonic + 1]float64
	}
	models := make([][2]model, appliances)
	for a := range models {
		for s := range 2 {
			var m model
			m.amp[1] = math.Pow(10, -1.5+3*rng.Float64())
			m.phase[1] = (rng.Float64() - 0.3) * math.Pi / 2
			for h := 3; h <= MaxHarmonic; h += 2 {
				m.amp[h] = m.amp[1] * rng.Float64() / float64(h)
				m.phase[h] = 2 * math.Pi * rng.Float64()
			}
			models[a][s] = m
		}
	}
	v := make([]float64, points)
	for k := range v {
		v[k] = math.Sqrt2 * 230 * math.Sin(2*math.Pi*float64(k)/points)
	}
	draw := func(m model) []float64 {
		i := make([]float64, points)
		for h := 1; h <= MaxHarmonic; h++ {
			if m.amp[h] == 0 {
				continue
			}
			a := m.amp[h] * (1 + 0.02*rng.NormFloat64())
			ph := m.phase[h] + 0.02*rng.NormFloat64()
			for k := range i {
				i[k] += math.Sqrt2 * a * math.Sin(2*math.Pi*float64(h*k)/points+ph)
			}
		}
		return i
	}
	var train []Sample
	var events []Event
	for a := range models {
		for s := range 2 {
			for range perState {
				f, err := Extract(v, draw(models[a][s]))
				if err != nil {
					b.Fatal(err)
				}
				train = append(train, Sample{X: f.Vector(), Label: fmt.Sprintf("appliance-%02d", a), State: State(s)})
			}
			events = append(events, Event{Voltage: v, Current: draw(models[a][s]), On: s == 1})
		}
	}
	c, err := Train(train, TrainConfig{Version: 1})
	if err != nil {
		b.Fatal(err)
	}
	key, err := NewSigningKeyPair(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		if _, err := c.Classify(&events[k%len(events)]); err != nil {
			b.Fatal(err)
		}
		k++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/event")
	b.ReportMetric(float64(len(lib)), "library-bytes")
}

// BenchmarkDetect is the `nilm-detect` scenario (`amigo bench nilm-detect`,
// and BenchmarkDetectScenario in the package tests): event detection alone
// on one phase at 8 kHz and 50 Hz, a base load and three appliances (a
// motor with inrush, a heater, a rectifier) switching 8 times a minute, fed
// a second of samples per operation from a minute that repeats without a
// seam. It reports cycles/s; what it allocates is the emitted events' own
// voltage and current cycles.
func BenchmarkDetect(b *testing.B) {
	const rate, mains, seconds = 8000.0, 50.0, 60
	heater := func(th float64) float64 { return math.Sqrt2 * 8 * math.Sin(th) }
	rectifier := func(th float64) float64 {
		return math.Sqrt2 * (1.5*math.Sin(th+0.2) + 1.1*math.Sin(3*th+2) + 0.7*math.Sin(5*th+1))
	}
	v, i := stream(rate, mains, seconds, []load{
		{on: 5, off: 35, i: motor, inrush: 3},
		{on: 12, off: 20, i: heater},
		{on: 27, off: 50, i: rectifier, inrush: 1},
		{on: 41, off: 55, i: heater},
	}, 0.02, 1)
	d, err := NewDetector(DetectorConfig{RateHz: rate, MainsHz: mains})
	if err != nil {
		b.Fatal(err)
	}
	events := 0
	emit := func(Event) { events++ }
	b.ReportAllocs()
	k := 0
	for b.Loop() {
		at := k % seconds * rate
		if err := d.Push(v[at:at+rate], i[at:at+rate], emit); err != nil {
			b.Fatal(err)
		}
		k++
	}
	if k >= seconds && events == 0 {
		b.Fatal("no events detected")
	}
	b.ReportMetric(mains*float64(k)/b.Elapsed().Seconds(), "cycles/s")
}

// load is one appliance of a synthetic stream: its current against the
// voltage phase theta while it is on.
type load struct {
	on, off float64 // seconds
	i       func(theta float64) float64
	inrush  float64 // extra multiple of the current at switch-on, decaying over ~2 cycles
}

// stream synthesises v = √2·230·sin(2πft) and a current made of a base
// resistive load plus the loads that are on at each instant.
func stream(rate, f, seconds float64, loads []load, noise float64, seed uint64) (v, i []float64) {
	rng := mrand.New(mrand.NewPCG(seed, 3))
	n := int(rate * seconds)
	v, i = make([]float64, n), make([]float64, n)
	for k := range n {
		t := float64(k) / rate
		th := 2 * math.Pi * f * t
		v[k] = math.Sqrt2 * 230 * math.Sin(th)
		i[k] = math.Sqrt2*2*math.Sin(th) + noise*rng.NormFloat64()
		for _, l := range loads {
			if t >= l.on && t < l.off {
				gain := 1 + l.inrush*math.Exp(-(t-l.on)*f/2)
				i[k] += gain * l.i(th)
			}
		}
	}
	return v, i
}

// motor: 6 A lagging by 40° with a 10 % 3rd harmonic.
func motor(th float64) float64 {
	return math.Sqrt2 * (6*math.Sin(th-40*math.Pi/180) + 0.6*math.Sin(3*th+0.5))
}
