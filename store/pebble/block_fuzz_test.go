package pebble

import "testing"

// FuzzBlockDecode: the decoder returns an error or samples for any bytes,
// never panics, and what it decodes re-encodes to a block that decodes to
// the same samples and summary.
func FuzzBlockDecode(f *testing.F) {
	var enc blockEncoder
	f.Add(enc.encode(nil, 0, []sample{{Time: 0, Value: 5}}), int64(0))
	f.Add(enc.encode(nil, day, regular(96, day, 900_000, func(i int) int64 { return 1e7 + int64(i*i) })), int64(day))
	f.Add([]byte{1, 3, 0, 0xfc, 0, 0, 0xfe, 3, 0, 0, 0, 1, 0}, int64(0))
	f.Fuzz(func(t *testing.T, src []byte, base int64) {
		got, err := decodeBlock(nil, src, base)
		sum, serr := decodeSummary(src, base)
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("error %v with %d samples", err, len(got))
			}
			return
		}
		if serr != nil {
			t.Fatalf("block decodes but its summary does not: %v", serr)
		}
		if want := summarize(got); sum != want {
			t.Fatalf("summary %+v, samples say %+v", sum, want)
		}
		again, err := decodeBlock(nil, enc.encode(nil, base, got), base)
		if err != nil {
			t.Fatalf("re-encoded block does not decode: %v", err)
		}
		if len(again) != len(got) {
			t.Fatalf("re-decoded %d samples, want %d", len(again), len(got))
		}
		for i := range got {
			if again[i] != got[i] {
				t.Fatalf("sample %d = %+v after re-encoding, want %+v", i, again[i], got[i])
			}
		}
	})
}
