package device_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/firmware"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/tariff"
)

// These tests run a device (metrology driver, meter, object tree, DLMS
// server on 127.0.0.1:0) and talk to it with the project's own DLMS client
// over TCP. Time is a fake clock the test advances; the device is stepped
// with Advance, so nothing depends on the wall clock.

// monday6 is Monday 3 June 2024 06:00 UTC.
var monday6 = time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

type rig struct {
	t        *testing.T
	d        *device.Device
	clock    *fakeClock
	addr     string
	counters dlms.CounterStore // the management client's, across associations
	stop     func()            // stops the device (once), as a clean shutdown
}

func start(t *testing.T, toml, load string) *rig {
	t.Helper()
	f, err := config.Parse("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	return startFile(t, f, load, "")
}

func startFile(t *testing.T, f config.File, load, state string) *rig {
	t.Helper()
	return startDevice(t, device.Config{File: f, Load: load, StateDir: state})
}

// startDevice serves a device of cfg on a free port, on a fake clock
// starting at monday6 and stepped by the test.
func startDevice(t *testing.T, cfg device.Config) *rig {
	t.Helper()
	clk := &fakeClock{t: monday6}
	cfg.Listen, cfg.Tick, cfg.Clock = "127.0.0.1:0", -1, clk.Now
	d, err := device.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	stop := serveInBackground(t, "device", d.Serve)
	return &rig{t: t, d: d, clock: clk, addr: d.Addr().String(), counters: dlms.NewMemoryCounters(), stop: stop}
}

// serveInBackground runs serve until the stop it returns (also run at
// cleanup) cancels it, and then waits for it to return without error.
func serveInBackground(t *testing.T, what string, serve func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx) }()
	stop = sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", what, err)
		}
	})
	t.Cleanup(stop)
	return stop
}

// run advances the fake clock by d in steps of at most a minute.
func (r *rig) run(d time.Duration) {
	r.t.Helper()
	end := r.clock.Now().Add(d)
	for now := r.clock.Now(); now.Before(end); {
		now = now.Add(time.Minute)
		if now.After(end) {
			now = end
		}
		r.clock.mu.Lock()
		r.clock.t = now
		r.clock.mu.Unlock()
		if err := r.d.Advance(r.d.Now()); err != nil {
			r.t.Fatal(err)
		}
	}
}

