package meterdata

import (
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

const t0 = 1704067200000 // 2024-01-01T00:00Z

// profile returns a 15-minute register profile of meter 7 with n readings.
func profile(ch store.Channel, n int, start, base int64) []store.Reading {
	rs := make([]store.Reading, n)
	for i := range rs {
		rs[i] = store.Reading{Meter: 7, Channel: ch, Time: start + int64(i)*900_000, Value: base + int64(i*i)}
	}
	return rs
}

func TestReadingsRoundTrip(t *testing.T) {
	mixed := append(profile(store.ActiveImport, 96, t0, 12_345_678), profile(store.ReactiveImport, 96, t0, 5_000)...)
	mixed[10].Quality = store.Estimated | store.Valid
	cases := []struct {
		name string
		rs   []store.Reading
		size int // encoded bytes, 0: not checked
	}{
		{"one reading", []store.Reading{{Meter: 7, Channel: store.ActiveImport, Time: t0, Value: -5, Quality: store.Missing}}, 0},
		{"two channels of a day", mixed, 0},
		{"time and value extremes", []store.Reading{
			{Meter: 7, Channel: store.ActiveImport, Time: store.MinTime, Value: 1<<63 - 1},
			{Meter: 7, Channel: store.ActiveImport, Time: store.MaxTime, Value: -1 << 63},
		}, 0},
		{"unsorted times split groups", []store.Reading{
			{Meter: 7, Channel: store.ActiveImport, Time: t0 + 2},
			{Meter: 7, Channel: store.ActiveImport, Time: t0 + 1},
			{Meter: 7, Channel: store.ActiveImport, Time: t0 + 1, Value: 3},
		}, 0},
		// A constant-interval register profile costs its header (kind,
		// version, meter, 6-byte collected, source, groups), a group header
		// (OBIS, n, 6-byte t0, 3-byte v0, q0), 5 bytes for the second
		// reading (its dod is the whole 900 000 ms step) and then 3 bytes
		// per reading: dod 0, an increment below 64, quality.
		{"regular profile is 3 B per reading", func() []store.Reading {
			rs := profile(store.ActiveImport, 96, t0, 1_000_000)
			for i := range rs {
				rs[i].Value = 1_000_000 + int64(i)*50
			}
			return rs
		}(), (2 + 1 + 6 + 1 + 1) + (6 + 1 + 6 + 3 + 1) + 5 + 94*3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := Readings{Meter: 7, Collected: t0 + 86_400_000, Source: SourceProfile, Readings: c.rs}
			b, err := in.Append([]byte("prefix"))
			if err != nil {
				t.Fatal(err)
			}
			if string(b[:6]) != "prefix" {
				t.Fatalf("Append overwrote the prefix")
			}
			b = b[6:]
			if c.size != 0 && len(b) != c.size {
				t.Errorf("encoded %d bytes, want %d", len(b), c.size)
			}
			var out Readings
			if err := DecodeReadings(b, &out); err != nil {
				t.Fatal(err)
			}
			if out.Meter != in.Meter || out.Collected != in.Collected || out.Source != in.Source {
				t.Errorf("header %d %d %s, want %d %d %s", out.Meter, out.Collected, out.Source, in.Meter, in.Collected, in.Source)
			}
			if !slices.Equal(out.Readings, in.Readings) {
				t.Errorf("readings differ:\n got %v\nwant %v", out.Readings, in.Readings)
			}
		})
	}
}

