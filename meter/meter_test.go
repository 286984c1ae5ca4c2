package meter

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/clock"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/profile"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
	"github.com/amigo-ami/amigo/meter/tariff"
	"github.com/amigo-ami/amigo/metrology"
)

var errPushRefused = errors.New("refused")

func codes(ev []eventlog.Event) []eventlog.Code {
	out := make([]eventlog.Code, len(ev))
	for i, e := range ev {
		out[i] = e.Code
	}
	return out
}

// TestTOUSwitchesExactlyAtBoundaries runs 3.6 kW (1 Wh a second) across
// the 07:00 and 21:00 switches with steps of up to 7 s: because the rig
// steps at Next, every Wh lands in the right tariff.
func TestTOUSwitchesExactlyAtBoundaries(t *testing.T) {
	r := newRig(t, touConfig(), Options{})
	r.load = watts(3600)
	if r.m.Tariff() != 2 {
		t.Fatalf("06:00 Monday: tariff %d, want 2 (Sunday's last action)", r.m.Tariff())
	}
	if got := r.m.Next(); !got.Equal(monday6.Add(time.Minute)) {
		t.Fatalf("Next = %v, want the first 1-minute capture", got)
	}
	r.run(time.Hour, 7*time.Second) // to 07:00
	e := r.m.Energy()
	if e.Tariff[energy.ActiveImport] != [4]uint64{0, 3600, 0, 0} || r.m.Tariff() != 1 {
		t.Fatalf("at 07:00: %v, tariff %d", e.Tariff[energy.ActiveImport], r.m.Tariff())
	}
	r.run(14*time.Hour+30*time.Minute, 7*time.Second) // to 21:30
	e = r.m.Energy()
	if want := [4]uint64{14 * 3600, 3600 + 1800, 0, 0}; e.Tariff[energy.ActiveImport] != want || e.Total[energy.ActiveImport] != 15*3600+1800 {
		t.Fatalf("at 21:30: %v total %d, want %v", e.Tariff[energy.ActiveImport], e.Total[energy.ActiveImport], want)
	}
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestLoadProfileExactIntervals checks that 15-minute entries fall on the
// quarters and their differences are the energy of each quarter exactly,
// and reads a range.
func TestLoadProfileExactIntervals(t *testing.T) {
	r := newRig(t, Config{}, Options{})
	for q, w := range []float64{3600, 1200, 0, 2400} {
		r.load = watts(w)
		r.run(15*time.Minute, 10*time.Second)
		_ = q
	}
	var rows [][]int64
	r.m.Read(LP15, func(p *profile.Profile) {
		for i := range p.Len() {
			rows = append(rows, p.Row(i, nil))
		}
	})
	if len(rows) != 4 {
		t.Fatalf("%d entries", len(rows))
	}
	wantDelta := []int64{900, 300, 0, 600}
	prev := int64(0)
	for i, row := range rows {
		at := profile.Unpack(row[0])
		if want := monday6.Add(time.Duration(i+1) * 15 * time.Minute); at.Unix != want.Unix() {
			t.Errorf("entry %d at %v, want %v", i, time.Unix(at.Unix, 0).UTC(), want)
		}
		if d := row[2] - prev; d != wantDelta[i] {
			t.Errorf("quarter %d: %d Wh, want %d", i, d, wantDelta[i])
		}
		prev = row[2]
	}
	// Range 06:30…06:45 on the clock column selects two entries.
	r.m.Read(LP15, func(p *profile.Profile) {
		s, err := p.ByRange(0, profile.Stamp{Unix: monday6.Add(30 * time.Minute).Unix()}.Pack(), profile.Stamp{Unix: monday6.Add(45 * time.Minute).Unix()}.Pack(), nil)
		if err != nil || len(s.Rows) != 2 {
			t.Errorf("range: %v %v", s.Rows, err)
		}
	})
	var n1 int
	r.m.Read(LP1, func(p *profile.Profile) { n1 = p.Len() })
	if n1 != 60 {
		t.Errorf("1-minute profile has %d entries after an hour", n1)
	}
}

// TestTierCrossingMidMonth charges a month of 10 kW in credit mode: the
// first 200 kWh at 0.10, the rest at 0.20, exactly; the billing reset on
// the first of the month freezes the registers and restarts the tiers.
func TestTierCrossingMidMonth(t *testing.T) {
	p10, _ := tariff.PerKWh(0.10)
	p20, _ := tariff.PerKWh(0.20)
	cfg := Config{
		Start:   time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC),
		Pricing: tariff.Pricing{Ladder: tariff.Ladder{{UpTo: 200_000, Price: p10}, {Price: p20}}},
		Prepay:  &prepay.Config{Mode: prepay.CreditMode},
	}
	r := newRig(t, cfg, Options{})
	r.load = watts(10_000)
	r.run(20*time.Hour, time.Minute) // 200 kWh: exactly the first tier
	if wh, tier := r.m.MonthImport(); wh != 200_000 || tier != 2 {
		t.Fatalf("after 20 h: %d Wh, tier %d", wh, tier)
	}
	r.run(3*time.Hour, time.Minute) // 30 kWh more, in tier 2 — and past midnight of 1 July at 00:00
	a, _ := r.m.Account()
	// 200 kWh × 0.10 + 30 kWh × 0.20 = 26.00
	if a.Consumption != 26*1e9 {
		t.Fatalf("consumption charge %v, want 26", a.Consumption)
	}
	if wh, tier := r.m.MonthImport(); wh != 230_000 || tier != 2 || r.m.BillingPeriods() != 0 {
		t.Fatalf("30 June 23:00: month import %d, tier %d", wh, tier)
	}
	r.run(2*time.Hour, time.Minute) // past 1 July 00:00
	if r.m.BillingPeriods() != 1 {
		t.Fatal("no billing reset on the first")
	}
	var frozen []int64
	r.m.Read(Monthly, func(p *profile.Profile) { frozen = p.Row(0, nil) })
	// clock, +A, +A T1…T4, −A, max demand: +A at 1 July 00:00 = 240 kWh.
	if frozen[1] != 240_000 || frozen[7] != 10_000 || profile.Unpack(frozen[0]).Unix != time.Date(2024, 7, 1, 0, 0, 0, 0, time.UTC).Unix() {
		t.Fatalf("monthly entry %v", frozen)
	}
	if wh, _ := r.m.MonthImport(); wh != 10_000 {
		t.Fatalf("month import after the reset %d, want 10000 (one hour)", wh)
	}
	if d := r.m.Demand(false); d.Max[0].W != 10_000 {
		t.Fatalf("max demand after the reset %+v", d.Max[0])
	}
}

