package wave

import (
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

var t0 = time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)

func synthetic(t *testing.T) []appliance.Appliance {
	t.Helper()
	apps, err := appliance.Synthetic(testRate, Mains, Voltage)
	if err != nil {
		t.Fatal(err)
	}
	return apps
}

// testRate keeps the tests quick under -race: 80 samples a cycle.
const testRate = 4000

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
	wh, varh := Energy(uses, switches, end)
	if len(switches) < 40/raceScale {
		t.Fatalf("only %d switches until %v", len(switches), end)
	}
	if got := registered(d); math.Abs(got-wh) > 1e-3*wh+window(2400) {
		t.Fatalf("+A %v Wh, appliances used %v Wh", got, wh)
	}
	// Only the motor draws Q1, lagging: quadrant I.
	if got := d.View().Registers().Reactive[metrology.QI].Wh(); varh < 1 || math.Abs(got-varh) > 1e-3*varh+window(187.5) {
		t.Fatalf("+Ri %v varh, the motor drew %v varh", got, varh)
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

// A household of every PLAID appliance (the first switch-on cycle of
// each, re-timed to 50 Hz at 8 kHz), all on, registers Σ P × t and the
// net Σ Q1 × t in its quadrant.
func TestPLAIDAppliances(t *testing.T) {
	ds := plaidDir(t)
	apps, err := appliance.FromDataset(ds, 1, 8000, Mains)
	if err != nil {
		t.Fatal(err)
	}
	uses, err := Household(apps, Habits{}, 11, 2)
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
	span := 2 * time.Minute / raceScale
	if err := d.Advance(t0.Add(span), true); err != nil {
		t.Fatal(err)
	}
	var p, q float64
	for _, u := range uses {
		p += u.Appliance.PowerAt(Voltage)
		q += u.Appliance.ReactiveAt(Voltage)
	}
	if want := p * span.Hours(); math.Abs(registered(d)-want) > 2e-3*want+window(p) {
		t.Fatalf("+A %v Wh, want %v (%v W of %d appliances)", registered(d), want, p, len(uses))
	}
	r := d.View().Registers()
	got := r.Reactive[metrology.QI].Wh()
	if q < 0 {
		got = -r.Reactive[metrology.QIV].Wh()
	}
	if want := q * span.Hours(); math.Abs(got-want) > 2e-3*math.Abs(want)+window(math.Abs(q)) {
		t.Fatalf("Q1 %v varh, want %v (%v var)", got, want, q)
	}
}

// tapLog keeps what a tap is handed.
type tapLog struct {
	firsts []int64
	frames int64
	wh     float64 // Σ u·i over the frames, at testRate
}

func (l *tapLog) Samples(first int64, frames []float64) {
	l.firsts = append(l.firsts, first)
	l.frames += int64(len(frames) / 2)
	for k := 0; k < len(frames); k += 2 {
		l.wh += frames[k] * frames[k+1] / testRate / 3600
	}
}

// The tap sees every frame the core measures, numbered from the start,
// with zero current while disconnected and a gap where the meter was off.
func TestTapSeesTheCoresFrames(t *testing.T) {
	heater := synthetic(t)[0]
	d, err := New(Config{Rate: testRate, Start: t0, Uses: []Use{{Appliance: heater}}})
	if err != nil {
		t.Fatal(err)
	}
	var l tapLog
	d.SetTap(&l)
	if err := d.Advance(t0.Add(3*time.Second), true); err != nil {
		t.Fatal(err)
	}
	if err := d.Advance(t0.Add(4*time.Second), false); err != nil {
		t.Fatal(err)
	}
	if l.frames != 4*testRate || math.Abs(l.wh-2000*3/3600.0) > 1e-9 {
		t.Fatalf("%d frames, %v Wh: want %d frames, %v Wh", l.frames, l.wh, 4*testRate, 2000*3/3600.0)
	}
	d.Skip(t0.Add(10 * time.Second))
	if err := d.Advance(t0.Add(11*time.Second), true); err != nil {
		t.Fatal(err)
	}
	if last := l.firsts[len(l.firsts)-1]; last != 10*testRate || l.frames != 5*testRate {
		t.Fatalf("after the skip: frames from %d, %d in all", last, l.frames)
	}
}
