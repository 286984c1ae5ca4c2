package cosem_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

func TestTextAndJSON(t *testing.T) {
	volt := &cosem.ScalerUnit{Scaler: -1, Unit: cosem.UnitVolt}
	wh := &cosem.ScalerUnit{Unit: cosem.UnitWh}
	dt := axdr.FromTime(time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)).Append(nil)
	cet := axdr.FromTime(time.Date(2024, 1, 1, 1, 0, 0, 0, time.FixedZone("CET", 3600))).Append(nil)
	wild := axdr.DateTime{Date: axdr.Date{Year: axdr.YearNotSpecified, Month: 3, Day: axdr.DayLast, Weekday: 7},
		Time: axdr.Time{Hour: 2}, Deviation: axdr.DeviationNotSpecified, Status: axdr.StatusNotSpecified}.Append(nil)
	for _, tc := range []struct {
		name     string
		v        []axdr.Value
		su       *cosem.ScalerUnit
		text     string
		jsonText string
	}{
		{"energy", []axdr.Value{axdr.Uint32(12345)}, wh, "12345 Wh", "12345"},
		{"voltage", []axdr.Value{axdr.Uint16(2301)}, volt, "230.1 V", "230.1"},
		{"negative", []axdr.Value{axdr.Int32(-5)}, &cosem.ScalerUnit{Scaler: -1, Unit: cosem.UnitWatt}, "-0.5 W", "-0.5"},
		{"count", []axdr.Value{axdr.Uint8(7)}, &cosem.ScalerUnit{Unit: cosem.UnitCount}, "7", "7"},
		{"unscaled", []axdr.Value{axdr.Uint64(18446744073709551615)}, nil, "18446744073709551615", "18446744073709551615"},
		{"clock", []axdr.Value{axdr.OctetString(dt)}, nil, "2024-03-31T12:00:00Z", `"2024-03-31T12:00:00Z"`},
		{"clock with deviation", []axdr.Value{axdr.OctetString(cet)}, nil, "2024-01-01T01:00:00+01:00", `"2024-01-01T01:00:00+01:00"`},
		{"wildcard date-time", []axdr.Value{axdr.OctetString(wild)}, nil, "****-03-last 07 02:00:00.00 dev=* status=*", `"****-03-last 07 02:00:00.00 dev=* status=*"`},
		{"text", []axdr.Value{axdr.OctetString([]byte("AMG0000000000001"))}, nil, `"AMG0000000000001"`, `"AMG0000000000001"`},
		{"binary", []axdr.Value{axdr.OctetString([]byte{0, 0, 1, 0, 0, 255})}, nil, "0000010000FF", `"0000010000FF"`},
		{"visible", []axdr.Value{axdr.VisibleString("00000001")}, nil, `"00000001"`, `"00000001"`},
		{"structure", []axdr.Value{axdr.Structure(2), axdr.Int8(-1), axdr.Enum(30)}, nil, "{-1, 30}", "[-1,30]"},
		{"array", []axdr.Value{axdr.Array(2), axdr.Bool(true), axdr.Null()}, nil, "[true, null]", "[true,null]"},
		{"float", []axdr.Value{axdr.Float64(0.5)}, nil, "0.5", "0.5"},
	} {
		if got := cosem.Text(tc.v, tc.su); got != tc.text {
			t.Errorf("%s: Text = %q, want %q", tc.name, got, tc.text)
		}
		b, err := json.Marshal(cosem.JSON(tc.v, tc.su))
		if err != nil || string(b) != tc.jsonText {
			t.Errorf("%s: JSON = %s (%v), want %s", tc.name, b, err, tc.jsonText)
		}
	}
}

