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
