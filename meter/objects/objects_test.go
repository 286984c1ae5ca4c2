package objects

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/firmware"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/metrology"
)

var t0 = time.Date(2024, 6, 3, 6, 0, 0, 0, time.UTC)

const tokenKey = "objects test token key"

// fixture is a meter fed 3.6 kW for an hour, with prepayment and a push
// setup, and its tree.
type fixture struct {
	acc  *metrology.Accumulator
	m    *meter.Meter
	tree *Tree
	now  time.Time
}

func newFixture(t *testing.T) *fixture { return newFixtureFor(t) }

func newFixtureFor(t testing.TB) *fixture {
	t.Helper()
	price, _ := tariff.PerKWh(0.25)
	cfg := meter.Config{
		Serial:         "0000012345",
		Pricing:        tariff.Pricing{TOU: [4]tariff.Money{price, price, price, price}},
		DisconnectMode: 1,
		Prepay: &prepay.Config{Mode: prepay.PrepaymentMode, Currency: prepay.Currency{Name: "EUR", Scale: -2},
			TokenKey: []byte(tokenKey), Emergency: 5e9, EmergencyThreshold: 1e9},
		Push: []meter.PushConfig{{Setup: push.Setup{Objects: []push.Object{{Class: 1, Name: LogicalDeviceNameLN, Attr: 2}}}}},
	}
	acc, err := metrology.NewAccumulator(metrology.EnergyConfig{Start: t0, FreezePeriods: []time.Duration{}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := meter.New(cfg, acc.View(), t0, meter.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSchema(m.Config())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{acc: acc, m: m, tree: New(s, m, Config{ServerTitle: SystemTitle(cfg.Serial), InvocationCounter: func() uint32 { return 7 }}), now: t0}
	if _, err := m.TopUp(prepay.MakeToken([]byte(tokenKey), cfg.Serial, 1, 100e9)); err != nil {
		t.Fatal(err)
	}
	f.run(time.Hour, 3600)
	return f
}

func (f *fixture) run(d time.Duration, w float64) {
	for end := f.now.Add(d); f.now.Before(end); {
		f.acc.Integrate(metrology.Power{Frequency: 50, Phases: [3]metrology.PhasePower{{U: 230, I: w / 230, P: w, S: w}}}, time.Second)
		f.now = f.now.Add(time.Second)
		f.m.Step(f.now)
	}
}

func (f *fixture) get(t *testing.T, client uint16, name [6]byte, attr int8, sel *cosem.Selector) []axdr.Value {
	t.Helper()
	v, _ := f.tree.View(client)
	o, _ := v.Lookup(name)
	if o == nil {
		t.Fatalf("client %d does not see %v", client, cosem.OBIS(name))
	}
	b, err := cosem.Get(context.Background(), v, nil, cosem.Ref{Class: o.ID().Class, Name: name, ID: attr}, sel, true)
	if err != nil {
		t.Fatalf("GET %v/%d: %v", cosem.OBIS(name), attr, err)
	}
	vals, err := axdr.Decode(nil, b)
	if err != nil {
		t.Fatalf("GET %v/%d: %v", cosem.OBIS(name), attr, err)
	}
	return vals
}

func uintOf(t *testing.T, v []axdr.Value) uint64 {
	t.Helper()
	u, ok := v[0].Uint()
	if !ok {
		t.Fatalf("%v is not unsigned", v[0])
	}
	return u
}

// TestEveryAttributeReads reads every attribute of every object each
// client sees, as its rights allow, and checks each answer is one
// well-formed Data value.
func TestEveryAttributeReads(t *testing.T) {
	f := newFixture(t)
	for _, client := range []uint16{Public, Reader, Management} {
		v, _ := f.tree.View(client)
		n := 0
		for o, r := range v.Objects() {
			id := o.ID()
			for a := int8(1); int(a) <= len(r.Attributes); a++ {
				if !r.Attribute(a).Access.CanRead(true) {
					continue
				}
				b, err := cosem.Get(context.Background(), v, nil, cosem.Ref{Class: id.Class, Name: id.Name, ID: a}, nil, true)
				if err != nil {
					t.Errorf("client %d: GET %v/%d: %v", client, id.Name, a, err)
					continue
				}
				if _, err := axdr.Decode(nil, b); err != nil {
					t.Errorf("client %d: GET %v/%d: %v", client, id.Name, a, err)
				}
				n++
			}
		}
		t.Logf("client %d: %d attributes", client, n)
	}
}

func TestPublicSeesOnlyItsObjects(t *testing.T) {
	f := newFixture(t)
	v, _ := f.tree.View(Public)
	var got []cosem.OBIS
	for o := range v.Objects() {
		got = append(got, o.ID().Name)
	}
	want := []cosem.OBIS{LogicalDeviceNameLN, SerialNumberLN, meter.ClockLN, InvocationCounterLN,
		MetrologyFirmwareLN, MetrologyChecksumLN, ManagementFirmwareLN, ManagementChecksumLN}
	slices.SortFunc(got, func(a, b cosem.OBIS) int { return slices.Compare(a[:], b[:]) })
	slices.SortFunc(want, func(a, b cosem.OBIS) int { return slices.Compare(a[:], b[:]) })
	if !slices.Equal(got, want) {
		t.Fatalf("public view %v, want %v", got, want)
	}
	if _, ok := f.tree.View(99); ok {
		t.Fatal("client 99 has a view")
	}
	rv, _ := f.tree.View(Reader)
	if o, _ := rv.Lookup(SecuritySetupLN); o != nil {
		t.Fatal("the reader sees the security setup")
	}
}

func TestRights(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	reader, _ := f.tree.View(Reader)
	mgmt, _ := f.tree.View(Management)
	importRef := cosem.Ref{Class: cosem.ClassRegister, Name: meter.EnergyLN(energy.ActiveImport, 0), ID: 2}
	if err := cosem.Set(ctx, mgmt, importRef, []axdr.Value{axdr.Uint64(0)}, true); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("management wrote an energy register: %v", err)
	}
	if _, err := cosem.Action(ctx, mgmt, nil, cosem.Ref{Class: cosem.ClassRegister, Name: importRef.Name, ID: 1}, []axdr.Value{axdr.Int8(0)}, true); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("management reset an energy register: %v", err)
	}
	clockTZ := cosem.Ref{Class: cosem.ClassClock, Name: meter.ClockLN, ID: 3}
	if err := cosem.Set(ctx, reader, clockTZ, []axdr.Value{axdr.Int16(-60)}, false); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("the reader wrote the time zone: %v", err)
	}
	if err := cosem.Set(ctx, mgmt, clockTZ, []axdr.Value{axdr.Int16(-60)}, false); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("management wrote without authentication: %v", err)
	}
	if err := cosem.Set(ctx, mgmt, clockTZ, []axdr.Value{axdr.Int16(-60)}, true); err != nil {
		t.Errorf("management could not write the time zone: %v", err)
	}
	if cfg, _ := f.m.Clock(); cfg.TimeZone != -60 {
		t.Errorf("time zone %d", cfg.TimeZone)
	}
	disc := cosem.Ref{Class: cosem.ClassDisconnectControl, Name: DisconnectLN, ID: 1}
	if _, err := cosem.Action(ctx, reader, nil, disc, []axdr.Value{axdr.Int8(0)}, false); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("the reader disconnected: %v", err)
	}
}

