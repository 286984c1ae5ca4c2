package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runMeterCmd starts `amigo meter args…` in-process and returns the
// address it serves, stopping it when the test ends.
func runMeterCmd(t *testing.T, args ...string) string {
	t.Helper()
	root := newRootCmd()
	pr, pw := io.Pipe()
	root.SetArgs(append([]string{"meter", "--listen", "127.0.0.1:0", "--json"}, args...))
	root.SetOut(pw)
	root.SetErr(io.Discard)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx); pw.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("amigo meter: %v", err)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("amigo meter printed nothing: %v", err)
	}
	go io.Copy(io.Discard, pr)
	var doc struct{ Listen, Serial, SystemTitle string }
	if err := json.Unmarshal([]byte(line), &doc); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	if doc.Serial != "0000000001" {
		t.Fatalf("serial %q", doc.Serial)
	}
	return doc.Listen
}

func TestMeterServesEachClient(t *testing.T) {
	for _, hdlc := range []bool{false, true} {
		var extra []string
		if hdlc {
			extra = []string{"--hdlc"}
		}
		addr := runMeterCmd(t, append([]string{"--state", t.TempDir(), "--load", "constant:2000"}, extra...)...)
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"0.0.42.0.0.255"}, `0.0.42.0.0.255  Logical device name  "AMG0000000001"`},
			{[]string{"--auth", "low", "--password", "00000000", "1.0.32.7.0.255"}, "1.0.32.7.0.255  Voltage L1  230 V"},
			{[]string{"--auth", "high-gmac", "--keys", "demo", "0.0.43.0.0.255:5"}, "0.0.43.0.0.255:5  Security setup  414D470000000001"},
		} {
			out, stderr, err := amigoErr(t, append(append([]string{"read", "--addr", addr}, extra...), tc.args...)...)
			if err != nil {
				t.Fatalf("hdlc %v: %v\n%s", hdlc, err, stderr)
			}
			if strings.TrimSpace(out) != tc.want {
				t.Errorf("hdlc %v: got %q, want %q", hdlc, strings.TrimSpace(out), tc.want)
			}
		}
	}
}

func TestMeterBadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "meter.toml")
	os.WriteFile(bad, []byte("serial = \"1\"\n[clock]\ntime_zone = \"x\"\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", bad}, bad + ":3"},
		{[]string{"--load", "wind:5"}, "wind:5"},
		{[]string{"--load", "constant:1", "--samples", "x.csv"}, "exclude"},
		{[]string{"--samples", "/nonexistent.csv"}, "/nonexistent.csv"},
	} {
		_, _, err := amigoErr(t, append([]string{"meter", "--listen", "127.0.0.1:0"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want it to name %q", tc.args, err, tc.want)
		}
	}
}
