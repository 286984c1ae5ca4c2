package device_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/nilm/nilmtest"
)

// pushed is one appliance event as a push carried it.
type pushed struct {
	ldn              string
	appliance, state uint64
	deltaW           int64
	stamp            []byte
}

// TestNILMOverDLMS runs `amigo meter --samples home.csv` with the NILM
// module enabled (a meter.toml naming a library and its key): a household
// of held-out PLAID appliances plays through the real metrology core; the
// appliance event log read with the project's DLMS client shows the
// module's events, each event arrives as a push at a listener, and a
// library update over the image transfer switches the version while a
// tampered library is refused, logged, and leaves the old one.
func TestNILMOverDLMS(t *testing.T) {
	k := nilmtest.Shared(t, 8000, 0, 1)
	frames, _, n, err := k.Home(4, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	frames = frames[:2*min(n, 20*8000)] // the first households: 20 s
	dir, state := t.TempDir(), t.TempDir()
	if err := appliance.WriteCSV(filepath.Join(dir, "home.csv"), frames); err != nil {
		t.Fatal(err)
	}
	v1, err := k.Library(1)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "nilm.lib"), v1, 0o600)
	os.WriteFile(filepath.Join(dir, "nilm.pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	demo := config.Demo().Security
	opened := map[string]*dlms.SecurityContext{} // per meter: its counter window
	l, err := dlms.ListenPush(dlms.PushConfig{Listen: "127.0.0.1:0", Security: func(title []byte) (*dlms.SecurityContext, error) {
		if sec, ok := opened[string(title)]; ok {
			return sec, nil
		}
		sec, err := dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: demo.EncryptionKey, AuthenticationKey: demo.AuthenticationKey,
			LocalTitle: push.HeadEndTitle[:], PeerTitle: title, Policy: dlms.SecurityAuthenticatedEncryption,
			Counters: dlms.NewMemoryCounters(), SendKey: "unused", ReceiveKey: "meter"})
		opened[string(title)] = sec
		return sec, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan pushed, 100)
	go l.Serve(ctx, func(n dlms.Notification) {
		b := n.Body // structure{push setup, ldn, time, structure{appliance, state, ΔP, …}}
		a, _ := b[5].Uint()
		s, _ := b[6].Uint()
		dp, _ := b[7].Int()
		got <- pushed{string(b[2].Bytes), a, s, dp, bytes.Clone(b[3].Bytes)}
	})
	toml := fmt.Sprintf("serial = \"0000000077\"\n[modules.nilm]\nenabled = true\nlibrary = \"nilm.lib\"\npublic_key = \"nilm.pub.pem\"\npush = %q\n", l.Addr())
	os.WriteFile(filepath.Join(dir, "meter.toml"), []byte(toml), 0o600)
	f, err := config.Load(filepath.Join(dir, "meter.toml"))
	if err != nil {
		t.Fatal(err)
	}
	r := startDevice(t, device.Config{File: f, StateDir: state, Samples: filepath.Join(dir, "home.csv"), Rate: 8000})
	d := r.d
	r.run(20 * time.Second)

	events := d.NILM().Events()
	if len(events) < 16 { // two households of four appliances, 9 s each
		t.Fatalf("%d events in 20 s of households switching every second", len(events))
	}
	rd := r.client(objects.Reader)
	buf := get(t, rd, cosem.ClassProfileGeneric, nilm.EventLogLN, 2)
	if buf[0].N != len(events) {
		t.Fatalf("the log read over DLMS has %d rows, the module %d events", buf[0].N, len(events))
	}
	for i, e := range events {
		row := buf[1+i*8 : 1+(i+1)*8] // structure, time, six elements
		id, _ := row[2].Uint()
		state, _ := row[3].Uint()
		dp, _ := row[4].Int()
		if id != uint64(e.Appliance) || (state == 1) != e.On || dp != int64(math.Round(e.DeltaW)) {
			t.Errorf("row %d: appliance %d state %d ΔP %d; event %+v", i, id, state, dp, e)
		}
	}
	// A range read by the clock: the events of the first ten seconds.
	from, to := axdr.FromTime(monday6), axdr.FromTime(monday6.Add(10*time.Second))
	sel := cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: axdr.OctetString(from.Append(nil)), To: axdr.OctetString(to.Append(nil))}.Selector()
	part, err := rd.Get(ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: nilm.EventLogLN, ID: 2}, sel)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.IndexFunc(events, func(e nilm.Event) bool { return e.At.After(monday6.Add(10 * time.Second)) })
	if part[0].N != first {
		t.Errorf("range read: %d rows, %d events in the first 10 s", part[0].N, first)
	}
	apps := get(t, rd, cosem.ClassData, nilm.AppliancesLN, 2)
	if apps[0].N != 12 {
		t.Errorf("appliance table of %d", apps[0].N)
	}

	// Each push goes on its own connection, so they may arrive out of
	// order: sort them by the event's time.
	var ps []pushed
	for range events {
		ps = append(ps, <-got)
	}
	slices.SortFunc(ps, func(a, b pushed) int { return bytes.Compare(a.stamp, b.stamp) })
	for i, e := range events {
		p := ps[i]
		if p.ldn != "AMG0000000077" || p.appliance != uint64(e.Appliance) || (p.state == 1) != e.On || p.deltaW != int64(math.Round(e.DeltaW)) {
			t.Errorf("push %d: %+v; event %+v", i, p, e)
		}
	}

	// Library updates over the image transfer, as the management client.
	mg := r.client(objects.Management)
	upload := func(lib []byte) error {
		if err := action(t, mg, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 1,
			axdr.Structure(2), axdr.OctetString([]byte("nilm-lib")), axdr.Uint32(uint32(len(lib)))); err != nil {
			return err
		}
		bs := int(getUint(t, mg, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 2))
		for n := 0; n*bs < len(lib); n++ {
			if err := action(t, mg, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 2,
				axdr.Structure(2), axdr.Uint32(uint32(n)), axdr.OctetString(lib[n*bs:min((n+1)*bs, len(lib))])); err != nil {
				return err
			}
		}
		if err := action(t, mg, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 3, axdr.Int8(0)); err != nil {
			return err
		}
		return action(t, mg, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 4, axdr.Int8(0))
	}
	version := func() uint64 {
		v, _ := get(t, rd, cosem.ClassData, nilm.LibraryLN, 2)[1].Uint()
		return v
	}
	v2, _ := k.Library(2)
	if err := upload(v2); err != nil {
		t.Fatal(err)
	}
	if v := version(); v != 2 {
		t.Fatalf("library version %d after the update", v)
	}
	v3, _ := k.Library(3)
	v3[40] ^= 1
	if err := upload(v3); err == nil {
		t.Fatal("a tampered library was activated")
	}
	if v := version(); v != 2 {
		t.Fatalf("library version %d after a tampered update", v)
	}
	if res, _ := get(t, rd, cosem.ClassData, nilm.LibraryLN, 2)[4].Uint(); res != uint64(nilm.BadSignature) {
		t.Errorf("last_update %d after a tampered library", res)
	}
	want := []eventlog.Code{eventlog.NILMLibraryActivated, eventlog.NILMLibraryRefused}
	if got := eventsOf(t, rd, eventlog.Firmware); !slices.Equal(got, want) {
		t.Errorf("firmware log %v, want %v", got, want)
	}
	if b, err := os.ReadFile(filepath.Join(state, "nilm-library.amnl")); err != nil || !bytes.Equal(b, v2) {
		t.Errorf("the state directory does not keep v2: %v", err)
	}
}

func TestNILMNeedsAWaveform(t *testing.T) {
	f := config.Demo()
	f.NILM.Enabled = true
	if _, err := device.New(device.Config{File: f, Listen: "127.0.0.1:0", Tick: -1}); err == nil {
		t.Fatal("a NILM module on a load model")
	}
}
