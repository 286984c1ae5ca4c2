package metrology_test

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// A multiplexed ADC samples each current half a sample period after its
// voltage: at 50 Hz and 8 kHz that is 1.125°, a 3.4 % error at PF 0.5.
// The calibrated Delay brings PF 0.5 back within the A3 budget (0.03 %).
// The voltages carry a small delay of their own, so channels fall into
// different delay groups.
func TestSkewCompensationRestoresPF05(t *testing.T) {
	const rate = 8000.0
	skewI, skewU := 1/(2*rate), 5e-6
	phases := signal.ThreePhase(signal.Phase{U: signal.Sine(230, 0), I: signal.Sine(5, signal.Deg(-60))}, false)
	for _, p := range phases {
		p.Skew = skewI - skewU
	}
	s := &signal.Signal{Rate: rate, Frequency: 50, Phases: phases}
	tr := s.Truth()

	worst := func(cal *metrology.Calibration) float64 {
		ms, _ := run(t, s, 0.8, metrology.Config{Calibration: cal})
		e := 0.0
		for _, m := range ms {
			e = math.Max(e, relErr(m.Total.P, tr.P))
		}
		return e
	}
	if e := worst(nil); e < 0.01 {
		t.Fatalf("uncompensated skew gives only %.2g error; the test would prove nothing", e)
	}
	cal := metrology.UnityCalibration()
	for p := range 3 {
		cal.I[p].Delay = skewI
		cal.U[p].Delay = skewU
	}
	// The generator delays only the current (by skewI − skewU); delaying
	// both channels by a further skewU leaves the same relative skew.
	if e := worst(&cal); e > 3e-4 {
		t.Errorf("compensated PF 0.5 error %.3g %%, budget 0.03 %%", 100*e)
	}
}

// Gain and offset: raw = true/gain + offset is corrected back to true.
func TestGainAndOffsetCorrection(t *testing.T) {
	p := signal.AnnexB()
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{&p}}
	x, err := s.Samples(8000)
	if err != nil {
		t.Fatal(err)
	}
	gu, ou, gi, oi := 1.0213, 0.37, 0.9871, -0.012
	for k := 0; k < len(x); k += 2 {
		x[k] = x[k]/gu + ou
		x[k+1] = x[k+1]/gi + oi
	}
	cal := metrology.UnityCalibration()
	cal.U[0] = metrology.ChannelCalibration{Gain: gu, Offset: ou}
	cal.I[0] = metrology.ChannelCalibration{Gain: gi, Offset: oi}
	core, err := metrology.New(metrology.Config{Rate: 8000, Phases: [3]bool{true}, Calibration: &cal})
	if err != nil {
		t.Fatal(err)
	}
	if err := core.Process(x); err != nil {
		t.Fatal(err)
	}
	m, _ := core.View().Measurement()
	if e := relErr(m.Phases[0].P, 8589.162); e > 1e-5 {
		t.Errorf("P %.4f (error %.2g)", m.Phases[0].P, e)
	}
	if dc := real(m.Phases[0].Harmonics[0].U); math.Abs(dc) > 1e-6 {
		t.Errorf("voltage DC %v after offset correction", dc)
	}
}

// The code checksum is SHA-256 over this package's non-test sources in the
// documented layout: recomputed here from the files on disk, it must match
// the embedded one (so no source is missing from it and no test is in it).
func TestCodeChecksumCoversSources(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".go") && !strings.HasSuffix(n, "_test.go") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		h.Write([]byte(n))
		h.Write([]byte{0})
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	var want [32]byte
	h.Sum(want[:0])
	if got := metrology.CodeChecksum(); got != want {
		t.Errorf("CodeChecksum = %s, files hash to %s", metrology.Hex(got), metrology.Hex(want))
	}
}

