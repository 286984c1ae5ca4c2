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
	if tr.Unknown() != 1 || tr.ModeChanges() != 0 {
		t.Errorf("Unknown() = %d, ModeChanges() = %d; want 1, 0", tr.Unknown(), tr.ModeChanges())
	}
	ivs := tr.Intervals(3660)
	if len(ivs) != 2 || ivs[0].Label != "kettle" || ivs[0].ToS != 180 || ivs[1].Label != "lamp" || ivs[1].ToS != 3660 {
		t.Errorf("Intervals = %+v", ivs)
	}
}

func TestTrackerTakesUnknownSwitchOffAsModeChange(t *testing.T) {
	tr := NewTracker()
	tr.Observe(0, Result{Label: "heater", State: On}, 1800)
	tr.Observe(0, Result{Label: "lamp", State: On}, 60)
	// 1300 W disappear, recognised by nobody: only the heater can have
	// dropped that much, to 500 W.
	tr.Observe(360, Result{Label: Unknown, State: Off}, 1300)
	tr.Observe(720, Result{Label: "heater", State: Off}, 500)
	u := tr.Usage(720)
	if u[0].Label != "heater" || u[0].EnergyWh != 1800*0.1+500*0.1 {
		t.Errorf("heater usage = %+v, want 180 Wh + 50 Wh", u[0])
	}
	if tr.ModeChanges() != 1 {
		t.Errorf("ModeChanges() = %d, want 1", tr.ModeChanges())
	}
}