func prepayConfig(mode supply.Mode) Config {
	price, _ := tariff.PerKWh(1) // 1.00 a kWh: 0.001 a Wh
	return Config{
		Pricing:        tariff.Pricing{TOU: [4]tariff.Money{price, price, price, price}},
		DisconnectMode: mode,
		Prepay: &prepay.Config{Mode: prepay.PrepaymentMode, LowCredit: tariff.Money(0.2e9),
			Currency: prepay.Currency{Name: "EUR", Scale: -2}, TokenKey: []byte("token key of the test meter")},
	}
}

// TestPrepaymentCycle: top-up → deplete → disconnect → top-up → reconnect.
func TestPrepaymentCycle(t *testing.T) {
	cfg := prepayConfig(6) // mode 6: local reconnect when credit comes back
	r := newRig(t, cfg, Options{})
	key := cfg.Prepay.TokenKey
	if _, err := r.m.TopUp(prepay.MakeToken(key, "0000000001", 1, 1e9)); err != nil {
		t.Fatal(err)
	}
	if !r.m.Connected() {
		t.Fatal("not connected after the first top-up")
	}
	r.load = watts(3600) // 1 Wh a second = 0.001 a second: 1000 s of credit
	r.run(999*time.Second, time.Second)
	if !r.m.Connected() {
		t.Fatal("disconnected early")
	}
	r.run(2*time.Second, time.Second)
	if r.m.Connected() {
		t.Fatal("still connected with no credit")
	}
	before := r.m.Energy().Total[energy.ActiveImport]
	r.run(10*time.Minute, time.Second)
	if after := r.m.Energy().Total[energy.ActiveImport]; after != before {
		t.Fatalf("energy went on while disconnected: %d → %d", before, after)
	}
	if _, err := r.m.TopUp(prepay.MakeToken(key, "0000000001", 1, 5e9)); !errors.Is(err, prepay.ErrReplay) {
		t.Fatalf("replayed token: %v", err)
	}
	if _, err := r.m.TopUp(prepay.MakeToken(key, "0000000002", 2, 5e9)); !errors.Is(err, prepay.ErrToken) {
		t.Fatalf("other meter's token: %v", err)
	}
	if _, err := r.m.TopUp(prepay.MakeToken(key, "0000000001", 2, 2e9)); err != nil {
		t.Fatal(err)
	}
	if !r.m.Connected() {
		t.Fatal("not reconnected after the top-up (mode 6)")
	}
	r.run(time.Minute, time.Second)
	if got := r.m.Energy().Total[energy.ActiveImport]; got != before+60 {
		t.Fatalf("after reconnection %d Wh, want %d", got, before+60)
	}
	std := codes(r.m.Events(eventlog.Standard))
	for _, c := range []eventlog.Code{eventlog.TokenAccepted, eventlog.CreditLow, eventlog.CreditExhausted, eventlog.TokenRejected, eventlog.CreditRestored} {
		if !slices.Contains(std, c) {
			t.Errorf("standard log %v lacks %s", std, c)
		}
	}
	if !slices.Contains(codes(r.m.Events(eventlog.Communication)), eventlog.ReplayRejected) {
		t.Error("replay not logged")
	}
	disc := codes(r.m.Events(eventlog.Disconnect))
	if !slices.Equal(disc, []eventlog.Code{eventlog.LocalDisconnection, eventlog.LocalConnection, eventlog.LocalDisconnection, eventlog.LocalConnection}) {
		t.Errorf("disconnect log %v", disc)
	}
}

