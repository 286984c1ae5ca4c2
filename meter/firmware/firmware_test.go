package firmware

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"
)

func key(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestBuildParseVerify(t *testing.T) {
	k := key(t)
	payload := bytes.Repeat([]byte("management core v2 "), 100)
	raw, err := Build(k, "amigo-mgmt", "2.0.0", payload)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if img.Target != "amigo-mgmt" || img.Version != "2.0.0" || !bytes.Equal(img.Payload, payload) {
		t.Fatalf("parsed %q %q", img.Target, img.Version)
	}
	if err := img.Verify(&k.PublicKey, "amigo-mgmt"); err != nil {
		t.Fatal(err)
	}
	if err := img.Verify(&key(t).PublicKey, "amigo-mgmt"); !errors.Is(err, ErrSignature) {
		t.Errorf("other vendor key: %v", err)
	}
	if err := img.Verify(nil, "amigo-mgmt"); !errors.Is(err, ErrSignature) {
		t.Errorf("no key: %v", err)
	}
	if err := img.Verify(&k.PublicKey, "amigo-metrology"); !errors.Is(err, ErrTarget) || !errors.Is(err, ErrVerify) {
		t.Errorf("wrong target: %v", err)
	}
	bad := bytes.Clone(raw)
	bad[len(bad)-1] ^= 1
	if img, err := Parse(bad); err != nil || !errors.Is(img.Verify(&k.PublicKey, "amigo-mgmt"), ErrHash) {
		t.Errorf("tampered payload: %v", err)
	}
	// A changed version breaks the signature even though the payload is intact.
	bad = bytes.Clone(raw)
	bad[offVersion] = '9'
	if img, err := Parse(bad); err != nil || !errors.Is(img.Verify(&k.PublicKey, "amigo-mgmt"), ErrSignature) {
		t.Errorf("tampered header: %v", err)
	}
}

func TestParseRejects(t *testing.T) {
	k := key(t)
	raw, _ := Build(k, "t", "1", []byte("payload"))
	for name, b := range map[string][]byte{
		"empty":          nil,
		"truncated":      raw[:len(raw)-1],
		"extra byte":     append(bytes.Clone(raw), 0),
		"bad magic":      append([]byte("AMIGOFW2"), raw[8:]...),
		"header only":    raw[:headerSize],
		"huge length":    func() []byte { b := bytes.Clone(raw); b[offLength] = 0xFF; return b }(),
		"signature 0":    func() []byte { b := bytes.Clone(raw); b[offSigLength], b[offSigLength+1] = 0, 0; return b }(),
		"signature 4096": func() []byte { b := bytes.Clone(raw); b[offSigLength] = 0x10; return b }(),
		"control char":   func() []byte { b := bytes.Clone(raw); b[offTarget] = 0x07; return b }(),
		"junk in pad":    func() []byte { b := bytes.Clone(raw); b[offTarget+20] = 'x'; return b }(),
		"empty target":   func() []byte { b := bytes.Clone(raw); b[offTarget] = 0; return b }(),
	} {
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Build(k, "", "1", nil); err == nil {
		t.Error("empty target built")
	}
}

func TestTransfer(t *testing.T) {
	k := key(t)
	raw, _ := Build(k, "amigo-mgmt", "2.1.0", bytes.Repeat([]byte{0xA5}, 1000))
	tr, err := NewTransfer(64, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Block(0, raw[:64]); !errors.Is(err, ErrTransfer) {
		t.Fatal("block before initiate accepted")
	}
	if err := tr.Initiate([]byte("fw-2.1.0"), 5000); !errors.Is(err, ErrTransfer) {
		t.Fatal("oversized image accepted")
	}
	if err := tr.Initiate([]byte("fw-2.1.0"), uint32(len(raw))); err != nil {
		t.Fatal(err)
	}
	_, bitsN := tr.Bitmap()
	nblk := uint32(bitsN)
	if nblk != uint32((len(raw)+63)/64) {
		t.Fatalf("%d blocks", nblk)
	}
	block := func(n uint32) []byte { return raw[n*64 : min(int(n+1)*64, len(raw))] }
	// Odd blocks first, then even ones but block 4.
	for n := uint32(1); n < nblk; n += 2 {
		if err := tr.Block(n, block(n)); err != nil {
			t.Fatal(err)
		}
	}
	if tr.FirstMissing() != 0 {
		t.Fatalf("first missing %d", tr.FirstMissing())
	}
	for n := uint32(0); n < nblk; n += 2 {
		if n != 4 {
			tr.Block(n, block(n))
		}
	}
	if tr.FirstMissing() != 4 {
		t.Fatalf("first missing %d, want 4", tr.FirstMissing())
	}
	if _, err := tr.Verify(&k.PublicKey, "amigo-mgmt"); !errors.Is(err, ErrVerify) || tr.Status() != VerificationFailed {
		t.Fatalf("incomplete image verified: %v", err)
	}
	if _, _, err := tr.Activate(); !errors.Is(err, ErrTransfer) || tr.Status() != ActivationFailed {
		t.Fatal("activated after failed verification")
	}
	if err := tr.Block(4, block(4)[:10]); !errors.Is(err, ErrTransfer) {
		t.Fatal("short block accepted")
	}
	if err := tr.Block(nblk, nil); !errors.Is(err, ErrTransfer) {
		t.Fatal("block beyond the image accepted")
	}
	tr.Initiate([]byte("fw-2.1.0"), uint32(len(raw)))
	for n := range nblk {
		tr.Block(n, block(n))
	}
	if tr.FirstMissing() != nblk {
		t.Fatalf("first missing %d of %d", tr.FirstMissing(), nblk)
	}
	img, err := tr.Verify(&k.PublicKey, "amigo-mgmt")
	if sig, ok := tr.Ready(); err != nil || tr.Status() != VerificationSuccessful || !ok || !bytes.Equal(sig, img.Signature) {
		t.Fatalf("verify: %v", err)
	}
	img, got, err := tr.Activate()
	if err != nil || img.Version != "2.1.0" || !bytes.Equal(got, raw) || tr.Status() != ActivationSuccessful {
		t.Fatalf("activate: %v", err)
	}
	tr.Enabled = false
	if err := tr.Initiate([]byte("x"), 200); !errors.Is(err, ErrTransfer) {
		t.Fatal("initiate while disabled")
	}
}

// TestVerifyWith transfers bytes of another format, checked by the
// caller: refused, then accepted, activated without a parsed image.
func TestVerifyWith(t *testing.T) {
	tr, _ := NewTransfer(64, 4096)
	raw := bytes.Repeat([]byte("library "), 40)
	if err := tr.VerifyWith(nil); !errors.Is(err, ErrTransfer) {
		t.Fatalf("verify before initiate: %v", err)
	}
	tr.Initiate([]byte("nilm-7"), uint32(len(raw)))
	tr.Block(0, raw[:64])
	called := false
	if err := tr.VerifyWith(func([]byte) ([]byte, error) { called = true; return nil, nil }); !errors.Is(err, ErrVerify) || called {
		t.Fatalf("incomplete image: %v, check called %v", err, called)
	}
	for n := 1; n*64 < len(raw); n++ {
		tr.Block(uint32(n), raw[n*64:min((n+1)*64, len(raw))])
	}
	refused := errors.New("stale")
	if err := tr.VerifyWith(func([]byte) ([]byte, error) { return nil, refused }); err != refused || tr.Status() != VerificationFailed {
		t.Fatalf("refused image: %v, status %d", err, tr.Status())
	}
	if _, ok := tr.Ready(); ok {
		t.Fatal("a refused image is ready")
	}
	var seen []byte
	if err := tr.VerifyWith(func(b []byte) ([]byte, error) { seen = b; return []byte("sum"), nil }); err != nil || !bytes.Equal(seen, raw) {
		t.Fatalf("verify: %v", err)
	}
	if sig, ok := tr.Ready(); !ok || string(sig) != "sum" {
		t.Fatalf("ready %q %v", sig, ok)
	}
	img, got, err := tr.Activate()
	if err != nil || img != nil || !bytes.Equal(got, raw) || tr.Status() != ActivationSuccessful {
		t.Fatalf("activate: %v %v", img, err)
	}
	if _, ok := tr.Ready(); ok {
		t.Fatal("still ready after activation")
	}
}

func TestSlots(t *testing.T) {
	s := Factory("1.0.0")
	if err := s.Rollback(); !errors.Is(err, ErrNoRollback) {
		t.Fatal("rolled back to nothing")
	}
	k := key(t)
	raw, _ := Build(k, "amigo-mgmt", "2.0.0", []byte("v2"))
	img, _ := Parse(raw)
	factory := s.Active
	s.Install(img, raw)
	if s.Active.Version != "2.0.0" || !s.Trial || s.Passive.Hash != factory.Hash {
		t.Fatalf("after install %+v", s)
	}
	if err := s.Rollback(); err != nil || s.Active.Version != "1.0.0" || s.Trial {
		t.Fatalf("after rollback %+v", s)
	}
	s.Install(img, raw)
	s.Commit()
	if s.Trial || s.Active.Version != "2.0.0" {
		t.Fatalf("after commit %+v", s)
	}
}

func FuzzParse(f *testing.F) {
	k := key(f)
	raw, _ := Build(k, "amigo-mgmt", "1.2.3", []byte("payload bytes"))
	f.Add(raw)
	f.Add(raw[:headerSize+3])
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("error %v does not wrap ErrFormat", err)
			}
			return
		}
		if len(img.Payload)+len(img.Signature)+headerSize != len(b) {
			t.Fatalf("parsed parts do not add up to %d bytes", len(b))
		}
		_ = img.Verify(&k.PublicKey, img.Target) // must not panic
	})
}
