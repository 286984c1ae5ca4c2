package cosem_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
)

func TestParseOBIS(t *testing.T) {
	want := cosem.OBIS{1, 0, 1, 8, 0, 255}
	for _, in := range []string{"1-0:1.8.0*255", "1-0:1.8.0", "1-0:1.8.0.255", "1.0.1.8.0.255", " 1.0.1.8.0.255 ", "0100010800FF", "0100010800ff"} {
		got, err := cosem.ParseOBIS(in)
		if err != nil || got != want {
			t.Errorf("ParseOBIS(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got := cosem.MustOBIS("0-0:96.1.0*255"); got != (cosem.OBIS{0, 0, 96, 1, 0, 255}) {
		t.Errorf("MustOBIS = %v", got)
	}
}

func TestParseOBISErrorsNameTheInput(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"1.0.1.8.0", `"1.0.1.8.0": want A-B:C.D.E*F or A.B.C.D.E.F`},
		{"1.0.1.8.0.256", `"1.0.1.8.0.256": group F is "256"`},
		{"1-0:1.8", `"1-0:1.8": want A-B:C.D.E*F or A.B.C.D.E.F`},
		{"1-0.1.8.0", `"1-0.1.8.0": want A-B:C.D.E*F`},
		{"1.0.x.8.0.255", `group C is "x"`},
		{"0100010800FG", `"0100010800FG"`},
		{"", `""`},
		{"1.0.1.8.0.-1", `"1.0.1.8.0.-1"`},
	} {
		_, err := cosem.ParseOBIS(tc.in)
		if !errors.Is(err, cosem.ErrOBIS) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseOBIS(%q) error %v, want ErrOBIS containing %q", tc.in, err, tc.want)
		}
	}
}

func TestOBISPrintsAndNames(t *testing.T) {
	o := cosem.OBIS{1, 0, 1, 8, 0, 255}
	if s := o.String(); s != "1.0.1.8.0.255" {
		t.Errorf("String = %q", s)
	}
	if s := o.IEC(); s != "1-0:1.8.0*255" {
		t.Errorf("IEC = %q", s)
	}
	for _, tc := range []struct{ obis, name string }{
		{"1.0.1.8.0.255", "Active energy import (+A) total"},
		{"1.0.1.8.3.255", "Active energy import (+A) rate 3"},
		{"0.0.1.0.0.255", "Clock"},
		{"1.0.72.7.0.255", "Voltage L3"},
		{"0.0.43.1.0.255", "Invocation counter"},
		{"1.0.99.1.0.255", "Load profile 15 min"},
		{"1.2.3.4.5.6", ""},
	} {
		if got := cosem.MustOBIS(tc.obis).Name(); got != tc.name {
			t.Errorf("%s.Name() = %q, want %q", tc.obis, got, tc.name)
		}
	}
	b, err := json.Marshal(map[string]cosem.OBIS{"obis": o})
	if err != nil || string(b) != `{"obis":"1.0.1.8.0.255"}` {
		t.Errorf("JSON = %s, %v", b, err)
	}
	var back map[string]cosem.OBIS
	if err := json.Unmarshal([]byte(`{"obis":"1-0:1.8.0*255"}`), &back); err != nil || back["obis"] != o {
		t.Errorf("JSON back = %v, %v", back, err)
	}
}

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		u      cosem.Unit
		symbol string
	}{
		{cosem.UnitWh, "Wh"}, {cosem.UnitVolt, "V"}, {cosem.UnitAmpere, "A"}, {cosem.UnitHertz, "Hz"},
		{cosem.UnitVarh, "varh"}, {cosem.UnitVAh, "VAh"}, {cosem.UnitWatt, "W"}, {13, "m³"}, {9, "°C"},
		{cosem.UnitCount, ""}, {200, ""},
	} {
		if got := tc.u.Symbol(); got != tc.symbol {
			t.Errorf("unit %d symbol %q, want %q", tc.u, got, tc.symbol)
		}
	}
	if s := cosem.Unit(200).String(); s != "unit-200" {
		t.Errorf("unknown unit String = %q", s)
	}
	if q := cosem.UnitWh.Quantity(); q != "active energy" {
		t.Errorf("Wh quantity %q", q)
	}
}

func TestScalerUnitFormat(t *testing.T) {
	for _, tc := range []struct {
		raw    int64
		scaler int8
		want   string
	}{
		{12345, 0, "12345"},
		{2301, -1, "230.1"},
		{523, -2, "5.23"},
		{5000, -2, "50"},
		{5, -3, "0.005"},
		{-5, -1, "-0.5"},
		{12, 2, "1200"},
		{0, -2, "0"},
		{-0, 3, "0"},
		{100, -2, "1"},
		{-9223372036854775808, 0, "-9223372036854775808"},
		{-9223372036854775808, -19, "-0.9223372036854775808"},
		{1, -128, "0." + strings.Repeat("0", 127) + "1"},
	} {
		if got := (cosem.ScalerUnit{Scaler: tc.scaler}).Format(tc.raw); got != tc.want {
			t.Errorf("Format(%d, %d) = %q, want %q", tc.raw, tc.scaler, got, tc.want)
		}
	}
	if got := (cosem.ScalerUnit{Scaler: -3}).FormatUint(18446744073709551615); got != "18446744073709551.615" {
		t.Errorf("FormatUint = %q", got)
	}
	if got := (cosem.ScalerUnit{Scaler: -1}).Float(2301); got != 230.1 {
		t.Errorf("Float = %v", got)
	}
}
