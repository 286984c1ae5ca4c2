package nilm

import (
	"math"
	"testing"
)

func detectAll(t *testing.T, cfg DetectorConfig, v, i []float64, chunk int) []Event {
	t.Helper()
	d, err := NewDetector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var evs []Event
	for k := 0; k < len(v); k += chunk {
		end := min(k+chunk, len(v))
		if err := d.Push(v[k:end], i[k:end], func(e Event) { evs = append(evs, e) }); err != nil {
			t.Fatal(err)
		}
	}
	return evs
}

func TestDetectorFindsOnAndOff(t *testing.T) {
	// 50.3 Hz at 8 kHz: 159.04 samples per cycle, so every cycle starts at
	// a different fraction of a sample and alignment must interpolate.
	const rate, f = 8000.0, 50.3
	v, i := stream(rate, f, 3, []load{{on: 1, off: 2, i: motor, inrush: 3}}, 0.01, 1)
	cfg := DetectorConfig{RateHz: rate, MainsHz: 50}
	for _, chunk := range []int{len(v), 1000, 7} {
		evs := detectAll(t, cfg, v, i, chunk)
		if len(evs) != 2 {
			t.Fatalf("chunk %d: %d events, want 2: %+v", chunk, len(evs), evs)
		}
		on, off := evs[0], evs[1]
		if !on.On || off.On {
			t.Fatalf("chunk %d: directions %v, %v; want on then off", chunk, on.On, off.On)
		}
		// The step happens in cycle 50 (1 s × 50.3 Hz); the event is
		// reported at the first steady cycle after the inrush.
		if at := float64(on.Sample) / rate; at < 1 || at > 1.3 {
			t.Errorf("chunk %d: on event at %.3f s, want within 0.3 s after 1 s", chunk, at)
		}
		if on.Transient.PeakRatio < 1.5 {
			t.Errorf("chunk %d: inrush peak ratio %.2f, want > 1.5 for a 3× inrush", chunk, on.Transient.PeakRatio)
		}
		for _, ev := range evs {
			feat, err := Extract(ev.Voltage, ev.Current)
			if err != nil {
				t.Fatal(err)
			}
			// The event's own current is the motor: P = 230·6·cos 40°,
			// Q1 = 230·6·sin 40°, I3/I1 = 0.1.
			near(t, "event P", feat.P, 1380*math.Cos(40*math.Pi/180), 5)
			near(t, "event Q1", feat.Q1, 1380*math.Sin(40*math.Pi/180), 5)
			near(t, "event I3/I1", feat.Harmonics[3].RMS/feat.Harmonics[1].RMS, 0.1, 0.003)
			if (ev.DeltaP > 0) != ev.On {
				t.Errorf("event on=%v with ΔP %.1f W", ev.On, ev.DeltaP)
			}
		}
	}
}

func TestDetectorDebounceAndMinimumStep(t *testing.T) {
	const rate, f = 6400.0, 50.0
	spike := func(th float64) float64 { return math.Sqrt2 * 3 * math.Sin(th) }
	tiny := func(th float64) float64 { return math.Sqrt2 * 0.005 * math.Sin(th) } // 1.15 W
	v, i := stream(rate, f, 3, []load{
		{on: 1, off: 1 + 4.0/f, i: spike}, // 4 cycles: reverts within the debounce
		{on: 2, off: 9, i: tiny},          // below the minimum step
	}, 0.001, 2)
	if evs := detectAll(t, DetectorConfig{RateHz: rate}, v, i, 4096); len(evs) != 0 {
		t.Errorf("%d events from a 4-cycle spike and a 1 W step, want none: %+v", len(evs), evs)
	}
}

func TestDetectorConfigErrors(t *testing.T) {
	for _, cfg := range []DetectorConfig{{}, {RateHz: 1000}, {RateHz: 8000, MainsHz: 5}, {RateHz: math.Inf(1)}} {
		if _, err := NewDetector(cfg); err == nil {
			t.Errorf("NewDetector(%+v) succeeded", cfg)
		}
	}
	d, _ := NewDetector(DetectorConfig{RateHz: 8000})
	if err := d.Push([]float64{1}, nil, func(Event) {}); err == nil {
		t.Error("Push with unequal lengths succeeded")
	}
}