// client associates as one of the three clients.
func (r *rig) client(sap uint16) *dlms.Client {
	r.t.Helper()
	cfg := dlms.ClientConfig{Client: sap}
	switch sap {
	case objects.Reader:
		cfg.Mechanism, cfg.Password = dlms.MechanismLow, []byte("00000000")
	case objects.Management:
		demo := config.Demo().Security
		cfg.Mechanism, cfg.SystemTitle = dlms.MechanismHighGMAC, demo.ClientTitle
		cfg.EncryptionKey, cfg.AuthenticationKey, cfg.Counters = demo.EncryptionKey, demo.AuthenticationKey, r.counters
	}
	ctx := context.Background()
	c, err := dlms.Dial(ctx, r.addr, cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := c.Associate(ctx); err != nil {
		r.t.Fatalf("client %d: associate: %v", sap, err)
	}
	r.t.Cleanup(func() { c.Release(context.Background()); c.Close() })
	return c
}

func get(t *testing.T, c *dlms.Client, class cosem.ClassID, name [6]byte, attr int8) []axdr.Value {
	t.Helper()
	v, err := c.Get(context.Background(), cosem.Ref{Class: class, Name: name, ID: attr}, nil)
	if err != nil {
		t.Fatalf("GET %v/%d: %v", cosem.OBIS(name), attr, err)
	}
	return v
}

func getUint(t *testing.T, c *dlms.Client, class cosem.ClassID, name [6]byte, attr int8) uint64 {
	t.Helper()
	v := get(t, c, class, name, attr)
	u, ok := v[0].Uint()
	if !ok {
		t.Fatalf("GET %v/%d: %v is not unsigned", cosem.OBIS(name), attr, v[0])
	}
	return u
}

func getInt(t *testing.T, c *dlms.Client, class cosem.ClassID, name [6]byte, attr int8) int64 {
	t.Helper()
	v := get(t, c, class, name, attr)
	i, ok := v[0].Int()
	if !ok {
		t.Fatalf("GET %v/%d: %v is not an integer", cosem.OBIS(name), attr, v[0])
	}
	return i
}

func action(t *testing.T, c *dlms.Client, class cosem.ClassID, name [6]byte, m int8, p ...axdr.Value) error {
	t.Helper()
	_, err := c.Action(context.Background(), cosem.Ref{Class: class, Name: name, ID: m}, p)
	return err
}

func accessResult(err error) dlms.DataAccessResult {
	var ae dlms.AccessError
	if errors.As(err, &ae) {
		return ae.Result
	}
	return 0
}

// TestEveryObjectEveryClient reads the association view of each client and
// every attribute its rights let it read, and checks what it may not do.
func TestEveryObjectEveryClient(t *testing.T) {
	r := start(t, demoTOML, "constant:3600")
	r.run(time.Hour)
	ctx := context.Background()
	seen := map[uint16]int{}
	for _, sap := range []uint16{objects.Public, objects.Reader, objects.Management} {
		c := r.client(sap)
		list, err := c.ObjectList(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			for a := int8(1); int(a) <= len(e.Rights.Attributes); a++ {
				if !e.Rights.Attribute(a).Access.CanRead(sap == objects.Management) {
					continue
				}
				_, err := c.Get(ctx, cosem.Ref{Class: e.Class, Name: e.Name, ID: a}, nil)
				if accessResult(err) == dlms.ObjectUnavailable && objects.IsQuality(e.Name) {
					continue // a load model's meter analyses no window
				}
				if err != nil {
					t.Errorf("client %d: GET %v (class %d) attribute %d: %v", sap, e.Name, e.Class, a, err)
				}
				seen[sap]++
			}
		}
		t.Logf("client %d: %d objects, %d attributes read", sap, len(list), seen[sap])
	}
	if seen[objects.Public] >= seen[objects.Reader] || seen[objects.Reader] > seen[objects.Management] {
		t.Errorf("attributes read: %v", seen)
	}

	pub := r.client(objects.Public)
	_, err := pub.Get(ctx, cosem.Ref{Class: cosem.ClassRegister, Name: meter.EnergyLN(energy.ActiveImport, 0), ID: 2}, nil)
	if got := accessResult(err); got != dlms.ObjectUndefined {
		t.Errorf("public read of +A: %v", err)
	}
	rd := r.client(objects.Reader)
	err = rd.Set(ctx, cosem.Ref{Class: cosem.ClassClock, Name: meter.ClockLN, ID: 3}, []axdr.Value{axdr.Int16(-60)})
	if got := accessResult(err); got != dlms.ReadWriteDenied {
		t.Errorf("reader write of the time zone: %v", err)
	}
	if err := action(t, rd, cosem.ClassDisconnectControl, objects.DisconnectLN, 1, axdr.Int8(0)); err == nil {
		t.Error("the reader disconnected the supply")
	}
	mg := r.client(objects.Management)
	err = mg.Set(ctx, cosem.Ref{Class: cosem.ClassRegister, Name: meter.EnergyLN(energy.ActiveImport, 0), ID: 2}, []axdr.Value{axdr.Uint64(0)})
	if got := accessResult(err); got != dlms.ReadWriteDenied {
		t.Errorf("management write of +A: %v", err)
	}
	if got := getUint(t, rd, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2); got != 3600 {
		t.Errorf("+A %d Wh after an hour at 3.6 kW", got)
	}
}

const demoTOML = `serial = "0000000001"`

// touTOML: weekdays tariff 1 from 07:00, tariff 2 from 21:00.
const touTOML = `
serial = "0000000002"
[tariff]
[[tariff.season]]
name = "all"
start = "*-01-01"
week = "w"
[[tariff.week]]
name = "w"
days = [1, 1, 1, 1, 1, 2, 2]
[[tariff.day]]
id = 1
actions = [{ start = "07:00", tariff = 1 }, { start = "21:00", tariff = 2 }]
[[tariff.day]]
id = 2
actions = [{ start = "00:00", tariff = 2 }]
`

func TestTOUSwitchesAtBoundaries(t *testing.T) {
	r := start(t, touTOML, "constant:3600") // 1 Wh a second
	c := r.client(objects.Reader)
	reg := func(tariff int) uint64 {
		return getUint(t, c, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, tariff), 2)
	}
	r.run(time.Hour) // to 07:00: all in tariff 2
	if reg(2) != 3600 || reg(1) != 0 || getUint(t, c, cosem.ClassData, objects.ActiveTariffLN, 2) != 1 {
		t.Fatalf("at 07:00: T1 %d T2 %d", reg(1), reg(2))
	}
	r.run(14*time.Hour + 7*time.Second) // to 21:00:07
	if reg(1) != 14*3600 || reg(2) != 3600+7 || reg(0) != reg(1)+reg(2) {
		t.Fatalf("at 21:00:07: T1 %d T2 %d total %d", reg(1), reg(2), reg(0))
	}
}

