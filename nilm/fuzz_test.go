package nilm

import (
	"bytes"
	"crypto/rand"
	"testing"
)

// FuzzDecodeLibrary: the body decoder, reached only after the signature
// verifies, still never panics; what it accepts encodes back to the same
// bytes.
func FuzzDecodeLibrary(f *testing.F) {
	c := trainClusters(f, 1, 6)
	f.Add(c.encode())
	f.Add((&Classifier{version: 1, split: DefaultSplit(), confidence: 0.5, labels: []string{"a"}}).encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeUnsigned(b)
		if err != nil {
			return
		}
		if again := d.encode(); !bytes.Equal(again, b) {
			t.Fatalf("decode/encode changed %x into %x", b, again)
		}
	})
}

// FuzzLoad: whatever the bytes, Load returns an error or a classifier
// without panicking, and accepts nothing the key did not sign.
func FuzzLoad(f *testing.F) {
	key := testKey(f)
	c := trainClusters(f, 2, 6)
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(lib)
	f.Add(lib[:headerLen])
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := Load(b, &key.PublicKey)
		if err == nil && !bytes.HasPrefix(b, got.encode()) {
			t.Fatalf("Load accepted bytes whose signed part is not the library it returned")
		}
	})
}
