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
