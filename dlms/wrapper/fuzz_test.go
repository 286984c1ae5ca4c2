package wrapper

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzDecodeFrame(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01, 0xC0}, 0)
	f.Add([]byte{0x00, 0x02, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01, 0xC0}, 0)
	f.Add([]byte{0x00, 0x01, 0x00, 0x10, 0x00, 0x01, 0xFF, 0xFF}, 100)
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		fr, n, err := DecodeFrame(in, max)
		if err != nil {
			var he *HeaderError
			if !errors.Is(err, ErrTruncated) && !errors.As(err, &he) {
				t.Fatalf("DecodeFrame error %v is neither ErrTruncated nor a HeaderError", err)
			}
			return
		}
		if max > 0 && len(fr.APDU) > max {
			t.Fatalf("decoded %d-byte APDU above the maximum %d", len(fr.APDU), max)
		}
		again, err := AppendFrame(nil, fr)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", fr, err)
		}
		if !bytes.Equal(again, in[:n]) {
			t.Fatalf("re-encoded % X, decoded from % X", again, in[:n])
		}
	})
}

// FuzzReader feeds a stream to the Reader whole and in two reads split at a
// fuzzed point: both must give the same frames and the same final error.
func FuzzReader(f *testing.F) {
	good, _ := frames(f, 3, 0, 40)
	f.Add(good, uint16(5), uint16(0))
	f.Add(good, uint16(11), uint16(16))
	f.Add(append(good[:len(good)-1:len(good)-1], 0x00, 0x02, 0, 0, 0, 0, 0, 0), uint16(1), uint16(0))
	f.Fuzz(func(t *testing.T, in []byte, split, max uint16) {
		at := int(split) % (len(in) + 1)
		whole, wholeErr := readAll(NewReader(bytes.NewReader(in), int(max)))
		parts, partsErr := readAll(NewReader(io.MultiReader(bytes.NewReader(in[:at]), bytes.NewReader(in[at:])), int(max)))
		if (wholeErr == nil) != (partsErr == nil) || wholeErr != nil && wholeErr.Error() != partsErr.Error() {
			t.Fatalf("final error: whole %v, split at %d %v", wholeErr, at, partsErr)
		}
		if len(whole) != len(parts) {
			t.Fatalf("whole stream gave %d frames, split at %d gave %d", len(whole), at, len(parts))
		}
		for k := range whole {
			if !bytes.Equal(whole[k], parts[k]) {
				t.Fatalf("frame %d differs when the input is split at %d", k, at)
			}
		}
	})
}