func TestValues(t *testing.T) {
	f := newFixture(t)
	if got := string(f.get(t, Public, LogicalDeviceNameLN, 2, nil)[0].Bytes); got != "AMG0000012345" {
		t.Errorf("logical device name %q", got)
	}
	if st := SystemTitle("0000012345"); string(st) != "AMG\x00\x00\x00\x30\x39" {
		t.Errorf("system title % X", st)
	}
	if got := uintOf(t, f.get(t, Reader, meter.EnergyLN(energy.ActiveImport, 0), 2, nil)); got != 3600 {
		t.Errorf("+A %d Wh after an hour at 3.6 kW", got)
	}
	su := f.get(t, Reader, meter.EnergyLN(energy.ActiveImport, 1), 3, nil)
	if s, _ := su[1].Int(); s != 0 || su[2].Tag != axdr.TagEnum {
		t.Errorf("scaler_unit %s", axdr.Format(su))
	}
	if u, _ := su[2].Uint(); cosem.Unit(u) != cosem.UnitWh {
		t.Errorf("unit %d", u)
	}
	if got := uintOf(t, f.get(t, Public, InvocationCounterLN, 2, nil)); got != 7 {
		t.Errorf("invocation counter %d", got)
	}
	dt, _ := f.get(t, Public, meter.ClockLN, 2, nil)[0].DateTime()
	if dt.Hour != 7 || dt.Minute != 0 || dt.Deviation != 0 {
		t.Errorf("clock %s", dt)
	}
	if got := uintOf(t, f.get(t, Reader, [6]byte{1, 0, 32, 7, 0, 255}, 2, nil)); got != 2300 {
		t.Errorf("voltage L1 %d × 0.1 V", got)
	}
	if got := f.get(t, Reader, ActivePowerLN, 2, nil); got[0].Tag != axdr.TagInt32 {
		t.Errorf("active power %s", axdr.Format(got))
	} else if p, _ := got[0].Int(); p != 3600 {
		t.Errorf("active power %d W", p)
	}
	if got := uintOf(t, f.get(t, Reader, DemandImportLN, 3, nil)); got != 3600 {
		t.Errorf("last average demand %d W", got)
	}
	if got := uintOf(t, f.get(t, Reader, meter.MaxDemandLN(false, 0), 2, nil)); got != 3600 {
		t.Errorf("max demand %d W", got)
	}
	// 3600 Wh at 0.25/kWh = 0.90 charged of 100.00: 99.10 in cents.
	if got, _ := f.get(t, Reader, AccountLN, 5, nil)[0].Int(); got != 9910 {
		t.Errorf("available credit %d cents", got)
	}
	uc := f.get(t, Reader, ConsumptionChargeLN, 5, nil)
	// structure{structure{3, scale}, structure{…}, array(4){structure{"1", price}}}
	if s, _ := uc[3].Int(); s != -5 { // the finest scale whose value fits a long
		t.Errorf("price scale %d in %s", s, axdr.Format(uc))
	} else if p, _ := uc[11].Int(); p != 25000 {
		t.Errorf("price %d × 10^-5 per kWh", p)
	}
	id := f.m.MetrologyIdentity()
	if got := f.get(t, Public, MetrologyChecksumLN, 2, nil)[0].Bytes; string(got) != string(id.Checksum[:]) {
		t.Errorf("metrology checksum % X", got)
	}
}

