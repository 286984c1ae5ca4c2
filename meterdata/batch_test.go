package meterdata

import (
	"bytes"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

func testBatch(t testing.TB) ([]byte, Readings, Events) {
	r := Readings{Meter: 7, Collected: t0, Source: SourcePush, Readings: profile(store.ActiveImport, 4, t0, 100)}
	e := Events{Meter: 9, Collected: t0, Events: []Event{{Log: StandardLog, Time: t0, Code: PowerDown}}}
	var b Batch
	if err := b.AppendReadings(&r); err != nil {
		t.Fatal(err)
	}
	if err := b.AppendEvents(&e); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(b.Bytes()), r, e
}

func TestBatchRoundTrip(t *testing.T) {
	src, r, e := testBatch(t)
	if !IsBatch(src) || src[0] != 'B' || src[1] != 1 {
		t.Fatalf("header % X", src[:6])
	}
	members, err := SplitBatch(src, nil)
	if err != nil || len(members) != 2 {
		t.Fatalf("split: %d members, %v", len(members), err)
	}
	var gotR Readings
	var gotE Events
	if !IsReadings(members[0]) || IsReadings(members[1]) {
		t.Fatalf("member kinds %c %c", members[0][0], members[1][0])
	}
	if err := DecodeReadings(members[0], &gotR); err != nil || gotR.Meter != r.Meter || len(gotR.Readings) != 4 || gotR.Readings[3] != r.Readings[3] {
		t.Errorf("readings member %+v (%v)", gotR, err)
	}
	if err := DecodeEvents(members[1], &gotE); err != nil || gotE.Meter != 9 || gotE.Events[0] != e.Events[0] {
		t.Errorf("events member %+v (%v)", gotE, err)
	}
}

func TestBatchInvalidMemberLeavesBatch(t *testing.T) {
	var b Batch
	good := Readings{Meter: 7, Collected: t0, Source: SourcePush, Readings: profile(store.ActiveImport, 2, t0, 1)}
	if err := b.AppendReadings(&good); err != nil {
		t.Fatal(err)
	}
	before := bytes.Clone(b.Bytes())
	if err := b.AppendReadings(&Readings{Meter: 0}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("meter 0: %v", err)
	}
	if !bytes.Equal(b.Bytes(), before) || b.Len() != 1 {
		t.Errorf("a failed member changed the batch")
	}
	b.Reset()
	if b.Bytes() != nil || b.Len() != 0 {
		t.Errorf("reset batch not empty")
	}
}

func TestSplitBatchRejects(t *testing.T) {
	src, _, _ := testBatch(t)
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrMalformed},
		{"readings, not a batch", src[10:], ErrMalformed},
		{"version 2", append([]byte{'B', 2}, src[2:]...), ErrVersion},
		{"count zero", []byte{'B', 1, 0, 0, 0, 0}, ErrMalformed},
		{"count beyond input", []byte{'B', 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 3, 'R', 1, 1}, ErrMalformed},
		{"member length beyond input", append(bytes.Clone(src[:6]), 0, 0, 0x10, 0), ErrMalformed},
		{"member of another kind", []byte{'B', 1, 0, 0, 0, 1, 0, 0, 0, 3, 'X', 1, 1}, ErrMalformed},
		{"truncated", src[:len(src)-1], ErrMalformed},
		{"trailing byte", append(bytes.Clone(src), 0), ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := SplitBatch(c.in, nil); !errors.Is(err, c.want) {
				t.Errorf("err %v, want %v", err, c.want)
			}
		})
	}
}

// FuzzSplitBatch: any bytes split into members or fail, never panic, and
// members re-batch to the same bytes.
func FuzzSplitBatch(f *testing.F) {
	src, _, _ := testBatch(f)
	f.Add(src)
	f.Fuzz(func(t *testing.T, in []byte) {
		members, err := SplitBatch(in, nil)
		if err != nil {
			return
		}
		out := []byte{'B', 1, 0, 0, 0, byte(len(members))}
		for _, m := range members {
			out = append(out, byte(len(m)>>24), byte(len(m)>>16), byte(len(m)>>8), byte(len(m)))
			out = append(out, m...)
		}
		if len(members) < 256 && !bytes.Equal(out, in) {
			t.Errorf("members do not re-batch to the input")
		}
	})
}
