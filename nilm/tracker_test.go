package nilm

import "testing"

func TestTrackerEnergy(t *testing.T) {
	tr := NewTracker()
	tr.Observe(0, Result{Label: "kettle", State: On}, 2000)
	tr.Observe(60, Result{Label: "lamp", State: On}, 60)
	tr.Observe(180, Result{Label: "kettle", State: Off}, 2000)
	tr.Observe(200, Result{Label: Unknown, State: On}, 5)
	tr.Observe(240, Result{Label: "fridge", State: Off}, 100) // never seen on: nothing to close
	u := tr.Usage(3660)
	want := []Usage{
		{Label: "fridge", Switches: 1},
		{Label: "kettle", EnergyWh: 100, Switches: 2},                    // 2 kW for 3 min
		{Label: "lamp", On: true, PowerW: 60, EnergyWh: 60, Switches: 1}, // 60 W for 1 h
	}
	if len(u) != len(want) {
		t.Fatalf("Usage = %+v, want %+v", u, want)
	}
	for k := range want {
		if u[k] != want[k] {
			t.Errorf("Usage[%d] = %+v, want %+v", k, u[k], want[k])
		}
	}
	if tr.Unknown() != 1 {
		t.Errorf("Unknown() = %d, want 1", tr.Unknown())
	}
	ivs := tr.Intervals(3660)
	if len(ivs) != 2 || ivs[0].Label != "kettle" || ivs[0].ToS != 180 || ivs[1].Label != "lamp" || ivs[1].ToS != 3660 {
		t.Errorf("Intervals = %+v", ivs)
	}
}