// TestPrepaymentManualReconnect: in mode 1 credit coming back leaves the
// meter ready for reconnection until the customer presses the button.
func TestPrepaymentManualReconnect(t *testing.T) {
	cfg := prepayConfig(1)
	r := newRig(t, cfg, Options{})
	r.m.TopUp(prepay.MakeToken(cfg.Prepay.TokenKey, "0000000001", 1, 1e8))
	r.load = watts(3600)
	r.run(200*time.Second, time.Second)
	if _, st, _ := r.m.Supply(); st != supply.ReadyForReconnection {
		t.Fatalf("state %s", st)
	}
	r.m.TopUp(prepay.MakeToken(cfg.Prepay.TokenKey, "0000000001", 2, 1e9))
	if r.m.Connected() {
		t.Fatal("reconnected without the customer")
	}
	if _, err := r.m.SwitchSupply(supply.ManualReconnect); err != nil || !r.m.Connected() {
		t.Fatalf("manual reconnect: %v", err)
	}
}

func TestLimiter(t *testing.T) {
	cfg := Config{DisconnectMode: 5, Limiter: supply.LimiterConfig{Normal: 2000, MinOver: 30 * time.Second, MinUnder: time.Minute}}
	r := newRig(t, cfg, Options{})
	r.load = watts(3000)
	r.run(29*time.Second, time.Second)
	if !r.m.Connected() {
		t.Fatal("limiter fired early")
	}
	r.run(2*time.Second, time.Second)
	if r.m.Connected() {
		t.Fatal("limiter did not disconnect after 30 s over 2 kW")
	}
	r.load = watts(1000)
	r.run(61*time.Second, time.Second) // disconnected: 0 W, under for a minute → local reconnect
	if !r.m.Connected() {
		t.Fatal("limiter did not reconnect")
	}
	want := []eventlog.Code{eventlog.LimiterExceeded, eventlog.LocalDisconnection, eventlog.LimiterOK, eventlog.LocalConnection}
	if got := codes(r.m.Events(eventlog.Disconnect)); !slices.Equal(got, want) {
		t.Fatalf("disconnect log %v, want %v", got, want)
	}
}

// fakeSource lets a test set instantaneous values and identity directly.
type fakeSource struct {
	regs  metrology.Registers
	inst  metrology.Power
	ident metrology.Identity
}

func (f *fakeSource) Registers() metrology.Registers { return f.regs }
func (f *fakeSource) Instant() metrology.Power       { return f.inst }
func (f *fakeSource) Identity() metrology.Identity   { return f.ident }

