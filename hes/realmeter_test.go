package hes

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/metrology/signal"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/nilm/nilmtest"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// fakeClock is the software meter's host clock, moved by the test.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// realRig is a software meter (meter/device: the management core, its
// object tree and a dlms.Server on loopback TCP) with some metering behind
// it, registered with a running head-end.
type realRig struct {
	d        *device.Device
	clk      *fakeClock
	h        *HeadEnd
	rec      *recorder
	serial   string
	outcomes []Outcome
	mu       sync.Mutex
	run      func(Request) Job // submits and waits; fails the test unless done
	restart  func()            // stops the meter cleanly and starts it again on its address
}

func startRealMeter(t *testing.T, toml string, dc device.Config, history time.Duration) *realRig {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	start := time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)
	r := &realRig{clk: &fakeClock{t: start}, rec: &recorder{}}
	file, err := config.Parse("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	dc.File, dc.Listen, dc.Tick, dc.Clock = file, "127.0.0.1:0", -1, r.clk.Now
	// serve starts the device; the stop it returns (also run at cleanup)
	// shuts it down cleanly.
	serve := func() func() {
		if r.d, err = device.New(dc); err != nil {
			t.Fatal(err)
		}
		serveCtx, stopServe := context.WithCancel(ctx)
		served := make(chan error, 1)
		go func(d *device.Device) { served <- d.Serve(serveCtx) }(r.d)
		stop := sync.OnceFunc(func() {
			stopServe()
			if err := <-served; err != nil {
				t.Error(err)
			}
		})
		t.Cleanup(stop)
		return stop
	}
	stopMeter := serve()
	r.restart = func() {
		t.Helper()
		stopMeter()
		dc.Listen = r.d.Addr().String() // where the registry has it
		stopMeter = serve()
	}
	// The history, stepped a minute at a time.
	end := start.Add(history)
	for now := start; now.Before(end); {
		if now = now.Add(time.Minute); now.After(end) {
			now = end
		}
		r.clk.mu.Lock()
		r.clk.t = now
		r.clk.mu.Unlock()
		if err := r.d.Advance(r.d.Now()); err != nil {
			t.Fatal(err)
		}
	}

	db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.serial = file.Meter.Serial
	addr, _ := registry.ParseAddress(r.d.Addr().String())
	sec := file.Security
	if _, err := registry.Import(ctx, db, "test", []registry.Entry{{Where: "test", Serial: r.serial, Address: addr, KeysRef: "demo", Group: "real"}},
		map[string]registry.KeySet{"demo": {EK: sec.EncryptionKey, AK: sec.AuthenticationKey, KEK: sec.MasterKey, Password: sec.Password}}); err != nil {
		t.Fatal(err)
	}
	if title := registry.DefaultSystemTitle(r.serial); string(objects.SystemTitle(r.serial)) != string(title[:]) {
		t.Errorf("the meter's system title %X is not the registry's default %X", objects.SystemTitle(r.serial), title)
	}
	onOutcome := func(o Outcome) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.outcomes = append(r.outcomes, o)
	}
	if r.h, err = New(ctx, Config{Meta: db, Publisher: r.rec, ClientTitle: sec.ClientTitle, Clock: clockFunc(r.clk.Now), InitialBackfill: 3 * time.Hour, OnOutcome: onOutcome}); err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.h.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	r.run = func(req Request) Job {
		t.Helper()
		id, err := r.h.Submit(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		j, err := r.h.Wait(ctx, id, 5*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != meta.JobDone {
			t.Fatalf("%s: %s", req.Kind, j.Result)
		}
		return j
	}
	return r
}

// TestRealMeter drives the software meter through the head-end: the
// profile read since the watermark, a register read, the status, a token
// top-up, and a disconnect and reconnect read back from the meter itself.
func TestRealMeter(t *testing.T) {
	// The demo meter in control mode 1, where remote disconnect and
	// reconnect act at once.
	r := startRealMeter(t, `serial = "0000000001"
[disconnect]
mode = 1
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
token_key = "746F6B656E206B6579206F6620746865206D65746572"
`, device.Config{Load: "constant:1000"}, 2*time.Hour)
	start := time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)
	run, rec, d, serial, clk := r.run, r.rec, r.d, r.serial, r.clk
	j := run(Request{Kind: ReadProfile, Meter: serial})
	var res ReadResult
	json.Unmarshal(j.Result, &res)
	// 06:15 … 08:00: eight 15-minute entries.
	if res.First != start.Add(15*time.Minute) || res.Last != start.Add(2*time.Hour) {
		t.Errorf("profile read %+v", res)
	}
	var imports []store.Reading
	for _, r := range rec.readings(t) {
		if r.Channel == store.ActiveImport {
			imports = append(imports, r)
		}
	}
	// A constant 1 000 W load: 250 Wh per quarter hour.
	for i := 1; i < len(imports); i++ {
		if dv := imports[i].Value - imports[i-1].Value; dv != 250 {
			t.Errorf("entry %d: +%d Wh in 15 minutes, want 250", i, dv)
		}
	}
	if len(imports) != 8 {
		t.Errorf("%d +A entries, want 8", len(imports))
	}
	// Nothing new: the next read publishes nothing.
	j = run(Request{Kind: ReadProfile, Meter: serial})
	if json.Unmarshal(j.Result, &res); res.Readings != 0 {
		t.Errorf("second read published %d readings", res.Readings)
	}
	run(Request{Kind: ReadRegisters, Meter: serial})

	// The status read: supply connected, the credit account in euro cents.
	var before StatusResult
	j = run(Request{Kind: ReadStatus, Meter: serial})
	if json.Unmarshal(j.Result, &before); before.Supply == nil || *before.Supply != (SupplyResult{Output: true, State: "connected"}) ||
		before.Credit == nil || before.Credit.Currency != "EUR" || before.Credit.Scale != -2 {
		t.Fatalf("status: %s", j.Result)
	}
	// A token of €20 from the vending key adds 2000 cents.
	key := []byte("token key of the meter")
	token := prepay.MakeToken(key, serial, 1, 20*tariff.Money(1e9))
	j = run(Request{Kind: CreditTopUp, Meter: serial, Params: json.RawMessage(`{"token":"` + hex.EncodeToString(token) + `"}`)})
	var credit CreditResult
	if json.Unmarshal(j.Result, &credit); credit != (CreditResult{Credit: before.Credit.Credit + 2000, Currency: "EUR", Scale: -2}) {
		t.Errorf("top-up: %s, credit before %d", j.Result, before.Credit.Credit)
	}

	j = run(Request{Kind: Disconnect, Meter: serial, Actor: "ops"})
	var supply SupplyResult
	if json.Unmarshal(j.Result, &supply); supply.State != "disconnected" || d.Meter().Connected() {
		t.Errorf("disconnect: %s, meter connected %t", j.Result, d.Meter().Connected())
	}
	// In control mode 1 the customer completes a remote reconnect.
	j = run(Request{Kind: Reconnect, Meter: serial, Actor: "ops"})
	if json.Unmarshal(j.Result, &supply); supply != (SupplyResult{Output: false, State: "ready_for_reconnection"}) {
		t.Errorf("reconnect: %s", j.Result)
	}
	// Every job above told its outcome, with its result.
	r.mu.Lock()
	defer r.mu.Unlock()
	outcomes := r.outcomes
	kindsSeen := make([]Kind, len(outcomes))
	for i, o := range outcomes {
		kindsSeen[i] = o.Kind
		if o.Err != nil || o.Meter.Serial != serial || o.Job == 0 || !o.At.Equal(clk.Now()) {
			t.Errorf("outcome %d: %+v", i, o)
		}
	}
	want := []Kind{ReadProfile, ReadProfile, ReadRegisters, ReadStatus, CreditTopUp, Disconnect, Reconnect}
	if !slices.Equal(kindsSeen, want) {
		t.Errorf("outcomes of %v, want %v", kindsSeen, want)
	}
	if s, ok := outcomes[5].Result.(SupplyResult); !ok || s.State != "disconnected" {
		t.Errorf("disconnect outcome: %#v", outcomes[5].Result)
	}
}

