package dlms_test

import (
	"bytes"
	"testing"

	"github.com/amigo-ami/amigo/dlms"
)

// FuzzDecode runs every APDU decoder (dispatched on the first byte): no
// input panics; what decodes re-encodes to bytes that decode to the same
// APDU and re-encode identically; and decoding into an APDU value that
// held something else gives the same result as a fresh one.
func FuzzDecode(f *testing.F) {
	f.Add(unhex(f, "C4 01 C1 00 06 00 00 04 D2"))
	f.Add(unhex(f, gbGloInitReq))
	f.Fuzz(func(t *testing.T, src []byte) {
		a, err := dlms.Decode(src)
		if err != nil {
			return
		}
		out, err := a.Append(nil)
		if err != nil {
			return // e.g. a decoded with-list too long to encode again is not a decoder bug
		}
		b, err := dlms.Decode(out)
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

// FuzzOpen: a security context fed arbitrary bytes as a ciphered APDU
// returns an error or a plaintext, never panics, and never accepts
// anything it did not authenticate under an A+E policy.
func FuzzOpen(f *testing.F) {
	f.Add(unhex(f, gbGloInitReq))
	f.Add(unhex(f, "DB 08 4D4D4D0000BC614E 13 30 00000002 0102030405060708090A0B0C0D0E"))
	f.Fuzz(func(t *testing.T, src []byte) {
		reader := side(t, gbClientTitle, gbServerTitle, 1, dlms.SecurityAuthenticatedEncryption)
		// Only the Green Book APDU authenticates (its length may be
		// re-encoded in long form, which is not a forgery).
		plain, err := reader.Open(nil, src)
		if err == nil && !bytes.Equal(plain, unhex(t, gbInitiateReq)) {
			t.Fatalf("accepted forged APDU % X → % X", src, plain)
		}
	})
}
