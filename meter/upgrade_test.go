package meter

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
)

func vendorKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// upload transfers raw in blocks and verifies it.
func upload(m *Meter, raw []byte) error {
	bs := m.Config().Firmware.BlockSize
	if err := m.FirmwareInitiate([]byte("img"), uint32(len(raw))); err != nil {
		return err
	}
	for n := uint32(0); int(n*bs) < len(raw); n++ {
		if err := m.FirmwareBlock(n, raw[n*bs:min(int((n+1)*bs), len(raw))]); err != nil {
			return err
		}
	}
	return m.FirmwareVerify()
}

func TestFirmwareUpgradeKeepsMetrologyIdentity(t *testing.T) {
	k := vendorKey(t)
	r := newRig(t, Config{Firmware: FirmwareConfig{PublicKey: &k.PublicKey}}, Options{})
	r.load = watts(2000)
	r.run(time.Minute, time.Second)
	before := r.m.MetrologyIdentity()
	energyBefore := r.m.Energy()
	if r.m.Firmware().Active.Version != "amigo-mgmt 1.0.0" {
		t.Fatalf("factory version %q", r.m.Firmware().Active.Version)
	}

	raw, _ := firmware.Build(k, "amigo-mgmt", "amigo-mgmt 2.0.0", make([]byte, 5000))
	if err := upload(r.m, raw); err != nil {
		t.Fatal(err)
	}
	if err := r.m.FirmwareActivate(); err != nil {
		t.Fatal(err)
	}
	r.run(time.Minute, time.Second) // the first step runs the new image's self-test
	fw := r.m.Firmware()
	if fw.Active.Version != "amigo-mgmt 2.0.0" || fw.Trial || fw.Passive.Version != "amigo-mgmt 1.0.0" {
		t.Fatalf("slots %+v", fw)
	}
	after := r.m.MetrologyIdentity()
	if after != before {
		t.Fatalf("metrology identity changed by a management-core upgrade:\n%+v\n%+v", before, after)
	}
	if e := r.m.Energy(); e.Total[energy.ActiveImport] <= energyBefore.Total[energy.ActiveImport] {
		t.Fatal("registers stopped or went back across the upgrade")
	}
	got := codes(r.m.Events(eventlog.Firmware))
	want := []eventlog.Code{eventlog.FirmwareTransferStarted, eventlog.FirmwareReady, eventlog.FirmwareActivated, eventlog.FirmwareCommitted}
	if !slices.Equal(got, want) {
		t.Fatalf("firmware log %v, want %v", got, want)
	}
}

func TestFirmwareRefusals(t *testing.T) {
	k := vendorKey(t)
	r := newRig(t, Config{Firmware: FirmwareConfig{PublicKey: &k.PublicKey}}, Options{})
	before := r.m.MetrologyIdentity()
	forged, _ := firmware.Build(vendorKey(t), "amigo-mgmt", "evil", []byte("x"))
	other, _ := firmware.Build(k, "amigo-metrology", "9.9", []byte("x"))
	good, _ := firmware.Build(k, "amigo-mgmt", "2.0", make([]byte, 1000))
	for name, raw := range map[string][]byte{"wrong signature": forged, "wrong target": other} {
		if err := upload(r.m, raw); !errors.Is(err, firmware.ErrVerify) {
			t.Errorf("%s: %v", name, err)
		}
		if err := r.m.FirmwareActivate(); err == nil {
			t.Errorf("%s: activated", name)
		}
	}
	// Truncated: all but the last block sent.
	r.m.FirmwareInitiate([]byte("img"), uint32(len(good)))
	bs := int(r.m.Config().Firmware.BlockSize)
	for n := 0; (n+1)*bs < len(good); n++ {
		r.m.FirmwareBlock(uint32(n), good[n*bs:(n+1)*bs])
	}
	if err := r.m.FirmwareVerify(); !errors.Is(err, firmware.ErrVerify) {
		t.Errorf("truncated: %v", err)
	}
	if got := r.m.Firmware().Active.Version; got != "amigo-mgmt 1.0.0" {
		t.Fatalf("active version %q after refusals", got)
	}
	n := 0
	for _, e := range r.m.Events(eventlog.Firmware) {
		if e.Code == eventlog.FirmwareVerifyFailed {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d refusals logged, want 3", n)
	}
	if r.m.MetrologyIdentity() != before {
		t.Fatal("metrology identity changed")
	}
}

func TestFirmwareRollbackOnFailedSelfTest(t *testing.T) {
	k := vendorKey(t)
	selfTest := func(version string, payload []byte) error {
		if string(payload) == "broken" {
			return errors.New("watchdog")
		}
		return nil
	}
	r := newRig(t, Config{Firmware: FirmwareConfig{PublicKey: &k.PublicKey}}, Options{SelfTest: selfTest})
	raw, _ := firmware.Build(k, "amigo-mgmt", "amigo-mgmt 3.0.0", []byte("broken"))
	if err := upload(r.m, raw); err != nil {
		t.Fatal(err)
	}
	r.m.FirmwareActivate()
	if r.m.Firmware().Active.Version != "amigo-mgmt 3.0.0" {
		t.Fatal("not activated")
	}
	r.run(time.Second, time.Second)
	if fw := r.m.Firmware(); fw.Active.Version != "amigo-mgmt 1.0.0" || fw.Trial {
		t.Fatalf("not rolled back: %+v", fw)
	}
	if r.m.LastEvent(eventlog.Firmware) != eventlog.FirmwareRolledBack {
		t.Fatal("rollback not logged")
	}
}
