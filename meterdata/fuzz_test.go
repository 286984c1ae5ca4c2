package meterdata

import (
	"slices"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// FuzzDecodeReadings: any bytes decode to a message or an error, never a
// panic; what decodes re-encodes and decodes to the same message.
func FuzzDecodeReadings(f *testing.F) {
	m := Readings{Meter: 7, Collected: t0, Source: SourcePush, Readings: append(profile(store.ActiveImport, 4, t0, 100), profile(store.ActiveExport, 3, t0, 0)...)}
	b, err := m.Append(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, src []byte) {
		var got Readings
		if err := DecodeReadings(src, &got); err != nil {
			if got.Meter != 0 || len(got.Readings) != 0 {
				t.Fatalf("error %v with a message %+v", err, got)
			}
			return
		}
		again, err := got.Append(nil)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		var back Readings
		if err := DecodeReadings(again, &back); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if back.Meter != got.Meter || back.Collected != got.Collected || back.Source != got.Source || !slices.Equal(back.Readings, got.Readings) {
			t.Fatalf("re-decoded %+v, want %+v", back, got)
		}
	})
}

// FuzzDecodeEvents: as FuzzDecodeReadings, for events messages.
func FuzzDecodeEvents(f *testing.F) {
	m := Events{Meter: 9, Collected: t0, Events: []Event{{Log: StandardLog, Time: t0, Code: ClockAdjustedOld}, {Log: StandardLog, Time: t0 + 1, Code: ClockAdjustedNew}}}
	b, err := m.Append(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Fuzz(func(t *testing.T, src []byte) {
		var got Events
		if err := DecodeEvents(src, &got); err != nil {
			if got.Meter != 0 || len(got.Events) != 0 {
				t.Fatalf("error %v with a message %+v", err, got)
			}
			return
		}
		again, err := got.Append(nil)
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		var back Events
		if err := DecodeEvents(again, &back); err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if back.Meter != got.Meter || back.Collected != got.Collected || !slices.Equal(back.Events, got.Events) {
			t.Fatalf("re-decoded %+v, want %+v", back, got)
		}
	})
}
