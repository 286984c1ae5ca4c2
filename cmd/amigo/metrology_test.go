package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/metrology"
	"github.com/amigo-ami/amigo/metrology/analysis"
	"github.com/amigo-ami/amigo/metrology/verify"
)

// amigo runs the root command in-process with args and stdin, returning
// stdout and the error.
func amigo(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	err := root.Execute()
	return out.String(), err
}

func TestMetrologyGenThenAnalyzeAnnexB(t *testing.T) {
	file := filepath.Join(t.TempDir(), "annexb.csv")
	if _, err := amigo(t, "", "metrology", "gen", "--preset", "ieee1459-annexb", "--rate", "10240", "--seconds", "3.3", "-o", file); err != nil {
		t.Fatal(err)
	}
	out, err := amigo(t, "", "metrology", "analyze", "--rate", "10240", "--json", file)
	if err != nil {
		t.Fatal(err)
	}
	var rep analysis.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
	p := rep.Phases[0]
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"p_w", p.PW, 8589.162}, {"p1_w", p.P1W, 8660.254}, {"q1_var", p.Q1Var, 5000}, {"qb_var", p.QBVar, 4962.899},
		{"s_va", p.SVA, 10517.493}, {"s1_va", p.S1VA, 10000}, {"thd_u", p.THDU, 0.17720}, {"thd_i", p.THDI, 0.26926},
		{"frequency_hz", rep.FrequencyHz, 50}, {"duration_s", rep.DurationS, 3.3},
		{"import_wh", rep.Energy.ImportWh, 8589.162 * 3.3 / 3600},
	} {
		if math.Abs(c.got-c.want) > 1e-4*math.Abs(c.want) {
			t.Errorf("%s = %.6f, want %.6f", c.name, c.got, c.want)
		}
	}
	if rep.Samples != 33792 || rep.RateHz != 10240 {
		t.Errorf("samples %d at %v Hz", rep.Samples, rep.RateHz)
	}

	text, err := amigo(t, "", "metrology", "analyze", "--rate", "10240", file)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"8589.16", "5000.000", "4962.899", "10517.49", "17.720", "26.926"} {
		if !strings.Contains(text, want) {
			t.Errorf("human output lacks %s:\n%s", want, text)
		}
	}
}

func TestMetrologyAnalyzeStdin(t *testing.T) {
	csv, err := amigo(t, "", "metrology", "gen", "--preset", "pf05", "--rate", "4000", "--seconds", "1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := amigo(t, csv, "metrology", "analyze", "--rate", "4000", "--json", "-")
	if err != nil {
		t.Fatal(err)
	}
	var rep analysis.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if pf := rep.Phases[0].PF; math.Abs(pf-0.5) > 1e-5 {
		t.Errorf("pf05 preset analysed as PF %v", pf)
	}
}

// Every bad input exits with one line naming the input: FILE:LINE: reason
// for the file, the flag for the rate (it is not in the file).
func TestMetrologyAnalyzeBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "ua,ia\n" + strings.Repeat("1,2\n", 3)
	cases := []struct {
		name, file, content string
		rate                string
		want                string // with FILE for the path
	}{
		{"unknown column", "unknown.csv", "ua,ia,ux\n1,2,3\n", "8000", `FILE:1: unknown column "ux": want ua, ia, ub, ib, uc or ic`},
		{"duplicate column", "dup.csv", "ua,ia,ia\n", "8000", `FILE:1: duplicate column "ia"`},
		{"u without i", "half.csv", "ua,ia,ub\n", "8000", "FILE:1: phase b has ub but no ib"},
		{"i without u", "half2.csv", "ia\n1\n", "8000", "FILE:1: phase a has ia but no ua"},
		{"non-numeric", "text.csv", "ua,ia\n1,2\n1,two\n", "8000", `FILE:3: column ia: "two" is not a number`},
		{"NaN", "nan.csv", "ua,ia\n1,2\n3,4\nNaN,2\n", "8000", "FILE:4: column ua: NaN is not a finite number"},
		{"Inf", "inf.csv", "ua,ia\n+Inf,2\n", "8000", "FILE:2: column ua: +Inf is not a finite number"},
		{"short line", "short.csv", "ua,ia,uc,ic\n1,2,3,4\n1,2,3\n", "8000", "FILE:3: 3 values, want 4"},
		{"empty file", "empty.csv", "", "8000", "FILE:1: empty file: want a header naming channels from ua,ia,ub,ib,uc,ic"},
		{"header only", "head.csv", "ua,ia\n", "8000", "FILE:1: no samples after the header"},
		{"too short", "few.csv", good, "8000", "FILE:4: 3 samples (0.000375 s) are less than one analysis window: need about 0.26 s"},
		{"rate zero", "r0.csv", good, "0", "--rate 0: must be a positive number of samples per second"},
		{"rate negative", "rneg.csv", good, "-8000", "--rate -8000: must be a positive number of samples per second"},
		{"rate too low", "rlow.csv", good, "3000", "--rate 3000: too low for 50 Hz: need at least 3200 Hz (64 samples per cycle)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(c.file, c.content)
			_, err := amigo(t, "", "metrology", "analyze", "--rate", c.rate, path)
			want := strings.ReplaceAll(c.want, "FILE", path)
			if err == nil || err.Error() != want {
				t.Errorf("error\n got %v\nwant %s", err, want)
			}
			var ex exitError
			if errors.As(err, &ex) {
				t.Errorf("bad input reported as a verification failure")
			}
		})
	}
	if _, err := amigo(t, "", "metrology", "analyze", "--rate", "8000", filepath.Join(dir, "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := amigo(t, "ua,ia\n1,x\n", "metrology", "analyze", "--rate", "8000", "-"); err == nil || err.Error() != `stdin:2: column ia: "x" is not a number` {
		t.Errorf("stdin: %v", err)
	}
	if _, err := amigo(t, "", "metrology", "analyze", filepath.Join(dir, "unknown.csv")); err == nil || !strings.Contains(err.Error(), `"rate" not set`) {
		t.Errorf("without --rate: %v", err)
	}
}