func TestSupervisionEvents(t *testing.T) {
	src := &fakeSource{inst: watts(1000)}
	m, err := New(Config{Serial: "S1", Quality: QualityConfig{Grace: 2 * time.Second}}, src, monday6, Options{})
	if err != nil {
		t.Fatal(err)
	}
	now := monday6
	step := func(n int) {
		for range n {
			now = now.Add(time.Second)
			m.Step(now)
		}
	}
	step(1)
	src.inst.Phases[0].U = 200 // a sag below 207 V
	step(1)
	if len(m.Events(eventlog.PowerQuality)) != 0 {
		t.Fatal("sag shorter than the grace recorded")
	}
	step(2)
	src.inst.Phases[1] = metrology.PhasePower{U: 260, I: 1, P: -300, S: 260} // swell and reverse current on L2
	step(3)
	src.inst.Phases[0].U = 230
	step(1)
	src.inst.Phases[0].U = 200 // a second sag
	step(3)
	if got := codes(m.Events(eventlog.PowerQuality)); !slices.Equal(got, []eventlog.Code{eventlog.VoltageSagL1, eventlog.VoltageSwellL2, eventlog.VoltageSagL1}) {
		t.Fatalf("power quality log %v", got)
	}
	m.SetSensors(Sensors{TerminalCoverOpen: true, MagneticField: true, TerminalTemperature: 95})
	step(1)
	m.SetSensors(Sensors{TerminalTemperature: 87}) // within the 5 °C hysteresis: still hot
	step(1)
	m.SetSensors(Sensors{TerminalTemperature: 84})
	step(1)
	want := []eventlog.Code{eventlog.ReverseCurrentL2, eventlog.TerminalCoverOpened, eventlog.MagneticField, eventlog.TerminalOverTemperature,
		eventlog.TerminalCoverClosed, eventlog.MagneticFieldGone, eventlog.TerminalTemperatureOK}
	if got := codes(m.Events(eventlog.Tamper)); !slices.Equal(got, want) {
		t.Fatalf("tamper log %v, want %v", got, want)
	}
	// Self-check: the metrology core reads 1000 − 300 W = 700 W total; a
	// reference 2 % off for five steps is a measurement system error.
	m.SetSensors(Sensors{HasReference: true, Reference: 714})
	step(4)
	if slices.Contains(codes(m.Events(eventlog.Standard)), eventlog.MeasurementSystemError) {
		t.Fatal("self-check failed before 5 steps")
	}
	step(1)
	m.SetSensors(Sensors{HasReference: true, Reference: 703}) // within 1 %
	step(5)
	std := codes(m.Events(eventlog.Standard))
	if !slices.Contains(std, eventlog.MeasurementSystemError) || !slices.Contains(std, eventlog.MeasurementSystemOK) {
		t.Fatalf("standard log %v", std)
	}
	// A calibration changes the metrology checksum: recorded within a
	// minute (the identity is compared once a minute).
	src.ident.Checksum[0] = 1
	step(60)
	if m.LastEvent(eventlog.Standard) != eventlog.MetrologyChanged {
		t.Fatal("metrology change not recorded")
	}
}

func TestClockChangesAreEvents(t *testing.T) {
	r := newRig(t, Config{}, Options{})
	r.run(5*time.Minute, time.Second)
	if err := r.m.AdjustClock(clock.KindShift, 30); err != nil {
		t.Fatal(err)
	}
	dt := axdr.FromTime(time.Date(2024, 6, 3, 8, 0, 0, 0, time.UTC))
	if err := r.m.SetClock(dt); err != nil {
		t.Fatal(err)
	}
	ev := r.m.Events(eventlog.Standard)
	if got := codes(ev); !slices.Equal(got, []eventlog.Code{eventlog.ClockAdjustedOld, eventlog.ClockAdjustedNew, eventlog.ClockAdjustedOld, eventlog.ClockAdjustedNew}) {
		t.Fatalf("events %v", got)
	}
	if ev[1].At.Unix != monday6.Add(5*time.Minute+30*time.Second).Unix() || ev[3].At.Unix != time.Date(2024, 6, 3, 8, 0, 0, 0, time.UTC).Unix() {
		t.Fatalf("event times %+v", ev)
	}
	if err := r.m.AdjustClock(clock.KindShift, 1000); !errors.Is(err, clock.ErrRange) {
		t.Fatal("shift of 1000 s accepted")
	}
	// The next 15-minute entry (08:15) carries the clock-adjusted bit.
	r.run(15*time.Minute, time.Second)
	var status int64
	r.m.Read(LP15, func(p *profile.Profile) { status = p.Value(p.Len()-1, 1) })
	if status&StatusClockAdjusted == 0 {
		t.Fatalf("status %#x", status)
	}
}