func TestTierCrossingMidMonth(t *testing.T) {
	r := start(t, `
serial = "0000000003"
start = "2024-06-30T00:00:00Z"
[tariff]
[[tariff.tier]]
up_to_kwh = 100
price = 0.10
[[tariff.tier]]
price = 0.20
[prepay]
mode = "credit"
currency = "EUR"
scale = -2
`, "constant:10000")
	c := r.client(objects.Reader)
	price := func() int64 {
		v := get(t, c, cosem.ClassCharge, objects.ConsumptionChargeLN, 5)
		p, _ := v[11].Int()
		s, _ := v[3].Int()
		for ; s > -5; s-- {
			p *= 10
		}
		return p // ×10^-5 per kWh
	}
	if price() != 10000 {
		t.Fatalf("first tier price %d", price())
	}
	r.run(11 * time.Hour) // 110 kWh: 10 kWh into tier 2
	if got := getUint(t, c, cosem.ClassRegister, objects.MonthImportLN, 2); got != 110_000 {
		t.Fatalf("month import %d", got)
	}
	if price() != 20000 {
		t.Fatalf("second tier price %d", price())
	}
	// 100 kWh × 0.10 + 10 kWh × 0.20 = 12.00
	if got := getInt(t, c, cosem.ClassCharge, objects.ConsumptionChargeLN, 2); got != 1200 {
		t.Fatalf("consumption charge %d cents", got)
	}
	r.run(14 * time.Hour) // past 1 July 00:00: the tiers start over
	if got := getUint(t, c, cosem.ClassData, objects.BillingCounterLN, 2); got != 1 {
		t.Fatalf("billing periods %d", got)
	}
	if got := getUint(t, c, cosem.ClassRegister, objects.MonthImportLN, 2); got != 10_000 {
		t.Fatalf("month import after the reset %d", got)
	}
	if price() != 10000 {
		t.Fatalf("price after the reset %d", price())
	}
}

const prepayTOML = `
serial = "0000000004"
[tariff]
prices = [1.0, 1.0, 1.0, 1.0]
[prepay]
mode = "prepayment"
currency = "EUR"
scale = -2
low_credit = 0.50
token_key = "0102030405060708090A0B0C0D0E0F10"
[disconnect]
mode = 6
`

func TestPrepaymentOverDLMS(t *testing.T) {
	r := start(t, prepayTOML, "constant:3600") // 1 Wh/s = 0.001/s at 1.00/kWh
	mg := r.client(objects.Management)
	rd := r.client(objects.Reader)
	key := []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	enter := func(id uint32, amount float64) error {
		return action(t, mg, objects.ClassTokenGateway, objects.TokenGatewayLN, 1, axdr.OctetString(prepay.MakeToken(key, "0000000004", id, money(amount))))
	}
	output := func() bool {
		v := get(t, rd, cosem.ClassDisconnectControl, objects.DisconnectLN, 2)
		b, _ := v[0].Bool()
		return b
	}
	if output() {
		t.Fatal("connected without credit")
	}
	if err := enter(1, 1.00); err != nil {
		t.Fatal(err)
	}
	if !output() || getInt(t, rd, cosem.ClassAccount, objects.AccountLN, 5) != 100 {
		t.Fatal("top-up did not connect")
	}
	r.run(16 * time.Minute) // 0.96 spent: low credit, not out
	if !output() || getInt(t, rd, cosem.ClassAccount, objects.AccountLN, 5) != 4 {
		t.Fatalf("after 16 min: connected %v, credit %d", output(), getInt(t, rd, cosem.ClassAccount, objects.AccountLN, 5))
	}
	r.run(2 * time.Minute)
	if output() {
		t.Fatal("still connected with no credit")
	}
	e0 := getUint(t, rd, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2)
	r.run(10 * time.Minute)
	if e := getUint(t, rd, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2); e != e0 {
		t.Fatalf("energy ran on while disconnected: %d → %d", e0, e)
	}
	if err := enter(1, 5.00); err == nil {
		t.Fatal("token replayed")
	}
	if err := enter(2, 5.00); err != nil {
		t.Fatal(err)
	}
	if !output() {
		t.Fatal("not reconnected after the top-up")
	}
	r.run(time.Minute)
	if e := getUint(t, rd, cosem.ClassRegister, meter.EnergyLN(energy.ActiveImport, 0), 2); e != e0+60 {
		t.Fatalf("after reconnection %d Wh, want %d", e, e0+60)
	}
	std := eventsOf(t, rd, eventlog.Standard)
	for _, want := range []eventlog.Code{eventlog.TokenAccepted, eventlog.CreditLow, eventlog.CreditExhausted, eventlog.CreditRestored} {
		if !slices.Contains(std, want) {
			t.Errorf("standard log %v lacks %s", std, want)
		}
	}
	want := []eventlog.Code{eventlog.LocalDisconnection, eventlog.LocalConnection, eventlog.LocalDisconnection, eventlog.LocalConnection}
	if got := eventsOf(t, rd, eventlog.Disconnect); !slices.Equal(got, want) {
		t.Errorf("disconnect log %v", got)
	}
}