func TestLoadProfileRangeRead(t *testing.T) {
	f := newFixture(t)
	from := axdr.FromTime(t0.Add(15 * time.Minute))
	to := axdr.FromTime(t0.Add(45 * time.Minute))
	sel := cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: axdr.OctetString(from.Append(nil)), To: axdr.OctetString(to.Append(nil)),
		Selected: []cosem.CaptureObject{cosem.ClockTime, {Class: cosem.ClassRegister, Name: meter.EnergyLN(energy.ActiveImport, 0), Attribute: 2}}}.Selector()
	v := f.get(t, Reader, meter.LoadProfile15, 2, sel)
	// array(3) of structure(2){clock, +A}: 06:15 900, 06:30 1800, 06:45 2700.
	if v[0].N != 3 || v[1].N != 2 {
		t.Fatalf("shape %s", axdr.Format(v))
	}
	for i, want := range []uint64{900, 1800, 2700} {
		if got, _ := v[3+3*i].Uint(); got != want {
			t.Errorf("row %d: +A %d, want %d", i, got, want)
		}
	}
	e := f.get(t, Reader, meter.LoadProfile15, 2, cosem.EntryDescriptor{FromEntry: 2, ToEntry: 3, FromValue: 3, ToValue: 3}.Selector())
	if e[0].N != 2 || e[1].N != 1 {
		t.Fatalf("entry read %s", axdr.Format(e))
	}
	if got, _ := e[2].Uint(); got != 1800 {
		t.Errorf("entry 2 +A %d", got)
	}
	if got := uintOf(t, f.get(t, Reader, meter.LoadProfile15, 7, nil)); got != 4 {
		t.Errorf("entries in use %d", got)
	}
	if got := uintOf(t, f.get(t, Reader, meter.LoadProfile1, 7, nil)); got != 60 {
		t.Errorf("1-minute entries in use %d", got)
	}
	// A selected column the profile does not capture.
	bad := cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: axdr.OctetString(from.Append(nil)), To: axdr.OctetString(to.Append(nil)),
		Selected: []cosem.CaptureObject{{Class: 3, Name: cosem.OBIS{9, 9, 9, 9, 9, 9}, Attribute: 2}}}.Selector()
	v2, _ := f.tree.View(Reader)
	if _, err := cosem.Get(context.Background(), v2, nil, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: meter.LoadProfile15, ID: 2}, bad, false); !errors.Is(err, cosem.ErrScopeOfAccess) {
		t.Errorf("uncaptured column: %v", err)
	}
}