func TestClockDrift(t *testing.T) {
	r := newRig(t, Config{Clock: clock.Config{DriftPPM: 50}}, Options{})
	r.run(24*time.Hour, time.Minute)
	// 50 ppm gains 4.32 s a day.
	if got, want := r.m.Now().Sub(r.now), 4320*time.Millisecond; got != want {
		t.Fatalf("gained %v, want %v", got, want)
	}
	// What the clock reads half a day later, and read earlier.
	if got, want := r.m.MeterTime(r.now.Add(12*time.Hour)).Sub(r.now.Add(12*time.Hour)), 6480*time.Millisecond; got != want {
		t.Fatalf("MeterTime half a day on: %v ahead, want %v", got, want)
	}
	if got, want := r.m.MeterTime(monday6.Add(12*time.Hour)).Sub(monday6.Add(12*time.Hour)), 2160*time.Millisecond; got != want {
		t.Fatalf("MeterTime half a day after the start: %v ahead, want %v", got, want)
	}
}

func TestPowerDownUp(t *testing.T) {
	pl := &pushLog{}
	cfg := Config{Push: []PushConfig{{
		Setup:    push.Setup{Name: [6]byte{0, 0, 25, 9, 2, 255}, Objects: []push.Object{{Class: 1, Name: [6]byte{0, 0, 42, 0, 0, 255}, Attr: 2}}, Destination: push.Destination{Address: "hes:4060"}},
		LastGasp: true,
	}}}
	r := newRig(t, cfg, Options{Pusher: pl})
	r.m.SetPushReader(readerFunc(func(dst []byte, o push.Object) ([]byte, error) {
		return axdr.AppendOctetString(dst, []byte("AMG0000000001")), nil
	}))
	r.load = watts(3600)
	r.run(10*time.Minute, time.Second)
	r.m.PowerDown(r.now)
	if pl.count() != 1 {
		t.Fatalf("%d pushes on power down, want the last gasp", pl.count())
	}
	var n apdu.DataNotification
	if err := n.Decode(pl.got[0]); err != nil || string(n.Body[1].Bytes) != "AMG0000000001" || pl.dsts[0].Address != "hes:4060" {
		t.Fatalf("last gasp %v: %v", n.String(), err)
	}
	e0 := r.m.Energy().Total[energy.ActiveImport]
	r.run(30*time.Minute, time.Second)
	r.m.PowerUp(r.now)
	if got := r.m.Energy().Total[energy.ActiveImport]; got != e0 {
		t.Fatalf("energy while down: %d → %d", e0, got)
	}
	r.run(15*time.Minute, time.Second)
	if got := codes(r.m.Events(eventlog.Standard)); !slices.Equal(got, []eventlog.Code{eventlog.PowerDown, eventlog.PowerUp}) {
		t.Fatalf("events %v", got)
	}
	var status int64
	var entries int
	r.m.Read(LP15, func(p *profile.Profile) { entries, status = p.Len(), p.Value(p.Len()-1, 1) })
	// Down 06:10…06:40: the 06:15 and 06:30 entries are missed, 06:45 has PD.
	if status&StatusPowerDown == 0 || entries != 1 {
		t.Fatalf("%d entries, last status %#x", entries, status)
	}
}

type readerFunc func(dst []byte, o push.Object) ([]byte, error)

func (f readerFunc) AppendAttribute(dst []byte, o push.Object) ([]byte, error) { return f(dst, o) }

func TestPushOnEventAndSchedule(t *testing.T) {
	pl := &pushLog{fail: 1}
	ns := uint8(axdr.NotSpecified)
	every15 := &calendar.Schedule{Script: calendar.Script{Table: PushScripts, Selector: 1}, Type: 5, Times: []calendar.ExecutionTime{
		{Time: axdr.Time{Hour: ns, Minute: 0, Second: 0}, Date: axdr.Date{Year: axdr.YearNotSpecified, Month: ns, Day: ns, Weekday: ns}},
		{Time: axdr.Time{Hour: ns, Minute: 30, Second: 0}, Date: axdr.Date{Year: axdr.YearNotSpecified, Month: ns, Day: ns, Weekday: ns}},
	}}
	obj := []push.Object{{Class: 1, Name: [6]byte{0, 0, 42, 0, 0, 255}, Attr: 2}}
	cfg := Config{Push: []PushConfig{
		{Setup: push.Setup{Objects: obj, Retries: 1, RepetitionDelay: time.Minute}, Schedule: every15},
		{Setup: push.Setup{Objects: obj}, OnEvents: []eventlog.Code{eventlog.MeterCoverOpened}},
	}}
	r := newRig(t, cfg, Options{Pusher: pl})
	r.m.SetPushReader(readerFunc(func(dst []byte, _ push.Object) ([]byte, error) { return axdr.AppendUint8(dst, 1), nil }))
	r.run(31*time.Minute, time.Second) // 06:30: one push, refused; retried 06:31
	if pl.count() != 2 {
		t.Fatalf("%d pushes by 06:31, want 2 (one refused, one retry)", pl.count())
	}
	r.m.SetSensors(Sensors{MeterCoverOpen: true})
	r.run(time.Second, time.Second)
	if pl.count() != 3 {
		t.Fatalf("%d pushes after the cover opened", pl.count())
	}
	r.run(30*time.Minute, time.Second) // 07:00
	if pl.count() != 4 {
		t.Fatalf("%d pushes by 07:01", pl.count())
	}
}

