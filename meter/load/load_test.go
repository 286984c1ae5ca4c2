package load

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/testenv"
)

func TestConstantAndPV(t *testing.T) {
	p := Constant{W: 1000, PF: 0.8}.Power(time.Time{})
	ph := p.Phases[0]
	if ph.P != 1000 || math.Abs(ph.S-1250) > 1e-9 || math.Abs(ph.Q1-750) > 1e-9 || math.Abs(ph.I-1250/230.0) > 1e-12 {
		t.Fatalf("constant %+v", ph)
	}
	noon := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	if got := (PV{Peak: 3000}).Power(noon).Phases[0].P; math.Abs(got+3000) > 1e-9 {
		t.Fatalf("PV at noon %v W", got)
	}
	if got := (PV{Peak: 3000}).Power(noon.Add(-7 * time.Hour)).Phases[0].P; got != 0 {
		t.Fatalf("PV at 05:00 %v W", got)
	}
	sum := Sum{Constant{W: 500}, PV{Peak: 3000}}.Power(noon)
	if p, _, _ := sum.Total(); math.Abs(p+2500) > 1e-9 {
		t.Fatalf("sum %v W", p)
	}
}

func TestParse(t *testing.T) {
	for spec, ok := range map[string]bool{
		"constant:1000": true, "constant:1000,0.9": true, "pv:3000": true, "constant:1000+pv:2000": true,
		"constant:x": false, "constant:10,1.5": false, "pv:-1": false, "wind:100": false,
	} {
		_, err := Parse(spec, testenv.SharedData())
		if (err == nil) != ok || (err != nil && !errors.Is(err, ErrSpec)) {
			t.Errorf("Parse(%q): %v", spec, err)
		}
	}
}

func TestAMPdsKeepsHourlyEnergy(t *testing.T) {
	testenv.SharedFile(t, AMPdsFile)
	a, err := LoadAMPds(testenv.SharedData(), "WHE")
	if err != nil {
		t.Fatal(err)
	}
	if a.Hours() != 17521 { // 17,519 rows and two missing hours
		t.Fatalf("%d hours", a.Hours())
	}
	// The first hour ends at 1333263600 with 1514 Wh in the whole house.
	h0 := time.Unix(1333263600-3600, 0)
	if got := a.HourWh(h0); got != 1514 {
		t.Fatalf("first hour %v Wh", got)
	}
	// Summing per-second power over the hour gives its Wh exactly (the
	// ripple averages out), and the dataset loops.
	for _, start := range []time.Time{h0, h0.Add(time.Duration(a.Hours()) * time.Hour)} {
		var ws float64
		for s := range 3600 {
			ws += a.Power(start.Add(time.Duration(s) * time.Second)).Phases[0].P
		}
		if math.Abs(ws/3600-1514) > 1e-6 {
			t.Fatalf("hour from %v: %v Wh", start, ws/3600)
		}
	}
	if _, err := ReadAMPds(strings.NewReader("TimeStamp,WHE\n10,5\n20,5\n"), "x.csv", "WHE"); err == nil {
		t.Fatal("non-hourly timestamps accepted")
	}
	if _, err := ReadAMPds(strings.NewReader("TimeStamp,WHE\n"), "x.csv", "XYZ"); err == nil {
		t.Fatal("missing column accepted")
	}
}

// An EV charges W for its hours each day, across midnight too: a day's
// energy through the fast driver's one-second steps is W × hours exactly.
func TestEV(t *testing.T) {
	m, err := Parse("ev:11000,23:30,2.5", "")
	if err != nil {
		t.Fatal(err)
	}
	ev := m.(EV)
	if ev != (EV{W: 11000, Start: 23*time.Hour + 30*time.Minute, Duration: 150 * time.Minute}) {
		t.Fatalf("parsed %+v", ev)
	}
	day := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	var ws float64
	for s := range 24 * 3600 {
		ws += ev.Power(day.Add(time.Duration(s) * time.Second)).Phases[0].P
	}
	if ws/3600 != 11000*2.5 {
		t.Fatalf("a day's charge %v Wh", ws/3600)
	}
	for at, on := range map[time.Duration]bool{0: true, 119 * time.Minute: true, 2 * time.Hour: false, 23 * time.Hour: false, 23*time.Hour + 31*time.Minute: true} {
		if got := ev.Power(day.Add(at)).Phases[0].P > 0; got != on {
			t.Errorf("at %v charging %v", at, got)
		}
	}
	if d, _ := Parse("ev", ""); d != DefaultEV {
		t.Fatalf("ev: %+v", d)
	}
	for _, bad := range []string{"ev:0", "ev:7400,25:00", "ev:7400,22:00,30", "ev:1,2,3,4"} {
		if _, err := Parse(bad, ""); !errors.Is(err, ErrSpec) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