// clockFunc is a clock.Clock telling the fake time, waiting in real time.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time                         { return f() }
func (f clockFunc) After(d time.Duration) <-chan time.Time { return time.After(d) }

// TestRealMeterPowerQuality reads the power quality of a software meter
// playing the IEEE 1459-2010 Annex B waveform through the real metrology
// core (ARCHITECTURE §5: U = 100∠0°, 8∠−70°, 15∠140°, 5∠20° and I =
// 100∠−30°, 20∠−165°, 15∠234°, 10∠234° RMS for h = 1, 3, 5, 7; THD_V
// 17.720 %, THD_I 26.926 %), and publishes its instantaneous values.
func TestRealMeterPowerQuality(t *testing.T) {
	const rate = 8000
	s := &signal.Signal{Rate: rate, Frequency: 50, Phases: [3]*signal.Phase{new(signal.AnnexB())}}
	frames, err := s.Samples(rate) // one second: 50 whole cycles, looped seamlessly
	if err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "annexb.csv")
	if err := appliance.WriteCSV(csv, frames); err != nil {
		t.Fatal(err)
	}
	r := startRealMeter(t, `serial = "0000000002"`, device.Config{Samples: csv, Rate: rate}, 3*time.Second)
	j := r.run(Request{Kind: ReadPowerQuality, Meter: r.serial})
	var pq PowerQualityResult
	if err := json.Unmarshal(j.Result, &pq); err != nil {
		t.Fatal(err)
	}
	within := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s: %g, want %g ± %g", what, got, want, tol)
		}
	}
	if len(pq.Phases) != 1 || pq.Phases[0].Phase != "a" || len(pq.Phases[0].Harmonics) != 25 || pq.Waveform == nil {
		t.Fatalf("capture %s", j.Result)
	}
	a := pq.Phases[0]
	within("U", a.U, math.Sqrt(100*100+8*8+15*15+5*5), 0.1)
	within("THD U", a.THDU, 0.17720, 0.0002)
	within("THD I", a.THDI, 0.26926, 0.0002)
	within("frequency", pq.FrequencyHz, 50, 0.01)
	for _, h := range []HarmonicRMS{{1, 100, 100}, {3, 8, 20}, {5, 15, 15}, {7, 5, 10}, {4, 0, 0}} {
		got := a.Harmonics[h.H-1]
		within(fmt.Sprint("U", h.H), got.U, h.U, 0.2)
		within(fmt.Sprint("I", h.H), got.I, h.I, 0.2)
	}
	if pq.Waveform.RateHz != rate || len(pq.Waveform.U["a"]) != 2*rate/50 || len(pq.Waveform.I["a"]) != 2*rate/50 {
		t.Errorf("waveform at %g Hz, %d and %d samples", pq.Waveform.RateHz, len(pq.Waveform.U["a"]), len(pq.Waveform.I["a"]))
	}
	// The instantaneous values went to the bus in the meter's units:
	// voltage L1 in 0.1 V, THD in 0.01 %.
	got := map[store.Channel]int64{}
	for _, x := range r.rec.readings(t) {
		got[x.Channel] = x.Value
	}
	if u := got[store.Channel{1, 0, 32, 7, 0, 255}]; u < 1013 || u > 1017 {
		t.Errorf("voltage L1 reading %d (0.1 V)", u)
	}
	if thd := got[store.Channel{1, 0, 32, 7, thdE, 255}]; thd < 1770 || thd > 1774 {
		t.Errorf("THD U reading %d (0.01 %%)", thd)
	}
}

