package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// TestMeterWithNILM runs the README's example: a key, a library, a
// household waveform from PLAID, and `amigo meter --samples` with the
// NILM module enabled, whose library object the public client reads.
func TestMeterWithNILM(t *testing.T) {
	data := testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...)
	dir := t.TempDir()
	key, lib, csv := filepath.Join(dir, "nilm.pem"), filepath.Join(dir, "nilm.lib"), filepath.Join(dir, "home.csv")
	for _, args := range [][]string{
		{"nilm", "keygen", "--out", key},
		{"nilm", "train", "--data", data, "--key", key, "--version", "4", "--out", lib},
	} {
		if out, err := runAmigo(t, args...); err != nil {
			t.Fatalf("amigo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, err := runAmigo(t, "nilm", "home", "--data", data, "--out", csv, "--rate", "6400", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var home struct {
		Seconds  float64
		Switches []struct {
			Appliance string
			On        bool
		}
	}
	if err := json.Unmarshal([]byte(out), &home); err != nil {
		t.Fatal(err)
	}
	// One appliance of each of PLAID's 12 ids, on and off once, a second
	// apart, in households of four after a second of quiet each.
	if len(home.Switches) != 24 || home.Seconds != 27 {
		t.Fatalf("home: %d switches in %v s", len(home.Switches), home.Seconds)
	}
	toml := "serial = \"0000000001\"\n[modules.nilm]\nenabled = true\nlibrary = \"nilm.lib\"\npublic_key = \"nilm.pem.pub\"\n"
	if err := os.WriteFile(filepath.Join(dir, "meter.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := runMeterCmd(t, "--config", filepath.Join(dir, "meter.toml"), "--samples", csv, "--rate", "6400")
	got, stderr, err := amigoErr(t, "read", "--addr", addr, "0.128.0.2.0.255")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.HasPrefix(got, "0.128.0.2.0.255  Data  {4, ") || !strings.HasSuffix(strings.TrimSpace(got), ", 12, 0}") {
		t.Errorf("library object %q, want version 4 of 12 appliances, no update", got)
	}
	if _, _, err := amigoErr(t, "nilm", "home", "--out", csv, "--rate", "8001"); err == nil || !strings.Contains(err.Error(), "--rate") {
		t.Errorf("rate 8001: %v", err)
	}
}
