package ami

import (
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/web"
)

// The breakdown holds each switch-on's power step until the switch-off,
// within the range: a fridge running since before it, a kettle inside
// it, a heater still on at its end.
func TestBreakdown(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	ev := func(at time.Duration, id uint16, on bool, w int32) store.Reading {
		return store.Reading{Meter: 1, Channel: meterdata.ApplianceLog, Time: t0.Add(at).UnixMilli(),
			Value: meterdata.ApplianceEvent{Appliance: id, On: on, DeltaW: w, Confidence: 900, Phase: 1}.Value()}
	}
	rs := []store.Reading{
		ev(-10*time.Minute, 1, true, 120), // fridge, on before the range
		ev(0, 2, true, 2000),              // kettle
		ev(3*time.Minute, 2, false, -2000),
		ev(10*time.Minute, 1, false, -120),
		ev(30*time.Minute, 3, true, 1500), // heater, on at the end
		ev(40*time.Minute, 0, true, 60),   // something unknown
		ev(50*time.Minute, 0, false, -60),
	}
	labels := map[uint16]string{1: "fridge", 2: "kettle", 3: "heater"}
	got := breakdown(rs, labels, t0, t0.Add(time.Hour), 1000)
	want := []web.ApplianceEnergy{
		{Appliance: "heater", EnergyWh: 750, Share: 0.75, Events: 1},
		{Appliance: "kettle", EnergyWh: 100, Share: 0.1, Events: 1},
		{Appliance: "fridge", EnergyWh: 20, Share: 0.02, Events: 0},
		{Appliance: "unknown", EnergyWh: 10, Share: 0.01, Events: 1},
	}
	if len(got) != len(want) {
		t.Fatalf("breakdown %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Appliance != w.Appliance || g.Events != w.Events || math.Abs(g.EnergyWh-w.EnergyWh) > 1e-9 || math.Abs(g.Share-w.Share) > 1e-12 {
			t.Errorf("%d: %+v, want %+v", i, g, w)
		}
	}
	// A register that says less than the appliances: shares of their sum.
	if got := breakdown(rs, labels, t0, t0.Add(time.Hour), 0); math.Abs(got[0].Share-750.0/880) > 1e-12 {
		t.Errorf("share without the register: %g", got[0].Share)
	}
}
