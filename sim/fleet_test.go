package sim

import (
	"context"
	"math"
	"testing"
	"testing/synctest"
	"time"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/sim/wave"
)

var t0 = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

// dataDir is the shared data directory from this package.
func dataDir() string { return testenv.SharedData() }

// lp15 returns a meter's 15-minute profile rows: time and +A (Wh).
func lp15(m *meter.Meter) (times []time.Time, imports []int64) {
	m.Read(meter.LP15, func(p *profile.Profile) {
		for i := range p.Len() {
			times = append(times, time.Unix(profile.Unpack(p.Value(i, 0)).Unix, 0).UTC())
			imports = append(imports, p.Value(i, 2))
		}
	})
	return times, imports
}

func TestTemplateParses(t *testing.T) {
	tmpl := Template()
	if len(tmpl.Meter.Push) != 3 || !tmpl.Meter.Push[1].LastGasp || len(PushSetups()[2].Objects) != 3 {
		t.Fatalf("template push setups %+v", tmpl.Meter.Push)
	}
}

// A thousand meters on a clock 3600 times faster than the wall (under
// synctest's fake time) each capture a 15-minute profile entry exactly at
// every quarter hour, holding exactly the energy of their constant load,
// and are stepped at their duties, not every second.
func TestThousandMetersUnderAcceleratedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const meters = 1000
		f, err := New(Config{Meters: meters, Start: t0, Speed: 3600, Load: "constant:3600"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- f.Run(ctx) }()
		time.Sleep(time.Hour/3600 + time.Millisecond) // one simulated hour
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for k := range meters {
			times, imports := lp15(f.Meter(k))
			if len(times) != 4 {
				t.Fatalf("meter %d: %d profile entries after an hour: %v", k, len(times), times)
			}
			for i, at := range times {
				if want := t0.Add(time.Duration(i+1) * 15 * time.Minute); !at.Equal(want) {
					t.Fatalf("meter %d: entry %d at %v, want %v", k, i, at, want)
				}
				if want := int64(900 * (i + 1)); imports[i] != want {
					t.Fatalf("meter %d: entry %d: +A %d Wh, want %d", k, i, imports[i], want)
				}
			}
		}
		st := f.Stats()
		if st.Steps > meters*20 {
			t.Fatalf("%d steps for %d meters in an hour", st.Steps, meters)
		}
		if d := st.Now.Sub(t0.Add(time.Hour)); math.Abs(d.Seconds()) > 4 {
			t.Fatalf("clock at %v", st.Now)
		}
	})
}

// A waveform meter registers the energy of its household's appliances:
// the sum of each one's power times the time it was on, by the switches
// the fleet reports (the ground truth a NILM module is scored against).
func TestWaveformMeterRegistersItsAppliances(t *testing.T) {
	apps, err := appliance.Synthetic(4000, wave.Mains, wave.Voltage)
	if err != nil {
		t.Fatal(err)
	}
	var switches []wave.Switch
	f, err := New(Config{Meters: 3, Waveform: 1, WaveRate: 4000, Appliances: apps, Start: t0, Seed: 21,
		OnSwitch: func(k int, s wave.Switch) {
			if k != 0 {
				t.Errorf("meter %d is not a waveform meter", k)
			}
			switches = append(switches, s)
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	uses, _ := wave.Household(apps, wave.Habits{}, 21, 0) // with this seed appliances switch on and off early on
	end := t0.Add(15 * time.Minute)                       // a profile capture: the fleet steps the meter then
	for at := t0; !at.After(end); at = at.Add(5 * time.Minute) {
		f.AdvanceTo(at)
	}
	wh, _ := wave.Energy(uses, switches, end)
	got := float64(f.Meter(0).Energy().Total[energy.ActiveImport])
	// Registers count whole Wh; the core books whole 200 ms windows.
	if len(switches) < 3 || wh < 50 || math.Abs(got-wh) > 1+2e-3*wh {
		t.Fatalf("+A %v Wh, the appliances used %.2f Wh (%d switches)", got, wh, len(switches))
	}
	t.Logf("+A %v Wh, the appliances used %.2f Wh (%d switches)", got, wh, len(switches))
}