func TestActions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mgmt, _ := f.tree.View(Management)
	act := func(class cosem.ClassID, name [6]byte, m int8, p ...axdr.Value) error {
		_, err := cosem.Action(ctx, mgmt, nil, cosem.Ref{Class: class, Name: name, ID: m}, p, true)
		return err
	}
	if err := act(cosem.ClassDisconnectControl, DisconnectLN, 1, axdr.Int8(0)); err != nil || f.m.Connected() {
		t.Fatalf("remote_disconnect: %v", err)
	}
	if err := act(cosem.ClassDisconnectControl, DisconnectLN, 2, axdr.Int8(0)); err != nil {
		t.Fatal(err)
	}
	if _, st, _ := f.m.Supply(); st != supply.ReadyForReconnection {
		t.Fatalf("mode 1 reconnect: %s", st)
	}
	tok := prepay.MakeToken([]byte(tokenKey), "0000012345", 2, 10e9)
	before, _ := f.m.Account()
	if err := act(ClassTokenGateway, TokenGatewayLN, 1, axdr.OctetString(tok)); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.m.Account(); a.Available() != before.Available()+10e9 {
		t.Fatalf("top-up: %v → %v", before.Available(), a.Available())
	}
	if err := act(ClassTokenGateway, TokenGatewayLN, 1, axdr.OctetString(tok)); !errors.Is(err, cosem.ErrTemporaryFailure) {
		t.Fatalf("replayed token: %v", err)
	}
	st := f.get(t, Reader, TokenGatewayLN, 6, nil)
	if s, _ := st[1].Uint(); s != tokenValidationErr {
		t.Fatalf("token status %s", axdr.Format(st))
	}
	// Clock shift through the method.
	was := f.m.Now()
	if err := act(cosem.ClassClock, meter.ClockLN, 6, axdr.Int16(-30)); err != nil {
		t.Fatal(err)
	}
	if got := f.m.Now(); got != was.Add(-30*time.Second) {
		t.Fatalf("shift_time: %v → %v", was, got)
	}
	if err := act(cosem.ClassClock, meter.ClockLN, 6, axdr.Int16(-901)); !errors.Is(err, cosem.ErrTypeUnmatched) {
		t.Fatalf("shift of -901 s: %v", err)
	}
	// End the billing period through the script table.
	if err := act(cosem.ClassScriptTable, meter.BillingScripts, 1, axdr.Uint16(1)); err != nil || f.m.BillingPeriods() != 1 {
		t.Fatalf("billing script: %v", err)
	}
	if err := act(cosem.ClassScriptTable, meter.BillingScripts, 1, axdr.Uint16(9)); err == nil {
		t.Fatal("script 9 ran")
	}
}

