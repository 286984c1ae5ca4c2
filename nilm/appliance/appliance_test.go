package appliance

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/metrology/samplecsv"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

func sine(m int, peak, phase float64) []float64 {
	x := make([]float64, m)
	for k := range x {
		x[k] = peak * math.Sin(2*math.Pi*float64(k)/float64(m)-phase)
	}
	return x
}

// TestFramesSumsWhatIsOn plays a 10 A heater and a 2 A load lagging 60°
// at 230 V: per cycle, P is 2300 W, then 2530 W, then 230 W.
func TestFramesSumsWhatIsOn(t *testing.T) {
	h := Household{RateHz: 8000, MainsHz: 50, Volts: 230, Appliances: []Appliance{
		{Label: "heater", Current: sine(160, 10*math.Sqrt2, 0)},
		{Label: "motor", Current: sine(160, 2*math.Sqrt2, math.Pi/3)},
	}}
	sw := []Switch{{Sample: 160, Appliance: 0, On: true}, {Sample: 320, Appliance: 1, On: true}, {Sample: 480, Appliance: 0}}
	f, err := h.Frames(640, sw)
	if err != nil {
		t.Fatal(err)
	}
	if len(f) != 1280 {
		t.Fatalf("%d values for 640 frames", len(f))
	}
	for c, want := range []float64{0, 2300, 2530, 230} {
		var p float64
		for k := c * 160; k < (c+1)*160; k++ {
			p += f[2*k] * f[2*k+1] / 160
		}
		if math.Abs(p-want) > 1e-9 {
			t.Errorf("cycle %d: P %v W, want %v", c, p, want)
		}
	}
	if p := h.Appliances[1].PowerAt(230); math.Abs(p-230) > 1e-9 {
		t.Errorf("the motor draws %v W at 230 V, want 230", p)
	}
	if f[2*40] != 230*math.Sqrt2 { // a quarter cycle in: the voltage peak
		t.Errorf("u at a quarter cycle %v", f[80])
	}
}

