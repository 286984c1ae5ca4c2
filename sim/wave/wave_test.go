package wave

import (
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

var t0 = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

func synthetic(t *testing.T) []Appliance {
	t.Helper()
	apps, err := Synthetic(testRate)
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// testRate keeps the tests quick under -race: 80 samples a cycle.
const testRate = 4000

// The built-in appliances draw their nominal powers (analytic: P = U·I1·cos φ).
func TestSyntheticPowers(t *testing.T) {
	want := map[string][2]float64{"heater": {2000, 0}, "motor": {250, 187.5}, "lamp": {10, 0}}
	for _, a := range synthetic(t) {
		w, ok := want[a.Name]
		if !ok {
			if a.Name != "smps" || a.P < 50 || a.P > 250 || math.Abs(a.Q1) > 1e-9 {
				t.Errorf("%s: P %v W, Q1 %v var", a.Name, a.P, a.Q1)
			}
			continue
		}
		if math.Abs(a.P-w[0]) > 1e-9 || math.Abs(a.Q1-w[1]) > 1e-9 {
			t.Errorf("%s: P %v W, Q1 %v var, want %v", a.Name, a.P, a.Q1, w)
		}
	}
	if _, err := Synthetic(8001); err == nil {
		t.Fatal("a rate that is not a multiple of 50 Hz accepted")
	}
}

// registered is the +A the driver's core has registered, in Wh.
func registered(d *Driver) float64 { return d.View().Registers().ActiveImport.Wh() }

// window is the energy of one 200 ms analysis window at p watts, in Wh:
// the core books energy a whole window at a time.
func window(p float64) float64 { return p * 0.2 / 3600 }

func TestAlwaysOnHeaterRegistersItsEnergy(t *testing.T) {
	heater := synthetic(t)[0]
	d, err := New(Config{Rate: testRate, Start: t0, Uses: []Use{{Appliance: heater}}})
	if err != nil {
		t.Fatal(err)
	}
	span := 3 * time.Minute / raceScale
	if err := d.Advance(t0.Add(span), true); err != nil {
		t.Fatal(err)
	}
	want := 2000 * span.Hours()
	if got := registered(d); math.Abs(got-want) > 5e-4*want+window(2000) {
		t.Fatalf("+A %v Wh, want %v", got, want)
	}
	before := registered(d)
	if err := d.Advance(t0.Add(span+time.Minute/raceScale), false); err != nil {
		t.Fatal(err)
	}
	if got := registered(d) - before; got > window(2000) {
		t.Fatalf("disconnected: +%v Wh", got)
	}
}

// A household's registered energy is the sum of each appliance's power
// times the time it was on, by the switches the driver reported.
func TestHouseholdRegistersItsAppliances(t *testing.T) {
	apps := synthetic(t)
	uses := make([]Use, len(apps))
	for i, a := range apps {
		uses[i] = Use{Appliance: a, OnMean: 10 * time.Second, OffMean: 20 * time.Second}
	}
	var switches []Switch
	cfg := Config{Rate: testRate, Start: t0, Uses: uses, Seed: 3, Meter: 1, OnSwitch: func(s Switch) { switches = append(switches, s) }}
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	end := t0.Add(8 * time.Minute / raceScale)
	// In uneven steps, as a scheduler and a reader's catch-up would.
	for at := t0; at.Before(end); at = at.Add(37 * time.Second) {
		if err := d.Advance(at, true); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Advance(end, true); err != nil {
		t.Fatal(err)
	}
	// The switches from the start (the initial states are switch-ons at
	// the start) are the whole story.
	wh := Energy(uses, switches, end)
	if len(switches) < 40/raceScale {
		t.Fatalf("only %d switches until %v", len(switches), end)
	}
	if got := registered(d); math.Abs(got-wh) > 1e-3*wh+window(2400) {
		t.Fatalf("+A %v Wh, appliances used %v Wh", got, wh)
	}
	// The same seed switches the same way.
	var replay []Switch
	cfg.OnSwitch = func(s Switch) { replay = append(replay, s) }
	r, _ := New(cfg)
	r.Skip(end)
	for i := range replay {
		if i >= len(switches) || replay[i] != switches[i] {
			t.Fatalf("switch %d differs on replay: %+v", i, replay[i])
		}
	}
}

func plaidDir(t *testing.T) *plaid.Dataset {
	t.Helper()
	ds, err := plaid.Load(testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// Every PLAID appliance comes out as a 50 Hz cycle at the meter's rate
// whose RMS is the recording's (band-limited, DC dropped, scaled to
// 230 V), and a household of them registers their energy.
func TestPLAIDAppliances(t *testing.T) {
	ds := plaidDir(t)
	apps, err := FromPLAID(ds, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != len(ds.Labels()) {
		t.Fatalf("%d appliances for %d labels", len(apps), len(ds.Labels()))
	}
	for _, a := range apps {
		var orig []float64
		var v float64
		for _, e := range ds.Events {
			if "plaid-"+e.Label == a.Name && e.On {
				orig, v = e.Current, rms(e.Voltage)
				break
			}
		}
		var mean float64
		for _, x := range orig {
			mean += x / float64(len(orig))
		}
		var ac float64
		for _, x := range orig {
			ac += (x - mean) * (x - mean) / float64(len(orig))
		}
		want := math.Sqrt(ac) * v / Voltage
		if got := rms(a.Current); math.Abs(got-want) > 0.03*want+1e-3 {
			t.Errorf("%s: RMS %v A, want %v", a.Name, got, want)
		}
		if a.P < -1 || a.P > 3000 {
			t.Errorf("%s: P %v W", a.Name, a.P)
		}
	}
	uses, err := Household(apps, 11, 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range uses {
		uses[i].OffMean = 0 // all on, so the truth is Σ P × t
	}
	d, err := New(Config{Start: t0, Uses: uses})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Advance(t0.Add(2*time.Minute), true); err != nil {
		t.Fatal(err)
	}
	var p float64
	for _, u := range uses {
		p += u.Appliance.P
	}
	want := p * 2 / 60
	if got := registered(d); math.Abs(got-want) > 2e-3*want+window(p) {
		t.Fatalf("+A %v Wh, want %v (%v W of %v)", got, want, p, Labels(apps))
	}
}
