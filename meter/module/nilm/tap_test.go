package nilm_test

import (
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// TestThreePhasesAndAGap runs a three-phase meter whose appliance is on
// phase L2, and skips a second of the stream (the meter was off): the
// events carry their phase and their true times, and the skip makes no
// event.
func TestThreePhasesAndAGap(t *testing.T) {
	k := kit(t, 0)
	a := strongest(k.Appliances)
	h := appliance.Household{RateHz: rate, MainsHz: 50, Volts: 230, Appliances: []appliance.Appliance{a}, NoiseA: 0.002, Seed: 2}
	lb, err := h.Frames(4*rate, []appliance.Switch{{Sample: rate, On: true}, {Sample: 3 * rate}})
	if err != nil {
		t.Fatal(err)
	}
	frames := make([]float64, 0, 6*4*rate)
	for s := range int(4 * rate) {
		th := 2 * math.Pi * 50 * float64(s) / rate
		u := func(shift float64) float64 { return 230 * math.Sqrt2 * math.Sin(th-shift) }
		// L2 is the household; L1 leads it by 120°, L3 lags it by 120°.
		frames = append(frames, u(-2*math.Pi/3), 0, lb[2*s], lb[2*s+1], u(2*math.Pi/3), 0)
	}
	r := newRig(t, frames, [3]bool{true, true, true}, nilm.Config{Library: library(t, k, 1), PublicKey: &k.Key.PublicKey})
	r.run(1500 * time.Millisecond)
	r.drv.Skip(t0.Add(2500 * time.Millisecond))
	r.now = t0.Add(2500 * time.Millisecond)
	r.run(1500 * time.Millisecond)
	ev := r.mod.Events()
	if len(ev) != 2 {
		t.Fatalf("events %+v, want on and off", ev)
	}
	for i, want := range []time.Duration{time.Second, 3 * time.Second} {
		if d := ev[i].At.Sub(t0.Add(want)); ev[i].Phase != 2 || d < -20*time.Millisecond || d > 100*time.Millisecond || ev[i].On != (i == 0) {
			t.Errorf("event %d: %+v, want phase 2 at %v", i, ev[i], want)
		}
	}
}