func money(units float64) tariff.Money { return tariff.Money(units * 1e9) }

// eventsOf reads an event log's codes through its profile generic.
func eventsOf(t *testing.T, c *dlms.Client, l eventlog.Log) []eventlog.Code {
	t.Helper()
	v := get(t, c, cosem.ClassProfileGeneric, l.Profile(), 2)
	var out []eventlog.Code
	// array of structure{date-time, code}
	for i := 1; i+2 < len(v); i += 3 {
		code, _ := v[i+2].Uint()
		out = append(out, eventlog.Code(code))
	}
	return out
}

func TestProfileRangeRead(t *testing.T) {
	r := start(t, demoTOML, "constant:3600")
	r.run(2 * time.Hour)
	c := r.client(objects.Reader)
	from, to := monday6.Add(30*time.Minute), monday6.Add(time.Hour)
	sel := cosem.RangeDescriptor{Restricting: cosem.ClockTime,
		From: axdr.OctetString(axdr.FromTime(from).Append(nil)), To: axdr.OctetString(axdr.FromTime(to).Append(nil))}.Selector()
	v, err := c.Get(context.Background(), cosem.Ref{Class: cosem.ClassProfileGeneric, Name: meter.LoadProfile15, ID: 2}, sel)
	if err != nil {
		t.Fatal(err)
	}
	// 06:30, 06:45, 07:00: three rows of clock, status, +A, −A, +R, −R.
	if v[0].N != 3 || v[1].N != 6 {
		t.Fatalf("range read: %s", axdr.Format(v))
	}
	for row, want := range []uint64{1800, 2700, 3600} {
		base := 1 + row*7
		dt, _ := v[base+1].DateTime()
		at, _ := dt.TimeIn(nil)
		if a, _ := v[base+3].Uint(); a != want || !at.Equal(from.Add(time.Duration(row)*15*time.Minute)) {
			t.Errorf("row %d: %s +A %d, want %d", row, dt, a, want)
		}
	}
	// The 1-minute profile read by entry: entries 61…62, columns 1 and 3.
	e, err := c.Get(context.Background(), cosem.Ref{Class: cosem.ClassProfileGeneric, Name: meter.LoadProfile1, ID: 2},
		cosem.EntryDescriptor{FromEntry: 61, ToEntry: 62, FromValue: 3, ToValue: 3}.Selector())
	if err != nil {
		t.Fatal(err)
	}
	if e[0].N != 2 {
		t.Fatalf("entry read: %s", axdr.Format(e))
	}
	if a, _ := e[2].Uint(); a != 61*60 {
		t.Errorf("entry 61: +A %d", a)
	}
}

