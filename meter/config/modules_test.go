package config

import (
	"crypto/rand"
	"errors"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/nilm"
)

// signedLibrary trains a small library on two synthetic appliances.
func signedLibrary(t *testing.T, priv []byte) []byte {
	t.Helper()
	key, err := nilm.PrivateKeyFromPEM(priv)
	if err != nil {
		t.Fatal(err)
	}
	rng := mrand.New(mrand.NewPCG(1, 1))
	var s []nilm.Sample
	for range 10 {
		for i, l := range []string{"lamp", "kettle"} {
			for _, st := range []nilm.State{nilm.On, nilm.Off} {
				var x nilm.Vector
				for k := range x {
					x[k] = 0.01 * rng.NormFloat64()
				}
				x[nilm.FLogIRMS], x[nilm.FPF], x[nilm.FDistortion] = float64(i), 1, 1
				s = append(s, nilm.Sample{X: x, Label: l, State: st})
			}
		}
	}
	c, err := nilm.Train(s, nilm.TrainConfig{Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return lib
}

func TestNILMModule(t *testing.T) {
	dir := t.TempDir()
	priv, pub, err := nilm.NewSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, otherPub, _ := nilm.NewSigningKey(rand.Reader)
	lib := signedLibrary(t, priv)
	for name, b := range map[string][]byte{"nilm.pub.pem": pub, "other.pub.pem": otherPub, "nilm.lib": lib} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const base = "serial = \"1\"\n[modules.nilm]\nenabled = true\n"
	path := filepath.Join(dir, "meter.toml")
	f, err := Parse(path, []byte(base+"library = \"nilm.lib\"\npublic_key = \"nilm.pub.pem\"\npush = \"127.0.0.1:4060\"\npush_retries = 0\nlog_capacity = 50\nmin_step_w = 10\n"))
	if err != nil {
		t.Fatal(err)
	}
	n := f.NILM
	if !n.Enabled || string(n.Library) != string(lib) || n.PublicKey == nil || n.LogCapacity != 50 || n.MinStepW != 10 {
		t.Fatalf("module %+v", n)
	}
	if n.Push.Destination.Address != "127.0.0.1:4060" || n.Push.Retries != 0 || n.Push.RepetitionDelay != time.Minute {
		t.Fatalf("push %+v", n.Push)
	}
	// Without a library: the module starts without one.
	if f, err := Parse(path, []byte(base+"public_key = \""+filepath.Join(dir, "nilm.pub.pem")+"\"\n")); err != nil || f.NILM.Library != nil || f.NILM.Push.Retries != 3 {
		t.Fatalf("no library: %+v %v", f.NILM, err)
	}
	// Disabled: the other keys are not read.
	if f, err := Parse(path, []byte("serial = \"1\"\n[modules.nilm]\nenabled = false\nlibrary = \"missing.lib\"\n")); err != nil || f.NILM.Enabled {
		t.Fatalf("disabled: %+v %v", f.NILM, err)
	}
	for _, tc := range []struct {
		name, body string
		line       int
		want       string
	}{
		{"no key", "library = \"nilm.lib\"\n", 2, "public_key: required"}, // the table's line
		{"missing key file", "public_key = \"none.pem\"\n", 4, "none.pem"},
		{"not a key", "public_key = \"nilm.lib\"\n", 4, "PUBLIC KEY"},
		{"library of another key", "public_key = \"other.pub.pem\"\nlibrary = \"nilm.lib\"\n", 5, "signature"},
		{"missing library", "public_key = \"nilm.pub.pem\"\nlibrary = \"none.lib\"\n", 5, "none.lib"},
		{"log capacity", "public_key = \"nilm.pub.pem\"\nlog_capacity = -1\n", 5, "log_capacity"},
	} {
		_, err := Parse(path, []byte(base+tc.body))
		var ce *Error
		if !errors.As(err, &ce) || ce.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want line %d naming %q", tc.name, err, tc.line, tc.want)
		}
	}
}
