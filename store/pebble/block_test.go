package pebble

import (
	"encoding/hex"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

const day = 86_400_000

// regular returns n samples every step ms from t0 with values from f.
func regular(n int, t0, step int64, f func(i int) int64) []sample {
	s := make([]sample, n)
	for i := range s {
		s[i] = sample{Time: t0 + int64(i)*step, Value: f(i)}
	}
	return s
}

func TestBlockRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	withFlags := func(s []sample, f func(i int) store.Quality) []sample {
		for i := range s {
			s[i].Quality = f(i)
		}
		return s
	}
	tests := []struct {
		name    string
		base    int64
		samples []sample
	}{
		{"one reading", 19723 * day, []sample{{Time: 19723 * day, Value: 5}}},
		{"one reading before its base", day, []sample{{Time: 0, Value: -1}}},
		{"two readings", 0, []sample{{Time: 10, Value: 1}, {Time: 11, Value: 1 << 40}}},
		{"15-min register", 0, regular(96, 0, 900_000, func(i int) int64 { return 12_345_678 + int64(i*i%250) + int64(i)*100 })},
		{"constant", 0, regular(96, 0, 900_000, func(int) int64 { return 42 })},
		{"1-min register", 0, regular(1440, 0, 60_000, func(i int) int64 { return 1e7 + int64(i)*17 + rng.Int64N(9) })},
		{"irregular times", 0, []sample{{Time: 0, Value: 3}, {Time: 7, Value: 3}, {Time: 900_000, Value: 9}, {Time: 900_001, Value: 10}, {Time: 86_399_999, Value: 11}}},
		{"negative deltas", 0, regular(50, 0, 60_000, func(i int) int64 { return int64(1000 - i*i) })},
		{"huge jumps", 0, []sample{{Time: 1, Value: 0}, {Time: 2, Value: math.MaxInt64}, {Time: 1 << 62, Value: math.MinInt64}, {Time: 1<<62 + 1, Value: 0}}},
		{"int64 extremes", 0, []sample{{Time: math.MinInt64, Value: math.MaxInt64}, {Time: -1, Value: math.MinInt64}, {Time: 0, Value: math.MaxInt64}, {Time: math.MaxInt64, Value: math.MinInt64}}},
		{"alternating extremes", 0, regular(64, 0, 1, func(i int) int64 {
			if i%2 == 0 {
				return math.MinInt64
			}
			return math.MaxInt64
		})},
		{"random walk", 0, regular(300, 5, 1000, func(int) int64 { return rng.Int64() >> rng.IntN(64) })},
		{"all missing", 0, withFlags(regular(4, 0, 900_000, func(int) int64 { return 0 }), func(int) store.Quality { return store.Missing })},
		{"flag runs", 0, withFlags(regular(96, 0, 900_000, func(i int) int64 { return int64(i) }), func(i int) store.Quality {
			switch {
			case i < 10:
				return store.Valid
			case i < 12:
				return store.Missing
			case i%7 == 0:
				return store.Estimated | store.Suspect
			}
			return store.Valid
		})},
		{"missing first and last", 0, withFlags(regular(5, 0, 1, func(i int) int64 { return int64(10 - i) }), func(i int) store.Quality {
			if i == 0 || i == 4 {
				return store.Missing
			}
			return 0
		})},
		{"maximum size", 0, regular(maxBlockSamples, 0, 1, func(i int) int64 { return int64(i % 1000) })},
	}
	var enc blockEncoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := enc.encode(nil, tt.base, tt.samples)
			got, err := decodeBlock(nil, b, tt.base)
			if err != nil {
				t.Fatalf("decode: %v\nblock %x", err, b)
			}
			if len(got) != len(tt.samples) {
				t.Fatalf("decoded %d samples, want %d", len(got), len(tt.samples))
			}
			for i := range got {
				if got[i] != tt.samples[i] {
					t.Fatalf("sample %d = %+v, want %+v", i, got[i], tt.samples[i])
				}
			}
			sum, err := decodeSummary(b, tt.base)
			if err != nil {
				t.Fatal(err)
			}
			if want := summarize(tt.samples); sum != want {
				t.Errorf("summary = %+v, want %+v", sum, want)
			}
			// Appending after existing samples keeps them.
			prefix := []sample{{Time: -7, Value: -7}}
			got, err = decodeBlock(prefix, b, tt.base)
			if err != nil || got[0] != prefix[0] || len(got) != len(tt.samples)+1 {
				t.Errorf("decode after a prefix: len %d, err %v", len(got), err)
			}
		})
	}
}