func TestPassiveCalendarActivation(t *testing.T) {
	r := newRig(t, Config{}, Options{})
	r.load = watts(3600)
	cal := touConfig().Calendar.Active
	at := monday6.Add(30 * time.Minute)
	r.m.SetPassiveCalendar(cal, at)
	r.run(time.Hour, 7*time.Second) // activation at 06:30 (tariff 2 until 07:00), then tariff 1
	e := r.m.Energy().Tariff[energy.ActiveImport]
	if e != [4]uint64{1800, 1800, 0, 0} {
		// Before 06:30 no calendar: tariff 1 (default); 06:30–07:00 tariff 2.
		t.Fatalf("tariffs %v", e)
	}
	std := codes(r.m.Events(eventlog.Standard))
	if !slices.Equal(std, []eventlog.Code{eventlog.PassiveTOUProgrammed, eventlog.TOUActivated}) {
		t.Fatalf("events %v", std)
	}
	bad := cal
	bad.Days = []calendar.Day{{ID: 1, Actions: []calendar.Action{{Script: calendar.Script{Table: TariffScripts, Selector: 5}}}}, {ID: 2}}
	r.m.SetPassiveCalendar(bad, time.Time{})
	if err := r.m.ActivatePassiveCalendar(); err == nil {
		t.Fatal("a calendar switching to tariff 5 activated")
	}
}

func TestRemoteDisconnect(t *testing.T) {
	r := newRig(t, Config{DisconnectMode: 1}, Options{})
	if ok, err := r.m.SwitchSupply(supply.RemoteDisconnect); !ok || err != nil || r.m.Connected() {
		t.Fatalf("remote disconnect: %v %v", ok, err)
	}
	r.m.SwitchSupply(supply.RemoteReconnect)
	if _, st, _ := r.m.Supply(); st != supply.ReadyForReconnection {
		t.Fatalf("mode 1 remote reconnect: %s", st)
	}
	r.m.SwitchSupply(supply.ManualReconnect)
	if !r.m.Connected() {
		t.Fatal("manual reconnect")
	}
	r0 := newRig(t, Config{}, Options{})
	if _, err := r0.m.SwitchSupply(supply.RemoteDisconnect); !errors.Is(err, supply.ErrNotAllowed) {
		t.Fatalf("mode 0 remote disconnect: %v", err)
	}
}

func TestMetrologyRestartIsRebaselined(t *testing.T) {
	src := &fakeSource{}
	m, _ := New(Config{Serial: "S"}, src, monday6, Options{})
	src.regs.ActiveImport = 5_000_000
	m.Step(monday6.Add(time.Second))
	src.regs.ActiveImport = 1_000_000 // a new metrology core starting at zero
	m.Step(monday6.Add(2 * time.Second))
	src.regs.ActiveImport = 3_000_000
	m.Step(monday6.Add(3 * time.Second))
	if got := m.Energy().Total[energy.ActiveImport]; got != 7 {
		t.Fatalf("registered %d Wh, want 5 + 2 (no double count, nothing negative)", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, c := range map[string]Config{
		"no serial":     {},
		"bad tier":      {Serial: "S", Pricing: tariff.Pricing{Ladder: tariff.Ladder{{UpTo: 0, Price: 1}, {UpTo: 5}}}},
		"demand 7 s":    {Serial: "S", DemandPeriod: 7500 * time.Millisecond},
		"lp period 7m":  {Serial: "S", LoadProfile15: ProfileConfig{Period: 7 * time.Minute}},
		"prepay no key": {Serial: "S", Prepay: &prepay.Config{Mode: prepay.PrepaymentMode}},
		"mode 9":        {Serial: "S", DisconnectMode: 9},
	} {
		if _, err := New(c, nil, monday6, Options{}); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
