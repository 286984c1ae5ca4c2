package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

func runAmigo(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestNILMTrainAndClassify: a key, a library trained on PLAID, and a
// stream in which one PLAID heater event switches on and off; classify
// finds both events and names the appliance. A library signed by another
// key is refused.
func TestNILMTrainAndClassify(t *testing.T) {
	dataDir := testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...)
	ds, err := plaid.Load(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, lib := filepath.Join(dir, "key.pem"), filepath.Join(dir, "lib.bin")
	if _, err := runAmigo(t, "nilm", "keygen", "--out", key); err != nil {
		t.Fatal(err)
	}
	if _, err := runAmigo(t, "nilm", "keygen", "--out", key); err == nil {
		t.Error("keygen overwrote an existing key")
	}
	out, err := runAmigo(t, "nilm", "train", "--data", dataDir, "--key", key, "--out", lib, "--version", "3", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sum struct{ Bytes int }
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Bytes == 0 {
		t.Fatalf("train --json = %q (%v)", out, err)
	}
	// 30 cycles of nothing, 40 of appliance 3 (a 530 W resistive load),
	// 30 of nothing.
	var ev plaid.Event
	for _, e := range ds.Events {
		if e.Label == "3" && e.On {
			ev = e
			break
		}
	}
	var csv strings.Builder
	csv.WriteString("ua,ia\n")
	for c := range 100 {
		for k := range ev.Voltage {
			i := 0.0
			if c >= 30 && c < 70 {
				i = ev.Current[k]
			}
			fmt.Fprintf(&csv, "%g,%g\n", ev.Voltage[k], i)
		}
	}
	samples := filepath.Join(dir, "samples.csv")
	if err := os.WriteFile(samples, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = runAmigo(t, "nilm", "classify", "--lib", lib, "--pub", key+".pub", "--rate", "30000", "--mains", "60", "--json", samples)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Events []struct{ Label, State string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Events) != 2 || doc.Events[0].Label != "3" || doc.Events[0].State != "on" || doc.Events[1].Label != "3" || doc.Events[1].State != "off" {
		t.Errorf("classify found %+v, want appliance 3 on, then off", doc.Events)
	}

	other := filepath.Join(dir, "other.pem")
	if _, err := runAmigo(t, "nilm", "keygen", "--out", other); err != nil {
		t.Fatal(err)
	}
	if _, err := runAmigo(t, "nilm", "classify", "--lib", lib, "--pub", other+".pub", "--rate", "30000", samples); err == nil ||
		!strings.Contains(err.Error(), "signature") {
		t.Errorf("classify with another key's library: %v, want a signature error", err)
	}
}

func TestNILMClassifyNamesABadLibrary(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "samples.csv")
	os.WriteFile(f, []byte("ua,ia\n1,2\n"), 0o644)
	key := filepath.Join(dir, "k.pem")
	if _, err := runAmigo(t, "nilm", "keygen", "--out", key); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dir, "empty.bin")
	os.WriteFile(lib, nil, 0o644)
	_, err := runAmigo(t, "nilm", "classify", "--lib", lib, "--pub", key+".pub", "--rate", "8000", f)
	if err == nil || !strings.Contains(err.Error(), lib) {
		t.Errorf("empty library: %v, want an error naming %s", err, lib)
	}
}

func TestParseSeeds(t *testing.T) {
	good := []struct {
		spec string
		want []uint64
	}{
		{"1-5", []uint64{1, 2, 3, 4, 5}},
		{"7-7", []uint64{7}},
		{"1,4, 9", []uint64{1, 4, 9}},
		{"3", []uint64{3}},
	}
	for _, tc := range good {
		got, err := parseSeeds(tc.spec)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("parseSeeds(%q) = %v, %v; want %v", tc.spec, got, err, tc.want)
		}
	}
	for _, spec := range []string{"", "5-1", "a-3", "1-", "1,,2", "1-2000", "-3"} {
		if _, err := parseSeeds(spec); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", spec)) {
			t.Errorf("parseSeeds(%q) = %v, want an error naming the input", spec, err)
		}
	}
	if _, err := runAmigo(t, "nilm", "eval", "--seeds", "1-2", "--plot", "x.png"); err == nil || !strings.Contains(err.Error(), "--plot") {
		t.Errorf("eval --seeds with --plot: %v, want an error naming --plot", err)
	}
}
