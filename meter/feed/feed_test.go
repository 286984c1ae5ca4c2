package feed

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/load"
	"github.com/amigo-ami/amigo/metrology/samplecsv"
	"github.com/amigo-ami/amigo/metrology/signal"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func TestFastIsExact(t *testing.T) {
	f, err := NewFast(load.Constant{W: 3600}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Advance(t0.Add(90*time.Minute+500*time.Millisecond), true); err != nil {
		t.Fatal(err)
	}
	// 3.6 kW for 5400.5 s = 5400.5 Wh exactly, in µWh.
	if got := f.View().Registers().ActiveImport; got != 5_400_500_000 {
		t.Fatalf("+A %d µWh", got)
	}
	if err := f.Advance(t0.Add(2*time.Hour), false); err != nil {
		t.Fatal(err)
	}
	if got := f.View().Registers().ActiveImport; got != 5_400_500_000 {
		t.Fatalf("energy while disconnected: %d µWh", got)
	}
	if u := f.View().Instant().Phases[0].U; u != load.Voltage {
		t.Fatalf("voltage while disconnected %v", u)
	}
	f.Skip(t0.Add(3 * time.Hour))
	f.Advance(t0.Add(3*time.Hour+time.Second), true)
	if got := f.View().Registers().ActiveImport; got != 5_401_500_000 {
		t.Fatalf("after a skip: %d µWh", got)
	}
}

// writeSine writes one second of a 230 V, 10 A, PF 1 single-phase signal
// at 8 kHz (2300 W) as a sample file.
func writeSine(t *testing.T) string {
	t.Helper()
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{{U: signal.Sine(230, 0), I: signal.Sine(10, 0)}}}
	frames, err := s.Samples(8000)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sine.csv")
	fh, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := samplecsv.NewWriter(fh, s.Present())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(frames); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWaveformRunsTheRealCore(t *testing.T) {
	frames, phases, err := ReadSamples(writeSine(t))
	if err != nil {
		t.Fatal(err)
	}
	if phases != [3]bool{true, false, false} || len(frames) != 16000 {
		t.Fatalf("read %d values, phases %v", len(frames), phases)
	}
	w, err := NewWaveform(frames, phases, 8000, t0)
	if err != nil {
		t.Fatal(err)
	}
	// Ten seconds: the one-second file looped ten times.
	if err := w.Advance(t0.Add(10*time.Second), true); err != nil {
		t.Fatal(err)
	}
	got := w.View().Registers().ActiveImport.Wh()
	// The core registers whole windows (200 ms); allow one window.
	if want := 2300 * 10.0 / 3600; math.Abs(got-want) > 2300*0.2/3600+1e-3 {
		t.Fatalf("+A %v Wh, want %v", got, want)
	}
	if p := w.View().Instant().Phases[0].P; math.Abs(p-2300) > 2300*2e-4 {
		t.Fatalf("P %v W", p)
	}
	before := w.View().Registers().ActiveImport
	if err := w.Advance(t0.Add(20*time.Second), false); err != nil {
		t.Fatal(err)
	}
	after := w.View().Registers().ActiveImport
	if d := (after - before).Wh(); d > 2300*0.2/3600+1e-3 {
		t.Fatalf("disconnected: +%v Wh", d)
	}
	if _, err := NewWaveform(frames[:3], phases, 8000, t0); err == nil {
		t.Fatal("a partial frame accepted")
	}
}

// A longer Step reads the model less often and integrates the same
// constant power exactly.
func TestFastStep(t *testing.T) {
	f, err := NewFast(load.Constant{W: 3600}, t0)
	if err != nil {
		t.Fatal(err)
	}
	f.Step = time.Minute
	if err := f.Advance(t0.Add(90*time.Minute+500*time.Millisecond), true); err != nil {
		t.Fatal(err)
	}
	if got := f.View().Registers().ActiveImport; got != 5_400_500_000 {
		t.Fatalf("+A %d µWh", got)
	}
}

// recorder is a tap that keeps what it saw and then scribbles over it.
type recorder struct {
	firsts []int64
	frames []float64
}

func (r *recorder) Samples(first int64, frames []float64) {
	r.firsts = append(r.firsts, first)
	r.frames = append(r.frames, frames...)
	clear(frames) // a tap's writes must not reach the core
}

func TestTapSeesWhatTheCoreMeasures(t *testing.T) {
	frames, phases, err := ReadSamples(writeSine(t))
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWaveform(frames, phases, 8000, t0)
	if err != nil {
		t.Fatal(err)
	}
	var r recorder
	w.SetTap(&r)
	if err := w.Advance(t0.Add(1500*time.Millisecond), true); err != nil {
		t.Fatal(err)
	}
	// 12,000 frames: the file once and half of it again, in order.
	if len(r.frames) != 24000 || r.firsts[0] != 0 {
		t.Fatalf("tap saw %d values, first chunk at %d", len(r.frames), r.firsts[0])
	}
	for k := range 24000 {
		if r.frames[k] != frames[k%16000] {
			t.Fatalf("value %d: tap saw %v, file has %v", k, r.frames[k], frames[k%16000])
		}
	}
	for k := 1; k < len(r.firsts); k++ {
		if r.firsts[k] <= r.firsts[k-1] {
			t.Fatalf("chunk %d starts at %d after %d", k, r.firsts[k], r.firsts[k-1])
		}
	}
	if p := w.View().Instant().Phases[0].P; math.Abs(p-2300) > 2300*2e-4 {
		t.Fatalf("P %v W after the tap cleared its copy", p)
	}
	w.Skip(t0.Add(2 * time.Second))
	r = recorder{}
	if err := w.Advance(t0.Add(2100*time.Millisecond), false); err != nil {
		t.Fatal(err)
	}
	if r.firsts[0] != 16000 || len(r.frames) != 1600 {
		t.Fatalf("after a skip: first %d, %d values", r.firsts[0], len(r.frames))
	}
	for k := 1; k < len(r.frames); k += 2 {
		if r.frames[k] != 0 {
			t.Fatalf("disconnected: current %v at frame %d", r.frames[k], k/2)
		}
	}
}
