package cosem_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
)

// TestKeyWrapRFC3394 checks the six test vectors of RFC 3394 §4.
func TestKeyWrapRFC3394(t *testing.T) {
	const (
		kek128 = "000102030405060708090A0B0C0D0E0F"
		kek192 = kek128 + "1011121314151617"
		kek256 = kek128 + "101112131415161718191A1B1C1D1E1F"
		key128 = "00112233445566778899AABBCCDDEEFF"
		key192 = key128 + "0001020304050607"
		key256 = key128 + "000102030405060708090A0B0C0D0E0F"
	)
	for _, tc := range []struct{ name, kek, key, wrapped string }{
		{"4.1 128-bit key with 128-bit KEK", kek128, key128, "1FA68B0A8112B447 AEF34BD8FB5A7B82 9D3E862371D2CFE5"},
		{"4.2 128-bit key with 192-bit KEK", kek192, key128, "96778B25AE6CA435 F92B5B97C050AED2 468AB8A17AD84E5D"},
		{"4.3 128-bit key with 256-bit KEK", kek256, key128, "64E8C3F9CE0F5BA2 63E9777905818A2A 93C8191E7D6E8AE7"},
		{"4.4 192-bit key with 192-bit KEK", kek192, key192, "031D33264E15D332 68F24EC260743EDC E1C6C7DDEE725A93 6BA814915C6762D2"},
		{"4.5 192-bit key with 256-bit KEK", kek256, key192, "A8F9BC1612C68B3F F6E6F4FBE30E71E4 769C8B80A32CB895 8CD5D17D6B254DA1"},
		{"4.6 256-bit key with 256-bit KEK", kek256, key256, "28C9F404C4B810F4 CBCCB35CFB87F826 3F5786E2D80ED326 CBC7F0E71A99F43B FB988B9B7A02DD21"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kek, key, want := unhex(t, tc.kek), unhex(t, tc.key), unhex(t, tc.wrapped)
			got, err := cosem.WrapKey(kek, key)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("WrapKey = % X, %v; want % X", got, err, want)
			}
			back, err := cosem.UnwrapKey(kek, want)
			if err != nil || !bytes.Equal(back, key) {
				t.Fatalf("UnwrapKey = % X, %v; want % X", back, err, key)
			}
		})
	}
}

func TestKeyUnwrapRejects(t *testing.T) {
	kek := unhex(t, "000102030405060708090A0B0C0D0E0F")
	wrapped := unhex(t, "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")
	tampered := bytes.Clone(wrapped)
	tampered[20] ^= 1
	if _, err := cosem.UnwrapKey(kek, tampered); !errors.Is(err, cosem.ErrKeyUnwrap) {
		t.Errorf("tampered: %v, want ErrKeyUnwrap", err)
	}
	otherKEK := unhex(t, "0F0E0D0C0B0A09080706050403020100")
	if _, err := cosem.UnwrapKey(otherKEK, wrapped); !errors.Is(err, cosem.ErrKeyUnwrap) {
		t.Errorf("wrong KEK: %v, want ErrKeyUnwrap", err)
	}
	for _, n := range []int{0, 8, 16, 25} {
		if _, err := cosem.UnwrapKey(kek, make([]byte, n)); err == nil || errors.Is(err, cosem.ErrKeyUnwrap) {
			t.Errorf("%d bytes: %v, want a length error", n, err)
		}
	}
	if _, err := cosem.WrapKey(kek, make([]byte, 12)); err == nil {
		t.Error("WrapKey of 12 bytes succeeded")
	}
	if _, err := cosem.WrapKey(make([]byte, 5), make([]byte, 16)); err == nil {
		t.Error("WrapKey with a 5-byte KEK succeeded")
	}
}
