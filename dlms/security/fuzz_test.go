package security_test

import (
	"bytes"
	"testing"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

// FuzzOpen: a security context fed arbitrary bytes as a ciphered APDU
// returns an error or a plaintext, never panics, and never accepts
// anything it did not authenticate under an A+E policy.
func FuzzOpen(f *testing.F) {
	f.Add(linktest.Unhex(f, gbGloInitReq))
	f.Add(linktest.Unhex(f, "DB 08 4D4D4D0000BC614E 13 30 00000002 0102030405060708090A0B0C0D0E"))
	f.Fuzz(func(t *testing.T, src []byte) {
		reader := side(t, gbClientTitle, gbServerTitle, 1, apdu.SecurityAuthenticatedEncryption)
		// Only the Green Book APDU authenticates (its length may be
		// re-encoded in long form, which is not a forgery).
		plain, err := reader.Open(nil, src)
		if err == nil && !bytes.Equal(plain, linktest.Unhex(t, gbInitiateReq)) {
			t.Fatalf("accepted forged APDU % X → % X", src, plain)
		}
	})
}
