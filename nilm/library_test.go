package nilm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"reflect"
	"testing"
)

// testKey is a fresh P-256 key (crypto/ecdsa takes no seed since Go 1.20).
func testKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestLibrarySignLoadRoundTrip(t *testing.T) {
	c := trainClusters(t, 1, 10)
	key := testKey(t)
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(lib, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, c) {
		t.Error("Load(Sign(c)) differs from c")
	}
	if got.Version() != 7 {
		t.Errorf("version = %d, want 7", got.Version())
	}
}

func TestLibraryRefusesTampering(t *testing.T) {
	c := trainClusters(t, 2, 10)
	key, other := testKey(t), testKey(t)
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(lib, &other.PublicKey); !errors.Is(err, ErrSignature) {
		t.Errorf("Load with another key: %v, want ErrSignature", err)
	}
	if _, err := Load(lib, nil); !errors.Is(err, ErrSignature) {
		t.Errorf("Load with no key: %v, want ErrSignature", err)
	}
	// Flip each byte of the signed part in turn: every change must be caught
	// by the signature (or by the framing, for the length field).
	for off := range len(lib) {
		bad := append([]byte(nil), lib...)
		bad[off] ^= 0x01
		_, err := Load(bad, &key.PublicKey)
		if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrLibrary) {
			t.Fatalf("byte %d flipped: Load = %v, want ErrSignature or ErrLibrary", off, err)
		}
	}
	for _, n := range []int{0, 3, headerLen, len(lib) - 1} {
		if _, err := Load(lib[:n], &key.PublicKey); !errors.Is(err, ErrLibrary) {
			t.Errorf("truncated to %d: %v, want ErrLibrary", n, err)
		}
	}
	if _, err := Load(append(lib, 0), &key.PublicKey); !errors.Is(err, ErrLibrary) {
		t.Errorf("trailing byte: %v, want ErrLibrary", err)
	}
}

func TestActiveKeepsOldLibraryOnBadUpdate(t *testing.T) {
	key, other := testKey(t), testKey(t)
	a := NewActive(&key.PublicKey)
	v1 := trainClusters(t, 4, 10)
	lib1, _ := v1.Sign(key, rand.Reader)
	if err := a.Update(lib1); err != nil {
		t.Fatal(err)
	}
	forged, _ := trainClusters(t, 5, 10).withVersion(8).Sign(other, rand.Reader)
	if err := a.Update(forged); !errors.Is(err, ErrSignature) {
		t.Errorf("update signed by another key: %v, want ErrSignature", err)
	}
	if err := a.Update(lib1); !errors.Is(err, ErrStale) {
		t.Errorf("same version again: %v, want ErrStale", err)
	}
	if a.Classifier() == nil || a.Classifier().Version() != 7 {
		t.Fatalf("active library after refused updates = %v, want version 7", a.Classifier())
	}
	v2, _ := trainClusters(t, 6, 10).withVersion(8).Sign(key, rand.Reader)
	if err := a.Update(v2); err != nil || a.Classifier().Version() != 8 {
		t.Errorf("newer library: %v, active version %d; want accepted, 8", err, a.Classifier().Version())
	}
}

func (c *Classifier) withVersion(v uint32) *Classifier {
	d := *c
	d.version = v
	return &d
}

// TestLibrarySizeFor50Appliances: 50 appliances, on and off prototypes
// each, 30 % of them also taught to a neighbouring node, every node viewing
// the whole Vector through the most discriminant directions: the signed
// library stays within 64 KiB.
func TestLibrarySizeFor50Appliances(t *testing.T) {
	rng := mrand.New(mrand.NewPCG(50, 50))
	c := &Classifier{version: 1, split: DefaultSplit(), confidence: 0.999, logDet: true}
	for k := range 50 {
		c.labels = append(c.labels, fmt.Sprintf("appliance-%02d", k))
	}
	p, d := NumFeatures, maxDims
	for nd := range NumNodes {
		n := &c.nodes[nd]
		for k := range p {
			n.features = append(n.features, uint8(k))
			n.center = append(n.center, rng.NormFloat64())
			n.scale = append(n.scale, 1+rng.Float64())
		}
		n.dims = d
		for range p * d {
			n.proj = append(n.proj, rng.NormFloat64())
		}
	}
	proto := func() prototype {
		pr := prototype{mean: make([]float64, d), w: make([]float64, d*(d+1)/2), logDet: 1, limit: 30}
		for j := range pr.w {
			pr.w[j] = rng.NormFloat64()
		}
		return pr
	}
	for k := range 50 {
		for _, s := range []State{On, Off} {
			pr := proto()
			pr.class, pr.state = uint16(k), s
			nd := Node(k % int(NumNodes))
			c.nodes[nd].protos = append(c.nodes[nd].protos, pr)
			if rng.Float64() < 0.3 {
				c.nodes[(nd+1)%NumNodes].protos = append(c.nodes[(nd+1)%NumNodes].protos, pr)
			}
		}
	}
	key := testKey(t)
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) > 64<<10 {
		t.Errorf("library for 50 appliances = %d bytes, want ≤ 65536", len(lib))
	}
	if _, err := Load(lib, &key.PublicKey); err != nil {
		t.Errorf("the largest library does not load: %v", err)
	}
	t.Logf("library for 50 appliances: %d bytes", len(lib))
}
