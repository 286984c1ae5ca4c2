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
