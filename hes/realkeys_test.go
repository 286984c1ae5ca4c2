package hes

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/objects"
)

// TestRealMeterKeyRotation rotates a software meter's keys with the
// head-end's key-rotation job (key_transfer wrapped with the master key of
// its meter.toml), restarts the meter on its state directory, and reads
// it again: the head-end reads with the new keys, a client with the old
// ones is refused, one with the new ones (resynchronised through the
// invocation counter object, which the restart kept) is served.
func TestRealMeterKeyRotation(t *testing.T) {
	r := startRealMeter(t, `serial = "0000000001"`, device.Config{Load: "constant:1000", StateDir: t.TempDir()}, 15*time.Minute)
	ctx := context.Background()
	demo := config.Demo().Security
	j := r.run(Request{Kind: RotateKeys, Meter: r.serial, Actor: "secops"})
	var res KeyResult
	if err := json.Unmarshal(j.Result, &res); err != nil || !strings.HasPrefix(res.KeySet, r.serial+"@") {
		t.Fatalf("rotation: %s", j.Result)
	}
	m, _ := r.h.Registry().BySerial(r.serial)
	keys, err := r.h.Registry().Keys(ctx, m.KeysRef)
	if err != nil || m.KeysRef != res.KeySet || len(keys.EK) != dlms.KeySize || bytes.Equal(keys.EK, demo.EncryptionKey) || bytes.Equal(keys.AK, demo.AuthenticationKey) {
		t.Fatalf("the registry's key set %q is not a new one (%v)", m.KeysRef, err)
	}
	r.run(Request{Kind: ReadRegisters, Meter: r.serial})

	r.restart()
	r.run(Request{Kind: ReadRegisters, Meter: r.serial})
	// A client of its own: it learns the counter to start above from the
	// public client, then associates with a key pair.
	addr := r.d.Addr().String()
	associate := func(ek, ak []byte) error {
		pub, err := dlms.Dial(ctx, addr, dlms.ClientConfig{Client: objects.Public})
		if err != nil {
			return err
		}
		defer pub.Close()
		if err := pub.Associate(ctx); err != nil {
			return err
		}
		v, err := pub.Get(ctx, cosem.Ref{Class: cosem.ClassData, Name: objects.InvocationCounterLN, ID: 2}, nil)
		pub.Release(ctx)
		if err != nil {
			return err
		}
		last, _ := v[0].Uint()
		if last == 0 {
			t.Error("the restarted meter shows no invocation counter accepted")
		}
		c, err := dlms.Dial(ctx, addr, dlms.ClientConfig{Client: objects.Management, Mechanism: dlms.MechanismHighGMAC,
			SystemTitle: demo.ClientTitle, EncryptionKey: ek, AuthenticationKey: ak, Counters: dlms.NewMemoryCounters()})
		if err != nil {
			return err
		}
		defer c.Close()
		if err := c.ResumeInvocationCounter(uint32(last)); err != nil {
			return err
		}
		if err := c.Associate(ctx); err != nil {
			return err
		}
		defer c.Release(ctx)
		_, err = c.Get(ctx, cosem.Ref{Class: cosem.ClassClock, Name: ClockObject, ID: 2}, nil)
		return err
	}
	if err := associate(demo.EncryptionKey, demo.AuthenticationKey); err == nil {
		t.Error("the restarted meter accepts its old keys")
	}
	if err := associate(keys.EK, keys.AK); err != nil {
		t.Errorf("the restarted meter refuses its new keys: %v", err)
	}
}
