package security

import (
	"github.com/amigo-ami/amigo/dlms/apdu"
	"testing"
)

// BenchmarkGMACRoundTrip protects the benchmark APDU as an authenticated
// and encrypted glo-get-response (security suite 0) and opens it again at
// the peer, counters in memory; reports ns/apdu for the pair.
func BenchmarkGMACRoundTrip(b *testing.B) {
	plain, err := apdu.LoadProfileResponse().Append(nil)
	if err != nil {
		b.Fatal(err)
	}
	ek := []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	ak := []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
	meter, client := []byte("AMG\x00\x00\x00\x00\x01"), []byte("MMM\x00\x00\x00\x00\x01")
	newSide := func(local, peer []byte) *Context {
		c, err := NewContext(Config{EncryptionKey: ek, AuthenticationKey: ak,
			LocalTitle: local, PeerTitle: peer, Policy: apdu.SecurityAuthenticatedEncryption,
			Counters: NewMemoryCounters(), SendKey: "send", ReceiveKey: "receive"})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	sender, receiver := newSide(meter, client), newSide(client, meter)
	ciphered := make([]byte, 0, len(plain)+32)
	opened := make([]byte, 0, len(plain))
	b.SetBytes(int64(len(plain)))
	b.ReportAllocs()
	for b.Loop() {
		if ciphered, err = sender.Protect(ciphered[:0], plain, false); err != nil {
			b.Fatal(err)
		}
		if opened, err = receiver.Open(opened[:0], ciphered); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/apdu")
}
