package device_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	hespush "github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/objects"
)

// TestInvocationCounterObjectSurvivesRestart reads the invocation counter
// object (0.0.43.1.0.255) before and after a restart on the same state
// directory: it shows the last counter the meter accepted from the
// management client, not 0, so a client that lost its own counter can
// resynchronise with a restarted meter.
func TestInvocationCounterObjectSurvivesRestart(t *testing.T) {
	state := t.TempDir()
	r := startFile(t, config.Demo(), "constant:1000", state)
	if ic := getUint(t, r.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); ic != 0 {
		t.Fatalf("counter object before any management association = %d, want 0", ic)
	}
	mgmt := r.client(objects.Management)
	getUint(t, mgmt, cosem.ClassClock, [6]byte{0, 0, 1, 0, 0, 255}, 3)
	getUint(t, mgmt, cosem.ClassClock, [6]byte{0, 0, 1, 0, 0, 255}, 3)
	// The object shows the last counter the client sent (the one before
	// its next).
	send, _ := mgmt.CounterKeys()
	next, err := r.counters.Next(send)
	if err != nil {
		t.Fatal(err)
	}
	want := uint64(next - 1)
	if got := getUint(t, r.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); got != want || want < 3 {
		t.Fatalf("counter object = %d, want %d (the client's last, after at least three ciphered APDUs)", got, want)
	}
	r.stop()

	r2 := startFile(t, config.Demo(), "constant:1000", state)
	if got := getUint(t, r2.client(objects.Public), cosem.ClassData, objects.InvocationCounterLN, 2); got != want {
		t.Errorf("counter object after restart = %d, want %d", got, want)
	}
}

// associate opens a management association with keys ek, ak (the rig's
// client counters) and reads the clock; the client is released at the end
// of the test.
func (r *rig) associate(ek, ak []byte) (*dlms.Client, error) {
	demo := config.Demo().Security
	ctx := context.Background()
	c, err := dlms.Dial(ctx, r.addr, dlms.ClientConfig{Client: objects.Management, Mechanism: dlms.MechanismHighGMAC,
		SystemTitle: demo.ClientTitle, EncryptionKey: ek, AuthenticationKey: ak, Counters: r.counters})
	if err != nil {
		return nil, err
	}
	if err := c.Associate(ctx); err != nil {
		c.Close()
		return nil, err
	}
	r.t.Cleanup(func() { c.Release(context.Background()); c.Close() })
	_, err = c.Get(ctx, cosem.Ref{Class: cosem.ClassClock, Name: meter.ClockLN, ID: 2}, nil)
	return c, err
}

// keyPushTOML is a meter pushing its registers at a quarter past the hour.
const keyPushTOML = `serial = "0000000042"
[[push]]
name = "0.0.25.9.0.255"
destination = %q
objects = ["40/0.0.25.9.0.255/1", "8/0.0.1.0.0.255/2", "3/1.0.1.8.0.255/2", "3/1.0.2.8.0.255/2", "3/1.0.3.8.0.255/2", "3/1.0.4.8.0.255/2"]
schedule = ["*-*-* *:15"]
`

// TestKeyTransferPersists changes the meter's keys with key_transfer
// (wrapped with the configured master key): the next association needs
// the new keys, the old ones are refused, the pushes are sealed with the
// new keys, and all of it still holds after a restart on the same state
// directory.
func TestKeyTransferPersists(t *testing.T) {
	demo := config.Demo().Security
	ek := []byte{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F}
	ak := []byte{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF}
	he := startHeadEnd(t, ek, ak, nil, "0000000042") // knows only the new keys
	f, err := config.Parse("meter.toml", fmt.Appendf(nil, keyPushTOML, he.l.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	r := startFile(t, f, "constant:1000", state)

	// A key_transfer wrapped with another key is refused and changes
	// nothing.
	mgmt := r.client(objects.Management)
	transfer := func(kek []byte) error {
		b, err := cosem.AppendKeyTransfer(nil, kek, map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: ek, cosem.KeyAuthentication: ak})
		if err != nil {
			t.Fatal(err)
		}
		params, err := axdr.Decode(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		return action(t, mgmt, cosem.ClassSecuritySetup, objects.SecuritySetupLN, 2, params...)
	}
	if err := transfer(ak); err == nil {
		t.Fatal("key_transfer wrapped with a wrong master key accepted")
	}
	if err := transfer(demo.MasterKey); err != nil {
		t.Fatalf("key_transfer: %v", err)
	}
	if _, err := os.Stat(filepath.Join(state, "keys.json")); err != nil {
		t.Fatalf("the new keys are not kept: %v", err)
	}
	checkKeys := func(r *rig) {
		t.Helper()
		if _, err := r.associate(ek, ak); err != nil {
			t.Errorf("association with the new keys: %v", err)
		}
		if _, err := r.associate(demo.EncryptionKey, demo.AuthenticationKey); err == nil {
			t.Error("an association with the old keys was accepted")
		}
	}
	checkKeys(r)
	// The 06:15 push is sealed with the new keys: the head-end, which
	// knows only those, takes it.
	r.run(16 * time.Minute)
	he.rec.wait(t, 4, 0)

	r.stop()
	r2 := startFile(t, f, "constant:1000", state)
	r2.counters = r.counters // the client's, which the meter remembers
	checkKeys(r2)
	r2.run(time.Hour) // the 07:15 push
	he.rec.wait(t, 8, 0)
	for _, reason := range []string{hespush.ReasonAuth, hespush.ReasonReplay} {
		if n := he.counted(t, reason); n != 0 {
			t.Errorf("%v pushes refused as %s", n, reason)
		}
	}
}
