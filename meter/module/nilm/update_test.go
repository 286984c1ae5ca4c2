package nilm_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

func firmwareLog(r *rig) []eventlog.Code {
	var out []eventlog.Code
	for _, e := range r.m.Events(eventlog.Firmware) {
		out = append(out, e.Code)
	}
	return out
}

// TestLibraryUpdate updates the library through its image transfer:
// a good newer library is activated and kept; a tampered one, one signed
// by another key, an older one and a truncated one are refused, logged,
// and leave the active library in place; a restarted module takes the
// kept library over the configured one.
func TestLibraryUpdate(t *testing.T) {
	k := kit(t, 0)
	frames, _ := oneAppliance(t, k.Appliances)
	v1, v2, v3 := library(t, k, 1), library(t, k, 2), library(t, k, 3)
	kept := filepath.Join(t.TempDir(), "nilm.lib")
	cfg := nilm.Config{Library: v1, PublicKey: &k.Key.PublicKey, LibraryFile: kept}
	r := newRig(t, frames, [3]bool{true}, cfg)
	r.run(2 * time.Second)

	if err := r.upload(v2); err != nil {
		t.Fatal(err)
	}
	if r.mod.Library().Version != 1 {
		t.Fatal("verification activated the library")
	}
	if err := r.activate(); err != nil {
		t.Fatal(err)
	}
	l := r.mod.Library()
	if l.Version != 2 || l.LastUpdate != nilm.Activated || l.Appliances != 12 {
		t.Fatalf("after activating v2: %+v", l)
	}
	if b, err := os.ReadFile(kept); err != nil || !bytes.Equal(b, v2) {
		t.Fatalf("kept library: %v", err)
	}
	id := r.mustGet(objects.Public, cosem.ClassData, nilm.LibraryLN, 2, nil) // the public client reads it
	if v, _ := id[1].Uint(); v != 2 {
		t.Fatalf("library object version %d", v)
	}

	tampered := bytes.Clone(v3)
	tampered[40] ^= 0x01 // a byte of the body: the signature no longer covers it
	foreign, err := nilmcore.NewSigningKeyPair(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	c, err := nilmcore.Load(v3, &k.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := c.Sign(foreign, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		lib  []byte
		want nilm.UpdateResult
		code eventlog.Code
	}{
		{"tampered", tampered, nilm.BadSignature, eventlog.NILMLibraryRefused},
		{"foreign key", forged, nilm.BadSignature, eventlog.NILMLibraryRefused},
		{"not newer", v2, nilm.Stale, eventlog.NILMLibraryStale},
		{"older", v1, nilm.Stale, eventlog.NILMLibraryStale},
		{"truncated", v3[:len(v3)-10], nilm.Malformed, eventlog.NILMLibraryRefused},
	} {
		before := len(firmwareLog(r))
		if err := r.upload(tc.lib); err == nil {
			t.Errorf("%s: verified", tc.name)
		}
		if err := r.activate(); err == nil {
			t.Errorf("%s: activated", tc.name)
		}
		l := r.mod.Library()
		if l.Version != 2 || l.LastUpdate != tc.want {
			t.Errorf("%s: library %+v, want version 2 and outcome %d", tc.name, l, tc.want)
		}
		if got := firmwareLog(r)[before:]; !slices.Equal(got, []eventlog.Code{tc.code}) {
			t.Errorf("%s: firmware log gained %v, want [%v]", tc.name, got, tc.code)
		}
		id := r.mustGet(objects.Public, cosem.ClassData, nilm.LibraryLN, 2, nil)
		if res, _ := id[4].Uint(); res != uint64(tc.want) {
			t.Errorf("%s: last_update %d", tc.name, res)
		}
	}
	// The refused libraries changed nothing: the appliance still switches
	// off as the active library knows it.
	r.run(10 * time.Second)
	if ev := r.mod.Events(); len(ev) != 2 || ev[1].On || ev[1].Label != ev[0].Label || ev[0].Label == nilmcore.Unknown {
		t.Fatalf("events after the refusals %+v", ev)
	}

	// A restart: the kept v2 wins over the configured v1; a configured
	// v3 wins over the kept v2.
	again := newRig(t, frames, [3]bool{true}, cfg)
	if l := again.mod.Library(); l.Version != 2 || l.LastUpdate != nilm.NoUpdate {
		t.Errorf("restarted on v1 with v2 kept: %+v", l)
	}
	cfg.Library = v3
	if l := newRig(t, frames, [3]bool{true}, cfg).mod.Library(); l.Version != 3 {
		t.Errorf("restarted on v3 with v2 kept: %+v", l)
	}
	// A kept file that does not verify is ignored.
	os.WriteFile(kept, tampered, 0o600)
	cfg.Library = v1
	if l := newRig(t, frames, [3]bool{true}, cfg).mod.Library(); l.Version != 1 {
		t.Errorf("restarted with a tampered kept file: %+v", l)
	}
}

// TestStartWithoutLibrary: events are logged as unknown until a library
// arrives over the transfer.
func TestStartWithoutLibrary(t *testing.T) {
	k := kit(t, 0)
	frames, _ := oneAppliance(t, k.Appliances)
	r := newRig(t, frames, [3]bool{true}, nilm.Config{PublicKey: &k.Key.PublicKey})
	r.run(3 * time.Second)
	ev := r.mod.Events()
	if len(ev) != 1 || ev[0].Label != nilmcore.Unknown || ev[0].Appliance != 0 || ev[0].Confidence != 0 {
		t.Fatalf("without a library: %+v", ev)
	}
	if l := r.mod.Library(); l.Installed || len(r.mod.Appliances()) != 0 {
		t.Fatalf("library %+v before any", l)
	}
	if id := r.mustGet(objects.Public, cosem.ClassData, nilm.LibraryLN, 2, nil); len(id[2].Bytes) != 0 {
		t.Fatalf("library hash %x before any", id[2].Bytes)
	}
	if err := r.upload(library(t, k, 5)); err != nil {
		t.Fatal(err)
	}
	if err := r.activate(); err != nil {
		t.Fatal(err)
	}
	r.run(9 * time.Second)
	ev = r.mod.Events()
	if len(ev) != 2 || ev[1].Label == nilmcore.Unknown || r.mod.Library().Version != 5 {
		t.Fatalf("after the update: %+v", ev)
	}
}

func TestConfigErrors(t *testing.T) {
	k := kit(t, 0)
	frames, _ := oneAppliance(t, k.Appliances)
	r := newRig(t, frames, [3]bool{true}, nilm.Config{PublicKey: &k.Key.PublicKey})
	base := nilm.Config{PublicKey: &k.Key.PublicKey, RateHz: rate, Phases: [3]bool{true}, Start: t0}
	for name, mod := range map[string]func(*nilm.Config){
		"no key":                func(c *nilm.Config) { c.PublicKey = nil },
		"no phase":              func(c *nilm.Config) { c.Phases = [3]bool{} },
		"no rate":               func(c *nilm.Config) { c.RateHz = 0 },
		"log capacity":          func(c *nilm.Config) { c.LogCapacity = -1 },
		"push without a pusher": func(c *nilm.Config) { c.Push.Destination.Address = "hes:4060" },
	} {
		c := base
		mod(&c)
		if _, err := nilm.New(r.m, c); !errors.Is(err, nilm.ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := base
	bad.Library = []byte("AMNL junk")
	if _, err := nilm.New(r.m, bad); !errors.Is(err, nilmcore.ErrLibrary) {
		t.Errorf("junk library: %v", err)
	}
}
