package profile

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

var t0 = time.Date(2024, 3, 1, 12, 15, 0, 0, time.UTC)

func TestDateTimeMillis(t *testing.T) {
	cet := time.FixedZone("CET", 3600)
	local := time.Date(2024, 3, 1, 13, 15, 0, 500_000_000, cet)
	got, q, err := DateTimeMillis(axdr.OctetString(axdr.FromTime(local).Append(nil)))
	if err != nil || got != local.UnixMilli() || q != 0 {
		t.Errorf("CET: %d %v %v, want %d", got, q, err, local.UnixMilli())
	}
	invalid := axdr.FromTime(t0)
	invalid.Status = axdr.StatusInvalid
	if _, q, _ := DateTimeMillis(axdr.OctetString(invalid.Append(nil))); q != store.ClockInvalid {
		t.Errorf("invalid clock: quality %v", q)
	}
	wild := axdr.FromTime(t0)
	wild.Year = axdr.YearNotSpecified
	if _, _, err := DateTimeMillis(axdr.OctetString(wild.Append(nil))); err == nil {
		t.Errorf("a wildcard year converted")
	}
}

func TestRows(t *testing.T) {
	cols := []cosem.CaptureObject{ClockTime, {Class: cosem.ClassRegister, Name: cosem.OBIS(store.ActiveImport), Attribute: 2},
		{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 96, 11, 0, 255}, Attribute: 2}}
	at := func(k int) axdr.Value {
		return axdr.OctetString(axdr.FromTime(t0.Add(time.Duration(k) * 15 * time.Minute)).Append(nil))
	}
	v := []axdr.Value{axdr.Array(2),
		axdr.Structure(3), at(0), axdr.Uint32(100), axdr.Uint16(1),
		axdr.Structure(3), at(1), axdr.Uint32(110), axdr.Uint16(2)}
	rs, es, err := Rows(7, cosem.OBIS{0, 0, 99, 98, 0, 255}, cols, v, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantR := []store.Reading{{Meter: 7, Channel: store.ActiveImport, Time: t0.UnixMilli(), Value: 100},
		{Meter: 7, Channel: store.ActiveImport, Time: t0.Add(15 * time.Minute).UnixMilli(), Value: 110}}
	if len(rs) != 2 || rs[0] != wantR[0] || rs[1] != wantR[1] {
		t.Errorf("readings %v", rs)
	}
	if len(es) != 2 || es[1] != (meterdata.Event{Log: meterdata.StandardLog, Time: t0.Add(15 * time.Minute).UnixMilli(), Code: 2}) {
		t.Errorf("events %v", es)
	}
	for name, bad := range map[string][]axdr.Value{
		"not an array":       {axdr.Uint8(1)},
		"row too short":      {axdr.Array(1), axdr.Structure(2), at(0), axdr.Uint32(1)},
		"count beyond input": {axdr.Array(5), axdr.Structure(3), at(0), axdr.Uint32(1), axdr.Uint16(1)},
		"text as energy":     {axdr.Array(1), axdr.Structure(3), at(0), axdr.VisibleString("x"), axdr.Uint16(1)},
	} {
		if _, _, err := Rows(7, cosem.OBIS{}, cols, bad, nil, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
