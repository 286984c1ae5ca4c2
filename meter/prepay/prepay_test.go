package prepay

import (
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/tariff"
)

var key = []byte("0123456789abcdef")

const unit = tariff.Money(1e9) // one currency unit

func TestToken(t *testing.T) {
	tok := MakeToken(key, "AMG0001", 42, 10*unit)
	if len(tok) != TokenSize {
		t.Fatalf("token of %d bytes", len(tok))
	}
	got, err := ParseToken(key, "AMG0001", tok)
	if err != nil || got != (Token{42, 10 * unit}) {
		t.Fatalf("ParseToken = %+v, %v", got, err)
	}
	if _, err := ParseToken(key, "AMG0002", tok); !errors.Is(err, ErrToken) {
		t.Errorf("other meter's serial: %v", err)
	}
	bad := append([]byte(nil), tok...)
	bad[5] ^= 1 // amount changed
	if _, err := ParseToken(key, "AMG0001", bad); !errors.Is(err, ErrToken) {
		t.Errorf("tampered amount: %v", err)
	}
	if _, err := ParseToken(key, "AMG0001", tok[:31]); !errors.Is(err, ErrToken) {
		t.Errorf("short token: %v", err)
	}
	if _, err := ParseToken(key, "AMG0001", MakeToken(key, "AMG0001", 1, -unit)); !errors.Is(err, ErrToken) {
		t.Errorf("negative amount: %v", err)
	}
}

func TestWindow(t *testing.T) {
	var w Window
	for _, tc := range []struct {
		id     uint32
		replay bool
	}{
		{5, false}, {3, false}, {5, true}, {3, true}, {4, false},
		{100, false}, {37, false}, {36, true /* 64 below */}, {37, true}, {99, false}, {1000, false}, {999, false}, {100, true},
	} {
		err := w.Accept(tc.id)
		if tc.replay != errors.Is(err, ErrReplay) {
			t.Errorf("id %d: %v", tc.id, err)
		}
	}
}

