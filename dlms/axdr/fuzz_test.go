package axdr_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// FuzzDecode: no input panics, and whatever decodes re-encodes to bytes that
// decode to the same tree.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{"00", "06 00 00 04 D2", "02 02 0F FF 16 1E", "13 02 02 12 0A 08 00 01 02 41 42 00 02 00", "04 0C A5 F0"} {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		vals, err := axdr.Decode(nil, src)
		if err != nil {
			return
		}
		out, err := axdr.Append(nil, vals)
		if err != nil {
			t.Fatalf("decoded %v but cannot re-encode: %v", vals, err)
		}
		again, err := axdr.Decode(nil, out)
		if err != nil || !axdr.EqualTrees(again, vals) {
			t.Fatalf("round trip: % X → %v → % X → %v (%v)", src, vals, out, again, err)
		}
		_ = axdr.Format(vals)
	})
}