// Calibrate is the only way to change a parameter: it changes the
// parameter checksum and counter, never the code checksum, and the new
// gain applies to the samples that follow.
func TestCalibrateChangesIdentity(t *testing.T) {
	core, err := metrology.New(metrology.Config{Rate: 8000, Phases: [3]bool{true}})
	if err != nil {
		t.Fatal(err)
	}
	v := core.View()
	before := v.Identity()
	if before.SoftwareID != metrology.SoftwareID || before.Code != metrology.CodeChecksum() || before.Calibrations != 0 {
		t.Errorf("identity %+v", before)
	}
	cal := metrology.UnityCalibration()
	cal.I[0].Gain = 1.001
	after, err := core.Calibrate(cal)
	if err != nil {
		t.Fatal(err)
	}
	if after.Parameters == before.Parameters || after.Checksum == before.Checksum || after.Code != before.Code || after.Calibrations != 1 {
		t.Errorf("after Calibrate: %+v", after)
	}
	if v.Identity() != after {
		t.Error("view does not show the new identity")
	}
	same, _ := core.Calibrate(cal)
	if same.Parameters != after.Parameters || same.Calibrations != 2 {
		t.Errorf("recalibrating with the same values: %+v", same)
	}
	bad := cal
	bad.U[1].Gain = math.Inf(1)
	if _, err := core.Calibrate(bad); !errors.Is(err, metrology.ErrConfig) {
		t.Errorf("bad calibration: %v", err)
	}
	if v.Identity().Calibrations != 2 {
		t.Error("a rejected calibration counted")
	}

	p := signal.Phase{U: signal.Sine(230, 0), I: signal.Sine(5, 0)}
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{&p}}
	x, _ := s.Samples(8000)
	if err := core.Process(x); err != nil {
		t.Fatal(err)
	}
	m, _ := v.Measurement()
	if e := relErr(m.Phases[0].P, 1150*1.001); e > 1e-5 {
		t.Errorf("P = %v after gain 1.001, want %v", m.Phases[0].P, 1150*1.001)
	}
}

func TestCaptureReturnsLastCycles(t *testing.T) {
	p := signal.Phase{U: signal.Sine(230, 0), I: signal.HalfWave(7, 40)}
	s := &signal.Signal{Rate: 8000, Frequency: 50, Phases: [3]*signal.Phase{nil, &p}}
	x, _ := s.Samples(8000 * 3 / 4)
	cal := metrology.UnityCalibration()
	cal.I[1].Gain = 2
	core, err := metrology.New(metrology.Config{Rate: 8000, Phases: [3]bool{false, true}, Calibration: &cal, CaptureCycles: 5})
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < len(x); k += 2 * 333 { // arbitrary chunks wrap the ring
		if err := core.Process(x[k:min(len(x), k+2*333)]); err != nil {
			t.Fatal(err)
		}
	}
	w, err := core.View().Capture(3)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.U[1]) != 480 || len(w.I[1]) != 480 || w.U[0] != nil || !w.Present[1] || w.Rate != 8000 {
		t.Fatalf("capture: %d/%d samples, present %v", len(w.U[1]), len(w.I[1]), w.Present)
	}
	n := len(x) / 2
	for k := range 480 {
		frame := n - 480 + k
		if w.U[1][k] != x[2*frame] || w.I[1][k] != 2*x[2*frame+1] {
			t.Fatalf("sample %d: got %v/%v, want %v/%v", k, w.U[1][k], w.I[1][k], x[2*frame], 2*x[2*frame+1])
		}
	}
	w.U[1][0] = 1e9
	if again, _ := core.View().Capture(3); again.U[1][0] == 1e9 {
		t.Error("capture shares storage with the core")
	}
	if _, err := core.View().Capture(6); !errors.Is(err, metrology.ErrRange) {
		t.Errorf("capture beyond CaptureCycles: %v", err)
	}
	acc, _ := metrology.NewAccumulator(metrology.EnergyConfig{})
	if _, err := acc.View().Capture(1); !errors.Is(err, metrology.ErrNoWaveform) {
		t.Errorf("fast-mode capture: %v", err)
	}
	if id := acc.View().Identity(); id.Code != metrology.CodeChecksum() {
		t.Errorf("fast-mode identity %+v", id)
	}
}
