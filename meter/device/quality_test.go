package device_test

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/metrology/signal"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// TestPowerQualityOverDLMS plays the IEEE 1459-2010 Annex B waveform
// (ARCHITECTURE §5: U = 100∠0°, 8∠−70°, 15∠140°, 5∠20° and I = 100∠−30°,
// 20∠−165°, 15∠234°, 10∠234° RMS for h = 1, 3, 5, 7) through the real
// metrology core and reads the power-quality objects over DLMS: the
// harmonics' RMS, the THD (17.720 % and 26.926 %) and two cycles of
// samples.
func TestPowerQualityOverDLMS(t *testing.T) {
	const rate = 8000
	s := &signal.Signal{Rate: rate, Frequency: 50, Phases: [3]*signal.Phase{new(signal.AnnexB())}}
	frames, err := s.Samples(rate) // one second: 50 whole cycles, so the loop is seamless
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := appliance.WriteCSV(filepath.Join(dir, "annexb.csv"), frames); err != nil {
		t.Fatal(err)
	}
	f, err := config.Parse("test.toml", []byte(`serial = "0000000009"`))
	if err != nil {
		t.Fatal(err)
	}
	r := startDevice(t, device.Config{File: f, Samples: filepath.Join(dir, "annexb.csv"), Rate: rate})
	r.run(3 * time.Second)
	c := r.client(objects.Reader)

	within := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %g, want %g ± %g", what, got, want, tol)
		}
	}
	for _, h := range []struct {
		h    int
		u, i float64 // RMS, V and A
	}{{1, 100, 100}, {3, 8, 20}, {5, 15, 15}, {7, 5, 10}, {2, 0, 0}, {9, 0, 0}} {
		u := getInt(t, c, cosem.ClassRegister, objects.HarmonicLN(false, 0, h.h), 2)
		i := getInt(t, c, cosem.ClassRegister, objects.HarmonicLN(true, 0, h.h), 2)
		within("U harmonic "+fmt.Sprint(h.h), float64(u)/100, h.u, 0.002*100)
		within("I harmonic "+fmt.Sprint(h.h), float64(i)/1000, h.i, 0.002*100)
	}
	within("THD U", float64(getInt(t, c, cosem.ClassRegister, objects.HarmonicLN(false, 0, objects.THDObject), 2))/100, 17.720, 0.02)
	within("THD I", float64(getInt(t, c, cosem.ClassRegister, objects.HarmonicLN(true, 0, objects.THDObject), 2))/100, 26.926, 0.02)
	if su := get(t, c, cosem.ClassRegister, objects.HarmonicLN(true, 0, 5), 3); len(su) != 3 {
		t.Errorf("scaler_unit %v", su)
	} else if sc, _ := su[1].Int(); sc != -3 {
		t.Errorf("current harmonic scaler %d, want -3 (mA)", sc)
	}

	w := get(t, c, cosem.ClassData, objects.HarmonicLN(false, 0, objects.WaveformObject), 2)
	// structure{rate, scaler, array of n samples}: 1 + 2 + 1 + n values.
	rateHz, _ := w[1].Uint()
	scaler, _ := w[2].Int()
	n := w[3].N
	if rateHz != rate || n != 2*rate/50 || len(w) != 4+n {
		t.Fatalf("waveform: rate %d, %d samples in %d values", rateHz, n, len(w))
	}
	var sum float64
	for _, v := range w[4:] {
		x, _ := v.Int()
		u := float64(x) * math.Pow10(int(scaler))
		sum += u * u
	}
	// Whole cycles of U: the RMS of the samples is the signal's, √(100² + 8² + 15² + 5²).
	within("RMS of the captured voltage", math.Sqrt(sum/float64(n)), math.Sqrt(100*100+8*8+15*15+5*5), 0.2)
	// Phase L2 is not wired.
	if _, err := c.Get(t.Context(), cosem.Ref{Class: cosem.ClassData, Name: objects.HarmonicLN(false, 1, objects.WaveformObject), ID: 2}, nil); err == nil {
		t.Error("a waveform of the unwired phase L2")
	}
}
