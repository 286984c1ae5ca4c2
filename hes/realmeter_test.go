package hes

import (
	"context"
	"encoding/hex"
	"encoding/json"
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

// TestRealMeter drives the software meter (meter/device: the management
// core, its object tree and a dlms.Server on loopback TCP) through the
// head-end: the profile read since the watermark, a register read, and a
// disconnect and reconnect read back from the meter itself.
func TestRealMeter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)
	clk := &fakeClock{t: start}
	// The demo meter in control mode 1, where remote disconnect and
	// reconnect act at once.
	file, err := config.Parse("test.toml", []byte(`serial = "0000000001"
[disconnect]
mode = 1
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
token_key = "746F6B656E206B6579206F6620746865206D65746572"
`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := device.New(device.Config{File: file, Listen: "127.0.0.1:0", Tick: -1, Clock: clk.Now, Load: "constant:1000"})
	if err != nil {
		t.Fatal(err)
	}
	serveCtx, stopServe := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.Serve(serveCtx) }()
	defer func() {
		stopServe()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	// Two hours of metering, stepped a minute at a time.
	for now := start; now.Before(start.Add(2 * time.Hour)); {
		now = now.Add(time.Minute)
		clk.mu.Lock()
		clk.t = now
		clk.mu.Unlock()
		if err := d.Advance(d.Now()); err != nil {
			t.Fatal(err)
		}
	}

	db, err := meta.OpenSQLite(ctx, filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	serial := file.Meter.Serial
	addr, _ := registry.ParseAddress(d.Addr().String())
	sec := file.Security
	if _, err := registry.Import(ctx, db, "test", []registry.Entry{{Where: "test", Serial: serial, Address: addr, KeysRef: "demo", Group: "real"}},
		map[string]registry.KeySet{"demo": {EK: sec.EncryptionKey, AK: sec.AuthenticationKey, Password: sec.Password}}); err != nil {
		t.Fatal(err)
	}
	if title := registry.DefaultSystemTitle(serial); string(objects.SystemTitle(serial)) != string(title[:]) {
		t.Errorf("the meter's system title %X is not the registry's default %X", objects.SystemTitle(serial), title)
	}
	rec := &recorder{}
	var outcomes []Outcome
	var outMu sync.Mutex
	onOutcome := func(o Outcome) {
		outMu.Lock()
		defer outMu.Unlock()
		outcomes = append(outcomes, o)
	}
	h, err := New(ctx, Config{Meta: db, Publisher: rec, ClientTitle: sec.ClientTitle, Clock: clockFunc(clk.Now), InitialBackfill: 3 * time.Hour, OnOutcome: onOutcome})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- h.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	run := func(r Request) Job {
		t.Helper()
		id, err := h.Submit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		j, err := h.Wait(ctx, id, 5*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != meta.JobDone {
			t.Fatalf("%s: %s", r.Kind, j.Result)
		}
		return j
	}

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
	outMu.Lock()
	defer outMu.Unlock()
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