func TestEventLogsAfterInducedEvents(t *testing.T) {
	r := start(t, demoTOML, "constant:1000")
	r.run(time.Minute)
	m := r.d.Meter()
	m.SetSensors(meter.Sensors{MagneticField: true, TerminalCoverOpen: true})
	r.run(time.Minute)
	mg := r.client(objects.Management)
	dt := axdr.FromTime(monday6.Add(3 * time.Hour))
	if err := mg.Set(context.Background(), cosem.Ref{Class: cosem.ClassClock, Name: meter.ClockLN, ID: 2}, []axdr.Value{axdr.OctetString(dt.Append(nil))}); err != nil {
		t.Fatal(err)
	}
	// A reader with a wrong password is refused: a failed association.
	bad, err := dlms.Dial(context.Background(), r.addr, dlms.ClientConfig{Client: objects.Reader, Mechanism: dlms.MechanismLow, Password: []byte("wrong")})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Associate(context.Background()); err == nil {
		t.Fatal("wrong password accepted")
	}
	bad.Close()
	r.run(time.Minute)
	rd := r.client(objects.Reader)
	if got := eventsOf(t, rd, eventlog.Tamper); !slices.Equal(got, []eventlog.Code{eventlog.TerminalCoverOpened, eventlog.MagneticField}) {
		t.Errorf("tamper log %v", got)
	}
	if got := eventsOf(t, rd, eventlog.Standard); !slices.Equal(got, []eventlog.Code{eventlog.ClockAdjustedOld, eventlog.ClockAdjustedNew}) {
		t.Errorf("standard log %v", got)
	}
	if got := eventsOf(t, rd, eventlog.Communication); !slices.Equal(got, []eventlog.Code{eventlog.AssociationFailed}) {
		t.Errorf("communication log %v", got)
	}
	if got := getUint(t, rd, cosem.ClassData, eventlog.Tamper.CodeObject(), 2); got != uint64(eventlog.MagneticField) {
		t.Errorf("tamper event code object %d", got)
	}
}

func TestFirmwareUpgradeOverDLMS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := config.Demo()
	f.Meter.Firmware.PublicKey = &key.PublicKey
	r := startFile(t, f, "constant:1000", "")
	mg := r.client(objects.Management)
	metrologyBefore := get(t, mg, cosem.ClassData, objects.MetrologyChecksumLN, 2)[0].Bytes
	metrologyID := string(get(t, mg, cosem.ClassData, objects.MetrologyFirmwareLN, 2)[0].Bytes)
	upload := func(raw []byte) error {
		bs := int(getUint(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 2))
		if err := action(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 1,
			axdr.Structure(2), axdr.OctetString([]byte("mgmt-2")), axdr.Uint32(uint32(len(raw)))); err != nil {
			return err
		}
		for n := 0; n*bs < len(raw); n++ {
			if err := action(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 2,
				axdr.Structure(2), axdr.Uint32(uint32(n)), axdr.OctetString(raw[n*bs:min((n+1)*bs, len(raw))])); err != nil {
				return err
			}
		}
		return action(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 3, axdr.Int8(0))
	}
	forged, _ := firmware.Build(func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }(), "amigo-mgmt", "evil", make([]byte, 700))
	if err := upload(forged); err == nil {
		t.Fatal("a forged image verified")
	}
	if got := getUint(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 6); got != uint64(firmware.VerificationFailed) {
		t.Fatalf("status after a bad signature %d", got)
	}
	if err := action(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 4, axdr.Int8(0)); err == nil {
		t.Fatal("a forged image activated")
	}
	good, _ := firmware.Build(key, "amigo-mgmt", "amigo-mgmt 2.0.0", make([]byte, 1000))
	if err := upload(good); err != nil {
		t.Fatal(err)
	}
	if err := action(t, mg, cosem.ClassImageTransfer, objects.ImageTransferLN, 4, axdr.Int8(0)); err != nil {
		t.Fatal(err)
	}
	r.run(time.Minute) // the new image's first start: self-test, commit
	if got := string(get(t, mg, cosem.ClassData, objects.ManagementFirmwareLN, 2)[0].Bytes); got != "amigo-mgmt 2.0.0" {
		t.Fatalf("management firmware %q", got)
	}
	if got := get(t, mg, cosem.ClassData, objects.MetrologyChecksumLN, 2)[0].Bytes; string(got) != string(metrologyBefore) {
		t.Fatal("the metrology checksum changed with a management-core upgrade")
	}
	if got := string(get(t, mg, cosem.ClassData, objects.MetrologyFirmwareLN, 2)[0].Bytes); got != metrologyID {
		t.Fatalf("metrology software ID %q, was %q", got, metrologyID)
	}
	want := []eventlog.Code{eventlog.FirmwareTransferStarted, eventlog.FirmwareVerifyFailed, eventlog.FirmwareTransferStarted,
		eventlog.FirmwareReady, eventlog.FirmwareActivated, eventlog.FirmwareCommitted}
	if got := eventsOf(t, mg, eventlog.Firmware); !slices.Equal(got, want) {
		t.Fatalf("firmware log %v, want %v", got, want)
	}
}
