package apdu_test

import (
	"bytes"
	"testing"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// FuzzDecode runs every APDU decoder (dispatched on the first byte): no
// input panics; what decodes re-encodes to bytes that decode to the same
// APDU and re-encode identically; and decoding into an APDU value that
// held something else gives the same result as a fresh one.
func FuzzDecode(f *testing.F) {
	f.Add(linktest.Unhex(f, "C4 01 C1 00 06 00 00 04 D2"))
	// glo-initiate-request of DLMS UA 1000-2 Ed. 8 §9.2.7.3 (Green Book).
	f.Add(linktest.Unhex(f, "21 30 30 01234567 801302FF8A7874133D414CED25B42534D28DB0047720606B175BD52211BE6841DB204D39EE6FDB8E356855"))
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := apdu.Decode(src)
		if err != nil {
			return
		}
		out, err := a.Append(nil)
		if err != nil {
			return // e.g. a decoded with-list too long to encode again is not a decoder bug
		}
		b, err := apdu.Decode(out)
		if err != nil {
			t.Fatalf("% X decoded, re-encoded as % X, which fails: %v", src, out, err)
		}
		again, err := b.Append(nil)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("encoding is not stable: % X → % X (%v)", out, again, err)
		}
		if a.String() != b.String() {
			t.Fatalf("round trip changed the APDU:\n%s\n%s", a, b)
		}
		// Reuse: decode something else into b first, then src.
		if err := b.Decode(out); err != nil {
			t.Fatalf("reused decode: %v", err)
		}
		if b.String() != a.String() {
			t.Fatalf("reused decode differs:\n%s\n%s", b, a)
		}
	})
}