func TestMetrologyGenRejects(t *testing.T) {
	for _, args := range [][]string{
		{"--preset", "nope"},
		{"--preset", "pf05", "--seconds", "0"},
		{"--preset", "pf05", "--rate", "-1"},
		{"--preset", "pf05", "--rate", "90"}, // below twice the fundamental
	} {
		if _, err := amigo(t, "", append([]string{"metrology", "gen"}, args...)...); err == nil {
			t.Errorf("gen %v accepted", args)
		}
	}
}

func TestMetrologyVerify(t *testing.T) {
	out, err := amigo(t, "", "metrology", "verify", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var rep verifyReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, p := range rep.Points {
		ids[p.ID] = true
		if !p.Pass {
			t.Errorf("%s %s: error %v %s", p.ID, p.Condition, p.Error, p.Unit)
		}
	}
	if !rep.Pass || rep.Class != "0.2S" || len(ids) != 15 {
		t.Errorf("pass %v class %q, %d distinct ids", rep.Pass, rep.Class, len(ids))
	}
	if _, err := amigo(t, "", "metrology", "verify", "--class", "1"); err == nil {
		t.Error("class 1 accepted")
	}
}

// The table shows each point and the failures; verify exits 1 through
// exitError when a point fails.
func TestVerifyTableShowsFailures(t *testing.T) {
	rep := verifyReport{Class: "0.2S", Points: []verify.Point{
		{ID: "A1", Test: "active energy", Condition: "In, PF 1", Error: 0.05, Budget: 0.02, Unit: "%", Pass: false},
		{ID: "A9", Test: "starting", Condition: "Ist", Error: 1.01, Budget: 1.2, OneSided: true, Unit: "× expected time", Pass: true},
	}}
	var b bytes.Buffer
	if err := writeVerifyTable(&b, rep); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A1", "+0.05 %", "±0.02 %", "FAIL", "≤ 1.2 × expected time", "1 of 2 points FAIL"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestVersionShowsMetrologyIdentity(t *testing.T) {
	out, err := amigo(t, "", "version", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var bi buildInfo
	if err := json.Unmarshal([]byte(out), &bi); err != nil {
		t.Fatal(err)
	}
	if bi.Metrology.SoftwareID != metrology.SoftwareID || bi.Metrology.CodeSHA256 != metrology.Hex(metrology.CodeChecksum()) || len(bi.Metrology.CodeSHA256) != 64 {
		t.Errorf("version: %+v", bi.Metrology)
	}
	text, err := amigo(t, "", "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "metrology core "+metrology.SoftwareID+", code sha256 "+bi.Metrology.CodeSHA256) {
		t.Errorf("version text:\n%s", text)
	}
}
