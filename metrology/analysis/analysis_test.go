package analysis

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/metrology/samplecsv"
	"github.com/amigo-ami/amigo/metrology/signal"
)

// csvOf writes seconds of s as a sample file.
func csvOf(t *testing.T, s *signal.Signal, seconds float64) *bytes.Buffer {
	t.Helper()
	x, err := s.Samples(int(math.Round(seconds * s.Rate)))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, err := samplecsv.NewWriter(&b, s.Present())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(x); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return &b
}

func TestAnalyzeAnnexB(t *testing.T) {
	s, err := signal.Preset("ieee1459-annexb", 7680)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Analyze(csvOf(t, s, 2.013), "annexb.csv", Options{Rate: 7680})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Phases) != 1 || rep.Phases[0].Phase != "a" {
		t.Fatalf("phases %+v", rep.Phases)
	}
	p := rep.Phases[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"P", p.PW, 8589.162}, {"P1", p.P1W, 8660.254}, {"Q1", p.Q1Var, 5000}, {"QB", p.QBVar, 4962.899},
		{"S", p.SVA, 10517.493}, {"S1", p.S1VA, 10000}, {"THDU", p.THDU, 0.17720}, {"THDI", p.THDI, 0.26926},
		{"PH", p.PHW, 8589.162 - 8660.254}, {"f", rep.FrequencyHz, 50},
		{"total P", rep.Total.PW, 8589.162}, {"total S", rep.Total.SVA, 10517.493},
		{"import", rep.Energy.ImportWh, 8589.162 * 2.013 / 3600}, {"QI", rep.Energy.Q1Varh, 5000 * 2.013 / 3600},
		{"apparent", rep.Energy.ApparentVAh, 10517.493 * 2.013 / 3600},
		{"h3 angle", p.Harmonics[2].AngleDeg, -95}, {"h5 P", p.Harmonics[4].PW, 225 * math.Cos(94*math.Pi/180)},
	} {
		if math.Abs(c.got-c.want) > 1e-4*math.Max(1, math.Abs(c.want)) {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
	if rep.Samples != 15460 || rep.RateHz != 7680 || math.Abs(rep.DurationS-15460/7680.0) > 1e-12 {
		t.Errorf("samples %d rate %v duration %v", rep.Samples, rep.RateHz, rep.DurationS)
	}
	if len(p.Harmonics) != 50 || p.Harmonics[49].H != 50 {
		t.Errorf("%d harmonics", len(p.Harmonics))
	}
	for _, h := range []int{2, 4, 9, 50} { // absent: no angle from rounding noise
		if a := p.Harmonics[h-1].AngleDeg; a != 0 {
			t.Errorf("absent harmonic %d has angle %v°", h, a)
		}
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text, "annexb.csv"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"8589.16", "4962.899", "17.720", "26.926", "-95.00"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text output lacks %q:\n%s", want, text.String())
		}
	}
}

// The JSON keys are the contract of ARCHITECTURE §5, in its order.
func TestReportJSONKeys(t *testing.T) {
	rep := Report{Phases: []PhaseReport{{Harmonics: []HarmonicReport{{}}}}}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"rate_hz":0,"samples":0,"duration_s":0,"frequency_hz":0,` +
		`"phases":[{"phase":"","u_rms":0,"i_rms":0,"p_w":0,"p1_w":0,"ph_w":0,"q1_var":0,"qb_var":0,"s_va":0,"s1_va":0,` +
		`"pf":0,"pf1":0,"thd_u":0,"thd_i":0,` +
		`"harmonics":[{"h":0,"u_rms":0,"i_rms":0,"p_w":0,"angle_deg":0}]}],` +
		`"total":{"p_w":0,"q1_var":0,"s_va":0},` +
		`"energy":{"import_wh":0,"export_wh":0,"q1_varh":0,"q2_varh":0,"q3_varh":0,"q4_varh":0,"apparent_vah":0}}`
	if string(b) != want {
		t.Errorf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestAnalyzeThreePhaseUnbalanced(t *testing.T) {
	s, _ := signal.Preset("threephase-unbalanced", 8000)
	rep, err := Analyze(csvOf(t, s, 1), "u.csv", Options{Rate: 8000, Nominal: 50})
	if err != nil {
		t.Fatal(err)
	}
	tr := s.Truth()
	if got := []string{rep.Phases[0].Phase, rep.Phases[1].Phase, rep.Phases[2].Phase}; !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("phases %v", got)
	}
	for p := range 3 {
		if e := math.Abs(rep.Phases[p].Q1Var/tr.Phases[p].Q1 - 1); e > 1e-5 {
			t.Errorf("phase %d Q1 error %.2g", p, e)
		}
	}
	if e := math.Abs(rep.Total.SVA/tr.S - 1); e > 1e-5 {
		t.Errorf("total S error %.2g", e)
	}
}

func TestAnalyzeRejects(t *testing.T) {
	cases := []struct {
		name, in string
		opts     Options
		msg      string
	}{
		{"rate zero", "ua,ia\n", Options{Rate: 0}, "--rate 0: must be a positive number of samples per second"},
		{"rate negative", "ua,ia\n", Options{Rate: -8000}, "--rate -8000: must be a positive number of samples per second"},
		{"rate too low", "ua,ia\n", Options{Rate: 2000}, "--rate 2000: too low for 50 Hz: need at least 3200 Hz (64 samples per cycle)"},
		{"rate too low at 60 Hz", "ua,ia\n", Options{Rate: 3200, Nominal: 60}, "--rate 3200: too low for 60 Hz: need at least 3840 Hz (64 samples per cycle)"},
		{"rate too high", "ua,ia\n", Options{Rate: 2e6}, "--rate 2e+06: above the 1e+06 Hz the core accepts"},
		{"nominal 55", "ua,ia\n", Options{Rate: 8000, Nominal: 55}, "--nominal 55: want 50 or 60"},
		{"header only", "ua,ia\n", Options{Rate: 8000}, "f.csv:1: no samples after the header"},
		{"too short", "ua,ia\n" + strings.Repeat("1,2\n", 100), Options{Rate: 8000}, "f.csv:101: 100 samples (0.0125 s) are less than one analysis window: need about 0.26 s"},
	}
	for _, c := range cases {
		_, err := Analyze(strings.NewReader(c.in), "f.csv", c.opts)
		if err == nil || err.Error() != c.msg {
			t.Errorf("%s: error\n got %v\nwant %s", c.name, err, c.msg)
		}
	}
}