// TestBlockBytes pins the exact layout of small blocks (doc.go's diagram).
func TestBlockBytes(t *testing.T) {
	tests := []struct {
		name    string
		samples []sample
		want    string
	}{
		// version 1, n 1, t0 0, v0 5 (zigzag 10), count 1, present 0,
		// last−first 0, sum−count·first 0, one run of flags 0.
		{"one reading", []sample{{Time: 0, Value: 5}}, "01 01 00 0a 01 00 00 00 01 00"},
		// n 3, t0 0; times: mode 0xfc (delta, minus base, k=63: no bits),
		// base 900000 (zigzag varint c0 ee 6d); v0 100 (c8 01); values:
		// mode 0xfe (delta, zigzag, no bits: all deltas 0); count 3,
		// present 0, last−first 0, sum−3·100 0; one run of flags 0.
		{"regular constant", regular(3, 0, 900_000, func(int) int64 { return 100 }),
			"01 03 00 fc c0 ee 6d c8 01 fe 03 00 00 00 01 00"},
		// Values 100, 101, 103: deltas 1, 2; minus their minimum (base 1,
		// varint 02) they are 0 and 1, a smaller mean than zigzag's 2 and 4,
		// so mode 0x00 (delta, minus base, k=0) and bits 1·01 (padded:
		// 0xa0). Summary: last−first 3 (06), sum−3·100 4 (08).
		{"growing", []sample{{Time: 0, Value: 100}, {Time: 1, Value: 101}, {Time: 2, Value: 103}},
			"01 03 00 fc 02 c8 01 00 02 03 00 06 08 01 00 a0"},
	}
	var enc blockEncoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hex.EncodeToString(enc.encode(nil, 0, tt.samples))
			if want := strings.ReplaceAll(tt.want, " ", ""); got != want {
				t.Errorf("encode = %s, want %s", got, want)
			}
		})
	}
}

func TestBlockDecodeRejects(t *testing.T) {
	var enc blockEncoder
	// Irregular times and values: both columns have bit streams, and the
	// header stores the last time.
	good := enc.encode(nil, 0, []sample{{Time: 0, Value: 5}, {Time: 3, Value: 900}, {Time: 4, Value: 17}, {Time: 11, Value: 18}})
	backwards := enc.encode(nil, 0, []sample{{Time: 0, Value: 1}, {Time: 5, Value: 2}, {Time: 3, Value: 3}})
	withByte := func(i int, b byte) []byte {
		c := append([]byte(nil), good...)
		c[i] = b
		return c
	}
	lastTime := 4 // version, n, t0, mode (zigzag: no base), then the last time
	tests := []struct {
		name string
		hex  string
		src  []byte
		want error
	}{
		{name: "empty", hex: "", want: errTruncated},
		{name: "version 2", hex: "02 01 00 0a 01 00 00 00 01 00", want: errVersion},
		{name: "zero samples", hex: "01 00 00 0a 00 01 00", want: errCount},
		{name: "count beyond the maximum", hex: "01 81 80 10 00", want: errCount},
		{name: "summary count above n", hex: "01 01 00 0a 02 00 00 00 01 00", want: errCount},
		{name: "truncated summary", hex: "01 01 00 0a 01 00 00", want: errTruncated},
		{name: "unknown quality bits", hex: "01 01 00 0a 01 00 00 00 01 80 80 01", want: errFlags},
		{name: "trailing byte", hex: "01 01 00 0a 01 00 00 00 01 00 00", want: errTrailing},
		{name: "sum disagrees", hex: "01 01 00 0a 01 00 00 02 01 00", want: errMismatch},
		{name: "unknown summary bits", hex: "01 01 00 0a 01 08 00 00 01 00", want: errMismatch},
		{name: "flag runs short", hex: "01 03 00 fc 02 c8 01 fc 00 03 00 00 00 02 00 01 01 01", want: errFlags},
		{name: "more runs than samples", hex: "01 01 00 0a 01 00 00 00 02 00 01 00 01", want: errFlags},
		{name: "constant times", hex: "01 03 00 fc 00 00 fe 03 00 00 00 01 00", want: errOrder},
		{name: "times going back", src: backwards, want: errOrder},
		{name: "bit stream cut", src: good[:len(good)-1], want: errBadBitRun},
		{name: "overlong varint", hex: "01 ff ff ff ff ff ff ff ff ff ff 01", want: errBadVarint},
		{name: "last time disagrees", src: withByte(lastTime, good[lastTime]+2), want: errMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if src == nil {
				var err error
				if src, err = hex.DecodeString(strings.ReplaceAll(tt.hex, " ", "")); err != nil {
					t.Fatal(err)
				}
			}
			got, err := decodeBlock([]sample{{Time: 1}}, src, 0)
			if err == nil {
				t.Fatalf("decoded %d samples from %x, want an error", len(got), src)
			}
			if !errors.Is(err, store.ErrCorrupt) {
				t.Errorf("error %v does not wrap store.ErrCorrupt", err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
			if len(got) != 1 {
				t.Errorf("dst has %d samples after an error, want the 1 it had", len(got))
			}
		})
	}
}