// TestRealMeterAppliances reads a software meter's NILM module (a
// household of held-out PLAID appliances through the real metrology
// core): the appliance table names the ids, the events go to the bus
// packed on the appliance log's channel, and a second read publishes
// only what is new.
func TestRealMeterAppliances(t *testing.T) {
	k := nilmtest.Shared(t, 8000, 0, 1)
	frames, _, n, err := k.Home(4, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	frames = frames[:2*min(n, 20*8000)] // 20 s of households switching every second
	dir := t.TempDir()
	if err := appliance.WriteCSV(filepath.Join(dir, "home.csv"), frames); err != nil {
		t.Fatal(err)
	}
	lib, err := k.Library(1)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.Key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "nilm.lib"), lib, 0o600)
	os.WriteFile(filepath.Join(dir, "nilm.pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600)
	toml := fmt.Sprintf("serial = \"0000000003\"\n[modules.nilm]\nenabled = true\nlibrary = %q\npublic_key = %q\n",
		filepath.Join(dir, "nilm.lib"), filepath.Join(dir, "nilm.pub.pem"))
	r := startRealMeter(t, toml, device.Config{Samples: filepath.Join(dir, "home.csv"), Rate: 8000}, 10*time.Second)

	var res AppliancesResult
	json.Unmarshal(r.run(Request{Kind: ReadAppliances, Meter: r.serial}).Result, &res)
	events := r.d.NILM().Events()
	if len(events) < 8 || res.Events != len(events) || len(res.Appliances) != 12 || res.Appliances[0].Label == "" {
		t.Fatalf("read %+v; the module has %d events", res, len(events))
	}
	var got []meterdata.ApplianceEvent
	for _, x := range r.rec.readings(t) {
		if x.Channel == meterdata.ApplianceLog {
			got = append(got, meterdata.ApplianceEventOf(x.Value))
		}
	}
	if len(got) != len(events) {
		t.Fatalf("%d appliance events published, %d in the module", len(got), len(events))
	}
	for i, e := range events {
		if g := got[i]; g.Appliance != e.Appliance || g.On != e.On || g.DeltaW != int32(math.Round(e.DeltaW)) {
			t.Errorf("event %d: published %+v, the module's %+v", i, g, e)
		}
	}
	// Ten seconds more: the next read publishes the new events only.
	before := len(events)
	end := r.clk.Now().Add(10 * time.Second)
	r.clk.mu.Lock()
	r.clk.t = end
	r.clk.mu.Unlock()
	if err := r.d.Advance(r.d.Now()); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(r.run(Request{Kind: ReadAppliances, Meter: r.serial}).Result, &res)
	if after := len(r.d.NILM().Events()); res.Events != after-before || after == before {
		t.Errorf("second read published %d events; the module went from %d to %d", res.Events, before, after)
	}
}
