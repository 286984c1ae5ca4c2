package config

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/prepay"
)

func TestExampleLoads(t *testing.T) {
	f, err := Load("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := f.Meter
	if m.Serial != "0000000001" || f.Listen != "127.0.0.1:4059" {
		t.Errorf("serial %q listen %q", m.Serial, f.Listen)
	}
	if m.Clock.TimeZone != -60 || !m.Clock.DSTEnabled || m.Clock.DSTBegin.Month != 3 || m.Clock.DSTBegin.Day != axdr.DayLast || m.Clock.DSTBegin.Weekday != 7 || m.Clock.DSTBegin.Hour != 2 {
		t.Errorf("clock %+v", m.Clock)
	}
	cal := m.Calendar.Active
	if len(cal.Seasons) != 2 || cal.Seasons[1].Start.Month != 10 || len(cal.Days) != 3 || cal.Days[0].Actions[1].Script.Selector != 2 {
		t.Errorf("calendar %+v", cal)
	}
	if len(m.Pricing.Ladder) != 3 || m.Pricing.Ladder[0].UpTo != 200_000 || m.Pricing.Ladder[2].Price != 250_000 || m.Pricing.TOU[2] != 30_000 {
		t.Errorf("pricing %+v", m.Pricing)
	}
	if m.Prepay == nil || m.Prepay.Mode != prepay.PrepaymentMode || m.Prepay.LowCredit != 2e9 || string(m.Prepay.TokenKey) != "token key of the meter" {
		t.Errorf("prepay %+v", m.Prepay)
	}
	if len(m.Push) != 3 || !m.Push[1].LastGasp || m.Push[2].OnEvents[0] != eventlog.MagneticField || m.Push[0].Schedule == nil || len(m.Push[0].Setup.Objects) != 6 {
		t.Errorf("push %+v", m.Push)
	}
	if m.DemandPeriods != 4 || m.LoadProfile15.Capacity != 3840 || m.EventCapacity[3] != 100 || m.DisconnectMode != 6 {
		t.Errorf("demand/profiles %+v", m)
	}
	if string(f.Security.Password) != "00000000" || f.Security.ClientTitle[0] != 0x4D {
		t.Errorf("security %+v", f.Security)
	}
	if _, err := meter.New(m, nil, m.Start, meter.Options{}); err != nil {
		t.Errorf("the example does not build a meter: %v", err)
	}
}

func TestDemo(t *testing.T) {
	f := Demo()
	if f.Meter.Serial != "0000000001" || len(f.Security.EncryptionKey) != 16 || string(f.Security.Password) != "00000000" {
		t.Fatalf("demo %+v", f)
	}
	// The demo master key is RFC 3394's test KEK (§4.1).
	if kek, _ := hex.DecodeString("000102030405060708090A0B0C0D0E0F"); !bytes.Equal(f.Security.MasterKey, kek) {
		t.Errorf("demo master key %X", f.Security.MasterKey)
	}
}

func TestErrorsNameTheLine(t *testing.T) {
	example, err := os.ReadFile("example.toml")
	if err != nil {
		t.Fatal(err)
	}
	lineOf := func(s string) int {
		for i, l := range strings.Split(string(example), "\n") {
			if strings.Contains(l, s) {
				return i + 1
			}
		}
		t.Fatalf("%q not in the example", s)
		return 0
	}
	for _, tc := range []struct {
		name, from, to string
		key            string
	}{
		{"bad hex", `encryption_key = "000102030405060708090A0B0C0D0E0F"`, `encryption_key = "00010203040506070809GG"`, "encryption_key"},
		{"short key", `encryption_key = "000102030405060708090A0B0C0D0E0F"`, `encryption_key = "0001"`, "encryption_key"},
		{"short master key", `master_key = "000102030405060708090A0B0C0D0E0F"`, `master_key = "000102030405060708090A0B0C0D0E"`, "master_key"},
		{"tier bounds", "up_to_kwh = 400", "up_to_kwh = 100", "tariff.tier"},
		{"unknown key", "drift_ppm = 0 ", "drift_pm = 0 ", "drift_pm"},
		{"type mismatch", "periods = 4 ", `periods = "four" `, "periods"},
		{"bad date", `start = "*-10-01"`, `start = "*-13-01"`, "*-13-01"},
		{"bad weekday", `dst_begin = "*-03-last sun 02:00"`, `dst_begin = "*-03-last sunday 02:00"`, "dst_begin"},
		{"tariff 5", `{ start = "00:00", tariff = 2 }`, `{ start = "00:00", tariff = 5 }`, "tariff = 5"},
		{"push object", `"3/1.0.2.8.0.255/2"`, `"3/1.0.2.8.0/x"`, "3/1.0.2.8.0/x"},
		{"event code", "on_events = [1, 48]", "on_events = [1, 4800]", "4800"},
		{"control mode", "mode = 6 ", "mode = 9 ", "mode = 9"},
		{"syntax", "retries = 3", "retries = = 3", "retries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(string(example), tc.from) {
				t.Fatalf("%q not in the example", tc.from)
			}
			bad := strings.Replace(string(example), tc.from, tc.to, 1)
			_, err := Parse("meter.toml", []byte(bad))
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrConfig) {
				t.Fatalf("error %v (%T)", err, err)
			}
			want := lineOf(tc.from)
			if ce.Line != want {
				t.Fatalf("%v: line %d, want %d", err, ce.Line, want)
			}
			if !strings.HasPrefix(err.Error(), "meter.toml:") {
				t.Fatalf("%v does not name the file", err)
			}
		})
	}
	if _, err := Parse("m.toml", []byte(`listen = "x"`)); err == nil || !strings.Contains(err.Error(), "serial") {
		t.Fatalf("missing serial: %v", err)
	}
	if _, err := Load("/nonexistent/meter.toml"); !errors.Is(err, ErrConfig) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want axdr.Date
	}{
		{"*-03-last sun", axdr.Date{Year: axdr.YearNotSpecified, Month: 3, Day: axdr.DayLast, Weekday: 7}},
		{"2025-*-second-last", axdr.Date{Year: 2025, Month: axdr.NotSpecified, Day: axdr.DaySecondLast, Weekday: axdr.NotSpecified}},
		{"*-*-* mon", axdr.Date{Year: axdr.YearNotSpecified, Month: axdr.NotSpecified, Day: axdr.NotSpecified, Weekday: 1}},
	} {
		got, err := parseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("parseDate(%q) = %+v, %v", tc.in, got, err)
		}
	}
	if tm, err := parseTime("*:15"); err != nil || tm.Hour != axdr.NotSpecified || tm.Minute != 15 || tm.Second != 0 {
		t.Errorf("parseTime(*:15) = %+v %v", tm, err)
	}
	for _, bad := range []string{"24:00", "12", "1:2:3:4", "aa:00"} {
		if _, err := parseTime(bad); err == nil {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"2024-02", "1900-01-01", "*-00-01", "*-01-32", "*-01-01 someday"} {
		if _, err := parseDate(bad); err == nil {
			t.Errorf("parseDate(%q) accepted", bad)
		}
	}
}

// FuzzParse: any file is either a configuration or an error naming it.
func FuzzParse(f *testing.F) {
	example, _ := os.ReadFile("example.toml")
	f.Add(example)
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := Parse("fuzz.toml", b); err != nil && !strings.HasPrefix(err.Error(), "fuzz.toml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}
