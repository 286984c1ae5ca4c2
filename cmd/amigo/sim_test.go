package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runSimCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetArgs(append([]string{"sim"}, args...))
	root.SetOut(&out)
	root.SetErr(io.Discard)
	err := root.Execute()
	return out.String(), err
}

// A two-hour run as fast as possible prints the fleet and its counts as
// one JSON document and writes the registry export.
func TestSimRunsForADuration(t *testing.T) {
	reg := filepath.Join(t.TempDir(), "fleet.csv")
	out, err := runSimCmd(t, "--meters", "20", "--speed", "0", "--duration", "2h", "--listen-base", "none", "--json",
		"--start", "2024-06-03T00:00:00Z", "--faults", "outage=5%@20m", "--seed", "3", "--registry", reg, "--data", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Meters       int    `json:"meters"`
		FirstAddress string `json:"first_address"`
		Faults       string `json:"faults"`
		Stats        struct {
			Now     string `json:"now"`
			Steps   int    `json:"steps"`
			Outages int    `json:"outages"`
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if doc.Meters != 20 || doc.FirstAddress != "127.1.0.1:4059" || doc.Faults != "outage=0.05@20m0s" ||
		doc.Stats.Now != "2024-06-03T02:00:00Z" || doc.Stats.Steps < 20*8 || doc.Stats.Outages == 0 {
		t.Fatalf("%s", out)
	}
	b, err := os.ReadFile(reg)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(string(b)), "\n"); len(lines) != 21 || lines[1] != "0000000001,127.1.0.1:4059,management,sim-demo,sim," {
		t.Fatalf("registry:\n%s", b)
	}
}

func TestSimBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--faults", "loss=0.1,offline=2"}, `item 2 "offline=2"`},
		{[]string{"--keys", "secret"}, `--keys "secret"`},
		{[]string{"--speed", "0"}, "needs --duration"},
		{[]string{"--start", "yesterday"}, `--start "yesterday"`},
		{[]string{"--registry", "fleet.xls", "--listen-base", "none", "--meters", "1"}, "fleet.xls: want a .csv or .toml file"},
		{[]string{"--listen-base", "127.5.0.0/30:4059"}, "holds 2 meters, not 100"},
	} {
		if _, err := runSimCmd(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
	faults := filepath.Join(t.TempDir(), "faults.toml")
	os.WriteFile(faults, []byte("loss = 0.1\nrestart = \"often\"\n"), 0o600)
	if _, err := runSimCmd(t, "--faults", faults); err == nil || !strings.Contains(err.Error(), "faults.toml:2: restart") {
		t.Errorf("fault file: %v", err)
	}
}

// --nilm-key runs the NILM module on the waveform meters (no library:
// every appliance unknown until one is sent); the flags are checked
// before the fleet starts.
func TestSimNILM(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "nilm.pem")
	if out, err := runAmigo(t, "nilm", "keygen", "--out", key); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	junk := filepath.Join(dir, "junk.lib")
	os.WriteFile(junk, []byte("not a library"), 0o600)
	run := []string{"--meters", "2", "--speed", "0", "--duration", "2m", "--listen-base", "none", "--data", dir, "--start", "2024-06-03T00:00:00Z"}
	out, err := runSimCmd(t, append(run, "--waveform", "1", "--nilm-key", key+".pub", "--json")...)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Waveform int  `json:"waveform"`
		NILM     bool `json:"nilm"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || doc.Waveform != 1 || !doc.NILM {
		t.Fatalf("%v: %s", err, out)
	}
	out, err = runSimCmd(t, append(run, "--waveform", "1", "--json")...)
	doc.NILM = true
	if err != nil || json.Unmarshal([]byte(out), &doc) != nil || doc.NILM {
		t.Fatalf("without --nilm-key: %v %s", err, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nilm-key", key + ".pub"}, "give --waveform N"},
		{[]string{"--waveform", "1", "--nilm-library", junk}, "--nilm-library needs --nilm-key"},
		{[]string{"--waveform", "1", "--nilm-key", junk}, "--nilm-key " + junk},
		{[]string{"--waveform", "1", "--nilm-key", filepath.Join(dir, "none.pem")}, "none.pem"},
		{[]string{"--waveform", "1", "--nilm-key", key + ".pub", "--nilm-library", junk}, "--nilm-library " + junk},
	} {
		if _, err := runSimCmd(t, append(run, tc.args...)...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