func prepaid(t *testing.T, mod func(*Config)) *Account {
	t.Helper()
	cfg := Config{Mode: PrepaymentMode, LowCredit: 2 * unit, TokenKey: key, Currency: Currency{Name: "EUR", Scale: -2}}
	if mod != nil {
		mod(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestTopUpDepleteRestore(t *testing.T) {
	a := prepaid(t, nil)
	if !a.Out {
		t.Fatal("a new account without credit is not out of credit")
	}
	_, ch, err := a.TopUp(MakeToken(key, "S1", 1, 5*unit), "S1")
	if err != nil || !ch.Restored || a.Available() != 5*unit {
		t.Fatalf("top-up: %+v %v available %v", ch, err, a.Available())
	}
	if _, _, err := a.TopUp(MakeToken(key, "S1", 1, 5*unit), "S1"); !errors.Is(err, ErrReplay) {
		t.Fatalf("replayed token: %v", err)
	}
	// Spend 0.01 a step: low credit once below 2, exhausted at 0.
	var lows, outs int
	for range 600 {
		ch := a.Charge(unit/100, 0)
		if ch.LowCredit {
			lows++
			if a.Available() >= 2*unit {
				t.Fatalf("low credit at %v", a.Available())
			}
		}
		if ch.Exhausted {
			outs++
			if a.Available() != 0 {
				t.Fatalf("exhausted at %v", a.Available())
			}
		}
	}
	if lows != 1 || outs != 1 {
		t.Fatalf("%d low-credit and %d exhausted reports", lows, outs)
	}
	// 1.00 of consumption ran on after the credit: the top-up repays it.
	if a.Available() != -unit {
		t.Fatalf("debt %v", a.Available())
	}
	_, ch, _ = a.TopUp(MakeToken(key, "S1", 2, 3*unit), "S1")
	if !ch.Restored || a.Available() != 2*unit || a.Paid != 8*unit || a.Consumption != 6*unit {
		t.Fatalf("after second top-up: %+v available %v paid %v", ch, a.Available(), a.Paid)
	}
	a.Close()
	if _, _, err := a.TopUp(MakeToken(key, "S1", 3, unit), "S1"); !errors.Is(err, ErrState) {
		t.Fatalf("top-up of a closed account: %v", err)
	}
}

func TestEmergencyCredit(t *testing.T) {
	a := prepaid(t, func(c *Config) { c.Emergency, c.EmergencyThreshold = 5*unit, unit })
	a.TopUp(MakeToken(key, "S", 1, 3*unit), "S")
	if _, err := a.InvokeEmergency(); !errors.Is(err, ErrState) {
		t.Fatal("emergency credit invoked while not selectable")
	}
	a.Charge(2*unit+unit/2, 0) // 0.50 left: below the 1.00 threshold
	if a.EmergencyCredit.Status != CreditSelectable {
		t.Fatalf("emergency status %d", a.EmergencyCredit.Status)
	}
	ch, err := a.InvokeEmergency()
	if err != nil || !ch.EmergencyInvoked || a.Available() != 5*unit+unit/2 {
		t.Fatalf("invoke: %+v %v available %v", ch, err, a.Available())
	}
	a.Charge(3*unit, 0) // token credit gone, 2.50 of the emergency credit used
	if a.Token.Amount != 0 || a.EmergencyCredit.Amount != 2*unit+unit/2 || a.EmergencyCredit.Status != CreditInUse {
		t.Fatalf("token %v emergency %+v", a.Token.Amount, a.EmergencyCredit)
	}
	ch = a.Charge(3*unit, 0) // 0.50 beyond everything
	if !ch.Exhausted || a.EmergencyCredit.Status != CreditExhausted || a.Available() != -unit/2 {
		t.Fatalf("exhausted: %+v available %v", ch, a.Available())
	}
	// A 10.00 top-up repays the 0.50 debt and the 5.00 emergency credit.
	_, ch, _ = a.TopUp(MakeToken(key, "S", 2, 10*unit), "S")
	if !ch.Restored || a.Available() != 4*unit+unit/2 || a.EmergencyCredit.Status != CreditEnabled {
		t.Fatalf("after top-up: %+v available %v emergency %+v", ch, a.Available(), a.EmergencyCredit)
	}
}

func TestEmergencyAuto(t *testing.T) {
	a := prepaid(t, func(c *Config) { c.Emergency, c.EmergencyThreshold, c.EmergencyAuto = 5*unit, unit, true })
	a.TopUp(MakeToken(key, "S", 1, 2*unit), "S")
	ch := a.Charge(unit+unit/2, 0)
	if !ch.EmergencyInvoked || a.Available() != 5*unit+unit/2 {
		t.Fatalf("auto invoke: %+v available %v", ch, a.Available())
	}
}

func TestStandingChargeExact(t *testing.T) {
	a := prepaid(t, func(c *Config) { c.StandingPerDay = unit/3 + 7 }) // not a multiple of anything
	a.TopUp(MakeToken(key, "S", 1, 100*unit), "S")
	for range 86400 {
		a.Charge(0, time.Second)
	}
	if a.Standing != unit/3+7 {
		t.Fatalf("a day in one-second steps charged %v, want %v", a.Standing, unit/3+7)
	}
	b := prepaid(t, func(c *Config) { c.StandingPerDay = unit/3 + 7 })
	b.TopUp(MakeToken(key, "S", 1, 100*unit), "S")
	b.Charge(0, 24*time.Hour)
	if b.Available() != a.Available() {
		t.Fatalf("one step %v, 86400 steps %v", b.Available(), a.Available())
	}
}

func TestCreditModeNeverRunsOut(t *testing.T) {
	a, err := New(Config{Mode: CreditMode})
	if err != nil {
		t.Fatal(err)
	}
	if ch := a.Charge(1000*unit, time.Hour); ch.Any() || a.Consumption != 1000*unit {
		t.Fatalf("credit mode: %+v", ch)
	}
}

func TestConfigValidate(t *testing.T) {
	for name, c := range map[string]Config{
		"mode 0":      {},
		"short key":   {Mode: PrepaymentMode, TokenKey: []byte("short")},
		"negative":    {Mode: CreditMode, LowCredit: -1},
		"scale of 12": {Mode: CreditMode, Currency: Currency{Scale: 12}},
	} {
		if _, err := New(c); !errors.Is(err, ErrState) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add(MakeToken(key, "S1", 7, unit))
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(key, "S1", b)
		if err != nil {
			if !errors.Is(err, ErrToken) {
				t.Fatalf("error %v does not wrap ErrToken", err)
			}
			return
		}
		if again := MakeToken(key, "S1", tok.ID, tok.Amount); string(again) != string(b) {
			t.Fatal("an accepted token does not re-encode to itself")
		}
	})
}