func TestWritePassiveCalendarAndActivate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mgmt, _ := f.tree.View(Management)
	set := func(attr int8, v ...axdr.Value) {
		t.Helper()
		if err := cosem.Set(ctx, mgmt, cosem.Ref{Class: cosem.ClassActivityCalendar, Name: ActivityCalendarLN, ID: attr}, v, true); err != nil {
			t.Fatalf("SET attribute %d: %v", attr, err)
		}
	}
	ns := uint8(axdr.NotSpecified)
	start := axdr.DateTime{Date: axdr.Date{Year: axdr.YearNotSpecified, Month: 1, Day: 1, Weekday: ns}, Time: axdr.Time{Hundredths: ns}, Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}
	tod := func(h uint8) axdr.Value { return axdr.OctetString(axdr.Time{Hour: h}.Append(nil)) }
	set(6, axdr.OctetString([]byte("NEW")))
	set(9, axdr.Array(1), axdr.Structure(2), axdr.Uint8(1), axdr.Array(2),
		axdr.Structure(3), tod(0), axdr.OctetString(meter.TariffScripts[:]), axdr.Uint16(3),
		axdr.Structure(3), tod(12), axdr.OctetString(meter.TariffScripts[:]), axdr.Uint16(4))
	set(8, axdr.Array(1), axdr.Structure(8), axdr.OctetString([]byte("w")),
		axdr.Uint8(1), axdr.Uint8(1), axdr.Uint8(1), axdr.Uint8(1), axdr.Uint8(1), axdr.Uint8(1), axdr.Uint8(1))
	set(7, axdr.Array(1), axdr.Structure(3), axdr.OctetString([]byte("s")), axdr.OctetString(start.Append(nil)), axdr.OctetString([]byte("w")))
	if got := string(f.get(t, Reader, ActivityCalendarLN, 6, nil)[0].Bytes); got != "NEW" {
		t.Fatalf("passive name %q", got)
	}
	if _, err := cosem.Action(ctx, mgmt, nil, cosem.Ref{Class: cosem.ClassActivityCalendar, Name: ActivityCalendarLN, ID: 1}, []axdr.Value{axdr.Int8(0)}, true); err != nil {
		t.Fatal(err)
	}
	if got := string(f.get(t, Reader, ActivityCalendarLN, 2, nil)[0].Bytes); got != "NEW" || f.m.Tariff() != 3 {
		t.Fatalf("after activation: active %q, tariff %d", got, f.m.Tariff())
	}
	if got := uintOf(t, f.get(t, Reader, ActiveTariffLN, 2, nil)); got != 3 {
		t.Fatalf("tariff object %d", got)
	}
}

func TestPushUsesTheTree(t *testing.T) {
	f := newFixture(t)
	b, err := f.tree.AppendAttribute(nil, push.Object{Class: 1, Name: LogicalDeviceNameLN, Attr: 2})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := axdr.Decode(nil, b); string(v[0].Bytes) != "AMG0000012345" {
		t.Fatalf("pushed % X", b)
	}
	if _, err := f.tree.AppendAttribute(nil, push.Object{Class: 3, Name: LogicalDeviceNameLN, Attr: 2}); !errors.Is(err, cosem.ErrClassInconsistent) {
		t.Fatalf("wrong class: %v", err)
	}
}

// fakeImages is an image target that keeps what the methods were given.
type fakeImages struct {
	tr       *firmware.Transfer
	verified bool
}

func (f *fakeImages) Transfer(fn func(*firmware.Transfer)) { fn(f.tr) }
func (f *fakeImages) Initiate(ident []byte, size uint32) error {
	return f.tr.Initiate(ident, size)
}
func (f *fakeImages) Block(n uint32, b []byte) error { return f.tr.Block(n, b) }
func (f *fakeImages) Verify() error {
	f.verified = true
	return f.tr.VerifyWith(func([]byte) ([]byte, error) { return []byte("sig"), nil })
}
func (f *fakeImages) Activate() error { _, _, err := f.tr.Activate(); return err }