func TestFramesRejects(t *testing.T) {
	ok := []Appliance{{Label: "a", Current: make([]float64, 160)}}
	for name, tc := range map[string]struct {
		h  Household
		sw []Switch
	}{
		"rate not a multiple": {Household{RateHz: 8001, MainsHz: 50, Appliances: ok}, nil},
		"cycle too short":     {Household{RateHz: 8000, MainsHz: 50, Appliances: []Appliance{{Current: make([]float64, 100)}}}, nil},
		"unknown appliance":   {Household{RateHz: 8000, MainsHz: 50, Appliances: ok}, []Switch{{Appliance: 1}}},
		"switches unsorted":   {Household{RateHz: 8000, MainsHz: 50, Appliances: ok}, []Switch{{Sample: 5}, {Sample: 4}}},
	} {
		if _, err := tc.h.Frames(10, tc.sw); !errors.Is(err, ErrHousehold) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSchedule(t *testing.T) {
	sw, end := Schedule(5, 100, 1000, 50, 7)
	if len(sw) != 10 || end != 100+10*1000 {
		t.Fatalf("%d switches, end %d", len(sw), end)
	}
	seen := map[int]int{}
	for k, s := range sw {
		if k > 0 && s.Sample-sw[k-1].Sample < 1000-50 {
			t.Errorf("switches %d and %d only %d samples apart", k-1, k, s.Sample-sw[k-1].Sample)
		}
		if s.On != (seen[s.Appliance] == 0) {
			t.Errorf("appliance %d: switch %d is on=%v", s.Appliance, seen[s.Appliance], s.On)
		}
		seen[s.Appliance]++
	}
	again, _ := Schedule(5, 100, 1000, 50, 7)
	for k := range sw {
		if sw[k] != again[k] {
			t.Fatal("the same seed drew another schedule")
		}
	}
}

func TestSequence(t *testing.T) {
	sw, end := Sequence(10, 4, 100, 1000, 0, 3)
	if len(sw) != 20 || end != 3*100+(8+8+4)*1000 {
		t.Fatalf("%d switches, end %d", len(sw), end)
	}
	on := map[int]bool{}
	homeStart := int64(0)
	for k, s := range sw {
		if k > 0 && s.Sample < sw[k-1].Sample {
			t.Fatalf("switch %d before switch %d", k, k-1)
		}
		if on[s.Appliance] == s.On {
			t.Fatalf("switch %d: appliance %d already on=%v", k, s.Appliance, s.On)
		}
		on[s.Appliance] = s.On
		running := 0
		for _, o := range on {
			if o {
				running++
			}
		}
		if running == 0 {
			homeStart = s.Sample
		}
		if running > 4 {
			t.Fatalf("switch %d: %d appliances on in a household of 4", k, running)
		}
	}
	if len(on) != 10 || homeStart != sw[len(sw)-1].Sample {
		t.Fatalf("%d appliances switched; the stream does not end empty", len(on))
	}
}

func TestFromPLAID(t *testing.T) {
	ds, err := plaid.Load(testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	a, err := FromPLAID(&ds.Events[0], 8000, 50)
	if err != nil {
		t.Fatal(err)
	}
	if a.Label != ds.Events[0].Label || len(a.Current) != 160 {
		t.Fatalf("%s: %d samples", a.Label, len(a.Current))
	}
	if _, err := FromPLAID(&ds.Events[0], 8000, 60); !errors.Is(err, ErrHousehold) {
		t.Errorf("8 kHz on 60 Hz: %v", err)
	}
}

func TestWriteCSVReadsBack(t *testing.T) {
	frames := []float64{1.5, -0.25, 325.27, 1e-3}
	path := filepath.Join(t.TempDir(), "home.csv")
	if err := WriteCSV(path, frames); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := samplecsv.NewReader(f, path)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float64, 8)
	n, _ := r.Read(got)
	if r.Phases() != [3]bool{true} || n != 2 || !slices.Equal(got[:4], frames) {
		t.Fatalf("read back %d frames %v of phases %v", n, got[:2*n], r.Phases())
	}
	if err := WriteCSV(filepath.Join(t.TempDir(), "no", "such", "dir.csv"), frames); err == nil {
		t.Fatal("wrote into a missing directory")
	}
}

// The built-in appliances draw their nominal powers (P = U·I1·cos φ,
// Q1 = U·I1·sin φ; the supply's pulses integrated in closed form).
func TestSyntheticPowers(t *testing.T) {
	apps, err := Synthetic(4000, 50, 230)
	if err != nil {
		t.Fatal(err)
	}
	a := 2 * math.Sin(math.Pi/5)
	smps := 230 * math.Sqrt2 / math.Pi * 1.1 * (a + math.Sin(6*math.Pi/5)/6 + math.Sin(4*math.Pi/5)/4)
	want := map[string][3]float64{"heater": {2000, 0, 1e-9}, "motor": {250, 187.5, 1e-9}, "smps": {smps, 0, 1e-3}, "lamp": {60, 0, 1e-9}}
	for _, a := range apps {
		w := want[a.Label]
		if p, q := a.PowerAt(230), a.ReactiveAt(230); math.Abs(p-w[0]) > w[2]*w[0] || math.Abs(q-w[1]) > 1e-9*w[0] {
			t.Errorf("%s: P %v W, Q1 %v var, want %v W, %v var", a.Label, p, q, w[0], w[1])
		}
		delete(want, a.Label)
	}
	if len(want) != 0 {
		t.Errorf("missing %v", want)
	}
	if _, err := Synthetic(8001, 50, 230); !errors.Is(err, ErrHousehold) {
		t.Fatalf("8001 Hz: %v", err)
	}
}

// A stream played in uneven pieces, switched between them, gives the
// frames Frames gives for the same switches, noise included.
func TestStreamPlaysLikeFrames(t *testing.T) {
	apps, err := Synthetic(4000, 50, 230)
	if err != nil {
		t.Fatal(err)
	}
	h := Household{RateHz: 4000, MainsHz: 50, Volts: 230, Appliances: apps, NoiseV: 0.1, NoiseA: 0.002, Seed: 5}
	sw := []Switch{{Sample: 0, Appliance: 2, On: true}, {Sample: 37, Appliance: 0, On: true}, {Sample: 200, Appliance: 2}, {Sample: 201, Appliance: 1, On: true}}
	want, err := h.Frames(300, sw)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Stream()
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, w := range sw {
		got = s.Append(got, int(w.Sample-s.Sample()))
		s.Set(w.Appliance, w.On)
	}
	got = s.Append(got, 300-int(s.Sample()))
	if !slices.Equal(got, want) {
		t.Fatal("the stream played other frames")
	}
	// Skipping keeps the phase: frame 320, four whole cycles in, is the
	// voltage's rising zero crossing (plus 0.1 V of noise).
	s.Skip(20)
	next := s.Append(nil, 2)
	if math.Abs(next[0]) > 1 || next[2] < 10 || s.Sample() != 322 {
		t.Fatalf("frame 320 after a skip: u %v, sample %d", next[0], s.Sample())
	}
}

// FromDataset takes the first switch-on cycle of each PLAID appliance.
func TestFromDataset(t *testing.T) {
	ds, err := plaid.Load(testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	apps, err := FromDataset(ds, 1, 8000, 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != len(ds.Labels()) {
		t.Fatalf("%d appliances for %d labels", len(apps), len(ds.Labels()))
	}
	for _, a := range apps {
		k := slices.IndexFunc(ds.Events, func(e plaid.Event) bool { return e.On && e.Label == a.Label })
		want, _ := ds.Events[k].Retime(160)
		if !slices.Equal(a.Current, want) {
			t.Errorf("%s is not the re-timed first switch-on of its label", a.Label)
		}
	}
	if _, err := FromDataset(&plaid.Dataset{}, 1, 8000, 50); !errors.Is(err, ErrHousehold) {
		t.Errorf("an empty cut: %v", err)
	}
}