func TestReadingsAppendRefuses(t *testing.T) {
	ok := store.Reading{Meter: 7, Channel: store.ActiveImport, Time: t0}
	cases := []struct {
		name string
		m    Readings
	}{
		{"meter 0", Readings{Readings: []store.Reading{ok}}},
		{"no readings", Readings{Meter: 7}},
		{"reading of another meter", Readings{Meter: 8, Readings: []store.Reading{ok}}},
		{"time beyond the store", Readings{Meter: 7, Readings: []store.Reading{{Meter: 7, Time: store.MaxTime + 1}}}},
		{"unknown quality", Readings{Meter: 7, Readings: []store.Reading{{Meter: 7, Quality: 1 << 15}}}},
		{"unknown source", Readings{Meter: 7, Source: 9, Readings: []store.Reading{ok}}},
		{"negative collected", Readings{Meter: 7, Collected: -1, Readings: []store.Reading{ok}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := c.m.Append([]byte{1})
			if !errors.Is(err, store.ErrInvalid) {
				t.Errorf("Append: %v, want store.ErrInvalid", err)
			}
			if len(b) != 1 {
				t.Errorf("Append appended %d bytes on error", len(b)-1)
			}
		})
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeReadingsHostile(t *testing.T) {
	// A valid message: meter 7, collected 0, source 2, one group of
	// 1.0.1.8.0.255 with two readings at t=1 ms and t=2 ms, values 5, 6.
	const good = "52 01 07 00 02 01  01 00 01 08 00 ff 02 01 0a 00  02 02 00"
	cases := []struct {
		name, hex string
		want      error
		field     string
	}{
		{"empty", "", ErrMalformed, "kind"},
		{"events kind", "45 01", ErrMalformed, "kind"},
		{"version 2", "52 02 07 00 02 01", ErrVersion, "version"},
		{"meter 0", "52 01 00 00 02 01", ErrMalformed, "meter"},
		{"source 9", "52 01 07 00 09 01", ErrMalformed, "source"},
		{"no groups", "52 01 07 00 02 00", ErrMalformed, "groups"},
		{"group count beyond input", "52 01 07 00 02 ff ff ff ff 0f", ErrMalformed, "groups"},
		{"reading count beyond input", "52 01 07 00 02 01  01 00 01 08 00 ff ff ff 03 00 00 00", ErrMalformed, "group[0].n"},
		{"reading count 0", "52 01 07 00 02 01  01 00 01 08 00 ff 00 01 0a 00 00 00", ErrMalformed, "group[0].n"},
		{"time beyond the store", "52 01 07 00 02 01  01 00 01 08 00 ff 01 ff ff ff ff ff ff ff ff 7f 0a 00", ErrMalformed, "group[0].t0"},
		{"time not increasing", "52 01 07 00 02 01  01 00 01 08 00 ff 02 01 0a 00  00 02 00", ErrMalformed, "group[0].reading[1].dod"},
		{"dod overflowing int64", "52 01 07 00 02 01  01 00 01 08 00 ff 02 01 0a 00  fe ff ff ff ff ff ff ff ff 01 02 00", ErrMalformed, "group[0].reading[1].dod"},
		{"unknown quality bit", "52 01 07 00 02 01  01 00 01 08 00 ff 01 01 0a 80 04", ErrMalformed, "group[0].q0"},
		{"varint overflow", "52 01 ff ff ff ff ff ff ff ff ff 7f", ErrMalformed, "meter"},
		{"truncated in a reading", good[:len(good)-6], ErrMalformed, "group[0].reading[1].dv"},
		{"trailing byte", good + " 00", ErrMalformed, "end"},
	}
	var m Readings
	if err := DecodeReadings(mustHex(t, good), &m); err != nil || len(m.Readings) != 2 || m.Readings[1].Time != 2 || m.Readings[1].Value != 6 {
		t.Fatalf("good message: %v %v", m.Readings, err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := Readings{Readings: make([]store.Reading, 0, 4)}
			err := DecodeReadings(mustHex(t, c.hex), &m)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) || de.Field != c.field {
				t.Errorf("err %v, want field %q", err, c.field)
			}
			if m.Meter != 0 || len(m.Readings) != 0 {
				t.Errorf("message not emptied on error: %+v", m)
			}
		})
	}
}

func TestEventsRoundTrip(t *testing.T) {
	in := Events{Meter: 42, Collected: t0, Events: []Event{
		{Log: StandardLog, Time: t0 - 60_000, Code: PowerDown},
		{Log: StandardLog, Time: t0 - 30_000, Code: PowerUp},
		{Log: FraudLog, Time: t0, Code: 0xffff},
	}}
	b, err := in.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	var out Events
	if err := DecodeEvents(b, &out); err != nil {
		t.Fatal(err)
	}
	if out.Meter != in.Meter || out.Collected != in.Collected || !slices.Equal(out.Events, in.Events) {
		t.Errorf("got %+v, want %+v", out, in)
	}
}

func TestDecodeEventsHostile(t *testing.T) {
	cases := []struct {
		name, hex string
		field     string
	}{
		{"readings kind", "52 01 07 00 01", "kind"},
		{"no events", "45 01 07 00 00", "n"},
		{"count beyond input", "45 01 07 00 05 00 00 63 62 00 ff 01 01", "n"},
		{"code beyond 16 bits", "45 01 07 00 01 00 00 63 62 00 ff 01 80 80 04", "event[0].code"},
		{"truncated log", "45 01 07 00 01 00 00 63 62 00 ff", "n"},
		{"trailing", "45 01 07 00 01 00 00 63 62 00 ff 01 01 00", "end"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m Events
			err := DecodeEvents(mustHex(t, c.hex), &m)
			var de *DecodeError
			if !errors.Is(err, ErrMalformed) || !errors.As(err, &de) || de.Field != c.field {
				t.Fatalf("err %v, want ErrMalformed at %q", err, c.field)
			}
		})
	}
}

func TestEventsAsReadings(t *testing.T) {
	m := Events{Meter: 3, Events: []Event{
		{Log: StandardLog, Time: 1000, Code: PowerDown},
		{Log: StandardLog, Time: 1000, Code: PowerUp},
		{Log: FraudLog, Time: 1000, Code: MeterCoverOpened},
		{Log: StandardLog, Time: 1001, Code: ClockInvalid},
	}}
	got := m.AppendReadings(nil)
	want := []store.Reading{
		{Meter: 3, Channel: StandardLog, Time: 1000, Value: 1},
		{Meter: 3, Channel: StandardLog, Time: 1001, Value: 2},
		{Meter: 3, Channel: FraudLog, Time: 1000, Value: 44},
		{Meter: 3, Channel: StandardLog, Time: 1002, Value: 6},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("readings %v, want %v", got, want)
	}
	if e := EventOf(got[1]); e != (Event{Log: StandardLog, Time: 1001, Code: PowerUp}) {
		t.Errorf("EventOf = %+v", e)
	}
}

func TestMessageID(t *testing.T) {
	// SHA-256("abc") = ba7816bf 8f01cfea 414140de 5dae2223 b00361a3 … (FIPS 180-2, B.1)
	if got := MessageID([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223" {
		t.Errorf("MessageID(abc) = %s", got)
	}
}