// TestModuleObjects adds a module's image transfer, push setup and a data
// object to a tree: each client sees them at their access level, the
// image transfer drives the module's images, and names are unique.
func TestModuleObjects(t *testing.T) {
	f := newFixture(t)
	tr, _ := firmware.NewTransfer(64, 4096)
	imgs := &fakeImages{tr: tr}
	itName := [6]byte{0, 128, 44, 0, 0, 255}
	ps := push.Setup{Name: [6]byte{0, 128, 25, 9, 0, 255}, Objects: []push.Object{{Class: 1, Name: LogicalDeviceNameLN, Attr: 2}},
		Destination: push.Destination{Address: "hes:4060"}, Retries: 2}
	mgmtOnly, _ := cosem.NewData([6]byte{0, 128, 96, 1, 0, 255}, axdr.Uint8(7))
	if err := f.tree.Add(ImageTransfer(itName, imgs), PushSetup(ps), Extra{Object: mgmtOnly, Access: ManagementOnly}); err != nil {
		t.Fatal(err)
	}
	if err := f.tree.Add(PushSetup(push.Setup{Name: meter.ClockLN})); err == nil {
		t.Fatal("a module object named like the clock was added")
	}
	if err := f.tree.Add(ImageTransfer(itName, imgs)); err == nil {
		t.Fatal("a module object added twice")
	}
	other := [6]byte{0, 128, 96, 2, 0, 255}
	rv, _ := f.tree.View(Reader)
	if err := f.tree.Add(PushSetup(push.Setup{Name: other}), PushSetup(push.Setup{Name: other})); err == nil {
		t.Fatal("one call adding a name twice")
	}
	if o, _ := rv.Lookup(other); o != nil {
		t.Fatal("a refused call added an object")
	}
	seen := func(client uint16, name [6]byte) bool {
		v, _ := f.tree.View(client)
		for o := range v.Objects() {
			if o.ID().Name == name {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		name                   [6]byte
		public, reader, manage bool
	}{
		{itName, false, true, true},
		{ps.Name, false, true, true},
		{[6]byte{0, 128, 96, 1, 0, 255}, false, false, true},
	} {
		if seen(Public, tc.name) != tc.public || seen(Reader, tc.name) != tc.reader || seen(Management, tc.name) != tc.manage {
			t.Errorf("%v: public %v reader %v management %v", cosem.OBIS(tc.name), seen(Public, tc.name), seen(Reader, tc.name), seen(Management, tc.name))
		}
	}
	ctx := context.Background()
	mgmt, _ := f.tree.View(Management)
	reader, _ := f.tree.View(Reader)
	ref := func(m int8) cosem.Ref { return cosem.Ref{Class: cosem.ClassImageTransfer, Name: itName, ID: m} }
	raw := make([]byte, 200)
	if _, err := cosem.Action(ctx, reader, nil, ref(1), []axdr.Value{axdr.Structure(2), axdr.OctetString([]byte("lib")), axdr.Uint32(200)}, false); !errors.Is(err, cosem.ErrDenied) {
		t.Errorf("the reader initiated a transfer: %v", err)
	}
	if _, err := cosem.Action(ctx, mgmt, nil, ref(1), []axdr.Value{axdr.Structure(2), axdr.OctetString([]byte("lib")), axdr.Uint32(200)}, true); err != nil {
		t.Fatal(err)
	}
	for n := range 4 {
		if _, err := cosem.Action(ctx, mgmt, nil, ref(2), []axdr.Value{axdr.Structure(2), axdr.Uint32(uint32(n)), axdr.OctetString(raw[n*64 : min(n*64+64, 200)])}, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cosem.Action(ctx, mgmt, nil, ref(3), []axdr.Value{axdr.Int8(0)}, true); err != nil || !imgs.verified {
		t.Fatalf("verify: %v", err)
	}
	info := f.get(t, Management, itName, 7, nil)
	if info[0].N != 1 || string(info[3].Bytes) != "lib" || string(info[4].Bytes) != "sig" {
		t.Fatalf("image_to_activate_info %s", axdr.Format(info))
	}
	if got := f.get(t, Reader, ps.Name, 3, nil); string(got[2].Bytes) != "hes:4060" {
		t.Fatalf("push destination %s", axdr.Format(got))
	}
	if got, _ := f.get(t, Reader, ps.Name, 6, nil)[0].Uint(); got != 2 {
		t.Fatalf("push retries %d", got)
	}
	// The management core's own transfer is untouched.
	if got, _ := f.get(t, Management, ImageTransferLN, 6, nil)[0].Uint(); got != uint64(firmware.NotInitiated) {
		t.Fatalf("management core transfer status %d", got)
	}
}