// TestObjectListRoundTrip: what an Association LN object encodes,
// ParseObjectList reads back with the same rights.
func TestObjectListRoundTrip(t *testing.T) {
	tree, err := cosemtest.New(cosemtest.Options{Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	view, _ := tree.View(cosemtest.Management)
	a := cosem.NewAssociationLN(cosem.AssociationConfig{ClientSAP: 1}, view)
	enc, err := a.Get(context.Background(), nil, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	vals, err := axdr.Decode(nil, enc)
	if err != nil {
		t.Fatal(err)
	}
	list, err := cosem.ParseObjectList(vals)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	for o, r := range a.Objects() {
		e := list[i]
		if e.ObjectID != o.ID() {
			t.Errorf("entry %d: %+v, want %+v", i, e.ObjectID, o.ID())
		}
		c := cosem.LookupClass(o.ID().Class)
		for id := 1; id <= len(c.Attributes); id++ {
			if e.Rights.Attribute(int8(id)) != r.Attribute(int8(id)) {
				t.Errorf("%s attribute %d: %+v, want %+v", o.ID().Name, id, e.Rights.Attribute(int8(id)), r.Attribute(int8(id)))
			}
		}
		for id := 1; id <= len(c.Methods); id++ {
			if e.Rights.Method(int8(id)) != r.Method(int8(id)) {
				t.Errorf("%s method %d: %s, want %s", o.ID().Name, id, e.Rights.Method(int8(id)), r.Method(int8(id)))
			}
		}
		i++
	}
	if i != len(list) {
		t.Errorf("%d entries, view has %d", len(list), i)
	}
}

func TestParseObjectListRejects(t *testing.T) {
	for _, tc := range []struct{ name, hex string }{
		{"not an array", "06 00 00 00 01"},
		{"element not a structure", "01 01 06 00 00 00 01"},
		{"short logical name", "01 01 02 04 12 00 01 11 00 09 05 00 00 01 00 00 02 02 01 00 01 00"},
		{"attribute access not a structure", "01 01 02 04 12 00 01 11 00 09 06 00 00 01 00 00 FF 02 02 01 01 11 01 01 00"},
		{"selector out of range", "01 01 02 04 12 00 07 11 01 09 06 01 00 63 01 00 FF 02 02 01 01 02 03 0F 02 16 01 01 01 0F 40 01 00"},
		{"trailing values", "01 00 00"},
	} {
		vals, err := axdr.Decode(nil, unhex(t, tc.hex))
		if err != nil {
			// A tree that does not even decode is not what this tests.
			vals = nil
		}
		if _, err := cosem.ParseObjectList(vals); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestParseText(t *testing.T) {
	clock := axdr.OctetString(axdr.FromTime(time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC)).Append(nil))
	volt := &cosem.ScalerUnit{Scaler: -1, Unit: cosem.UnitVolt}
	for _, tc := range []struct {
		name string
		text string
		like axdr.Value
		su   *cosem.ScalerUnit
		want string // axdr.Format of the result, or "error"
	}{
		{"register", "12346", axdr.Uint32(0), nil, "double-long-unsigned 12346"},
		{"scaled", "230.1", axdr.Uint16(0), volt, "long-unsigned 2301"},
		{"scaled too fine", "230.15", axdr.Uint16(0), volt, "error"},
		{"negative long", "-15", axdr.Int16(0), nil, "long -15"},
		{"out of range", "300", axdr.Uint8(0), nil, "error"},
		{"negative unsigned", "-1", axdr.Uint32(0), nil, "error"},
		{"explicit type", "integer:0", axdr.Value{}, nil, "integer 0"},
		{"explicit enum", "enum:3", axdr.Uint32(0), nil, "enum 3"},
		{"explicit octets", "octet-string:0x0102", axdr.Value{}, nil, "octet-string[2] 0102"},
		{"time", "2024-04-01T00:00:00Z", clock, nil, "octet-string[12] 07E8040101000000000000" + "00"},
		{"text octets", "hello", axdr.OctetString([]byte("x")), nil, "octet-string[5] 68656C6C6F"},
		{"hex octets", "0xCAFE", axdr.OctetString([]byte("x")), nil, "octet-string[2] CAFE"},
		{"boolean", "true", axdr.Bool(false), nil, "boolean true"},
		{"visible", "abc", axdr.VisibleString(""), nil, `visible-string "abc"`},
		{"no type known", "5", axdr.Value{Tag: axdr.TagArray}, nil, "error"},
		{"unknown type name", "bogus:5", axdr.Uint8(0), nil, "error"},
	} {
		got, err := cosem.ParseText(tc.text, []axdr.Value{tc.like}, tc.su)
		switch {
		case tc.want == "error" && err == nil:
			t.Errorf("%s: %v, want an error", tc.name, got)
		case tc.want != "error" && (err != nil || axdr.Format(got) != tc.want+"\n"):
			t.Errorf("%s: %q, %v; want %s", tc.name, axdr.Format(got), err, tc.want)
		}
	}
}

func TestScalerUnitParseInvertsFormat(t *testing.T) {
	for _, raw := range []int64{0, 1, -1, 12345, -9876543210, 5000} {
		for _, sc := range []int8{-3, -1, 0, 2} {
			su := cosem.ScalerUnit{Scaler: sc}
			back, err := su.Parse(su.Format(raw))
			if err != nil || back != raw {
				t.Errorf("scaler %d: %d → %q → %d, %v", sc, raw, su.Format(raw), back, err)
			}
		}
	}
	if _, err := (cosem.ScalerUnit{Scaler: 2}).Parse("150"); err == nil {
		t.Error("150 with scaler 2 (hundreds) accepted")
	}
}
