package hes

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/store"
)

// The appliance event log of a three-phase meter holds its phases'
// events in turns, not in time order, and events of several phases in
// one hundredth. Its readings are in time order, each the one the push
// of the same event makes (profile.ApplianceReading).
func TestApplianceRowsInTimeOrder(t *testing.T) {
	at := func(ms int) axdr.Value {
		d := axdr.FromTime(time.Date(2024, 6, 3, 6, 3, 0, ms*int(time.Millisecond), time.UTC))
		return axdr.OctetString(d.Append(nil))
	}
	event := func(id uint16, phase uint8) []axdr.Value {
		return []axdr.Value{axdr.Uint16(id), axdr.Enum(1), axdr.Int32(int32(100 * id)), axdr.Uint32(900), axdr.Uint16(800), axdr.Uint8(phase)}
	}
	rows := []struct {
		at    int
		event []axdr.Value
	}{
		{370, event(1, 1)}, // a frame chunk: phase 1's events, then phase 2's
		{520, event(2, 1)},
		{370, event(3, 2)}, // the same hundredth as the first
		{450, event(4, 2)},
		{370, event(5, 3)},
	}
	buf := []axdr.Value{axdr.Array(len(rows))}
	var want []store.Reading
	for _, r := range rows {
		buf = append(append(buf, axdr.Structure(7), at(r.at)), r.event...)
		ms, q, err := profile.DateTimeMillis(at(r.at))
		if err != nil {
			t.Fatal(err)
		}
		pushed, err := profile.ApplianceReading(5, ms, q, r.event)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, pushed)
	}
	got, err := applianceRows(5, buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	// In time order: 370 ms phases 1, 2, 3 (+0, +1, +2 ms), 450, 520.
	for k, i := range []int{0, 2, 4, 3, 1} {
		if k >= len(got) || got[k] != want[i] {
			t.Fatalf("readings %v, want row %d's %v at %d", got, i, want[i], k)
		}
	}
	if len(got) != len(rows) {
		t.Fatalf("%d readings of %d rows", len(got), len(rows))
	}
}
