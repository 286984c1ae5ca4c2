package pebble

import (
	"errors"
	"math"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

func walRows() []store.Reading {
	return []store.Reading{
		{Meter: 1, Channel: store.ActiveImport, Time: 900_000, Value: 12_345_678},
		{Meter: 1, Channel: store.ActiveImport, Time: 1_800_000, Value: 12_345_900, Quality: store.Valid},
		{Meter: 1, Channel: store.ActiveImport, Time: 1_800_000, Value: 12_345_901, Quality: store.Estimated},
		{Meter: 1, Channel: store.ReactiveImport, Time: 900_000, Value: math.MinInt64},
		{Meter: 7, Channel: store.ActiveImport, Time: 0, Value: math.MaxInt64, Quality: store.Missing},
		{Meter: math.MaxUint64, Channel: store.Channel{255, 255, 255, 255, 255, 255}, Time: store.MaxTime, Value: -1},
	}
}

func TestRecordRoundTrip(t *testing.T) {
	rows := walRows()
	rec := appendRecord(nil, rows)
	got, err := decodeRecord([]store.Reading{{Meter: 9}}, rec)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows)+1 || got[0].Meter != 9 {
		t.Fatalf("decoded %d rows after the one given, want %d", len(got)-1, len(rows))
	}
	for i, r := range rows {
		if got[i+1] != r {
			t.Errorf("row %d = %v, want %v", i, got[i+1], r)
		}
	}
}

func TestRecordRejects(t *testing.T) {
	good := appendRecord(nil, walRows())
	unsorted := appendRecord(nil, []store.Reading{{Meter: 2, Channel: store.ActiveImport, Time: 5}, {Meter: 1, Channel: store.ActiveImport, Time: 5}})
	tests := []struct {
		name string
		src  []byte
		want error
	}{
		{"empty", nil, errTruncated},
		{"channel count beyond the bytes", []byte{0x7f, 1, 0, 1, 8, 0, 255}, errTruncated},
		{"row count beyond the bytes", []byte{0, 0x7f, 3}, errTruncated},
		{"first row continues nothing", []byte{1, 1, 0, 1, 8, 0, 255, 1, 0, 2, 2, 0}, errRecord},
		{"channel index out of range", []byte{1, 1, 0, 1, 8, 0, 255, 1, 3, 2, 5, 2, 2, 0}, errRecord},
		{"meter zero", []byte{1, 1, 0, 1, 8, 0, 255, 1, 3, 0, 0, 2, 2, 0}, errRecord},
		{"unknown quality", []byte{1, 1, 0, 1, 8, 0, 255, 1, 3, 1, 0, 2, 2, 0x80, 0x80, 0x04}, errRecord},
		{"rows out of order", unsorted, errRecord},
		{"trailing byte", append(append([]byte(nil), good...), 0), errTrailing},
		{"cut short", good[:len(good)-1], errTruncated},
	}
	for _, tt := range tests {
		got, err := decodeRecord(nil, tt.src)
		if err == nil || !errors.Is(err, store.ErrCorrupt) || !errors.Is(err, tt.want) {
			t.Errorf("%s: %d rows, error %v, want %v wrapping store.ErrCorrupt", tt.name, len(got), err, tt.want)
		}
		if len(got) != 0 {
			t.Errorf("%s: %d rows returned with the error", tt.name, len(got))
		}
	}
}

// FuzzRecordDecode: any bytes decode to an error or to sorted, valid rows
// that re-encode to a record decoding to the same rows.
func FuzzRecordDecode(f *testing.F) {
	f.Add(appendRecord(nil, walRows()))
	f.Add(appendRecord(nil, walRows()[:1]))
	f.Fuzz(func(t *testing.T, src []byte) {
		rows, err := decodeRecord(nil, src)
		if err != nil {
			return
		}
		again, err := decodeRecord(nil, appendRecord(nil, rows))
		if err != nil {
			t.Fatalf("re-encoded record: %v", err)
		}
		if len(again) != len(rows) {
			t.Fatalf("%d rows after re-encoding, want %d", len(again), len(rows))
		}
		for i := range rows {
			if again[i] != rows[i] {
				t.Fatalf("row %d = %v after re-encoding, want %v", i, again[i], rows[i])
			}
		}
	})
}

// FuzzConflictDecode: stored conflict entries decode or fail, never panic,
// and re-encode to the same entry.
func FuzzConflictDecode(f *testing.F) {
	c := store.Conflict{
		Stored:   store.Reading{Meter: 3, Channel: store.ActiveImport, Time: 900_000, Value: 10},
		Incoming: store.Reading{Meter: 3, Channel: store.ActiveImport, Time: 900_000, Value: -11, Quality: store.Valid},
	}
	f.Add(appendConflictKey(nil, c.Incoming), appendConflictValue(nil, c))
	f.Fuzz(func(t *testing.T, k, v []byte) {
		got, err := decodeConflict(k, v)
		if err != nil {
			return
		}
		k2, v2 := appendConflictKey(nil, got.Incoming), appendConflictValue(nil, got)
		again, err := decodeConflict(k2, v2)
		if err != nil || again != got {
			t.Fatalf("re-encoded conflict %+v: %+v, %v", got, again, err)
		}
	})
}
