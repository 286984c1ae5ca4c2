package nilm

import (
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	v, i, err := ReadCSV(strings.NewReader("ua,ia,ub,ib\n1,2,9,9\n\n-3.5,4e-1,9,9\n"), "s.csv", "a")
	if err != nil || !slices.Equal(v, []float64{1, -3.5}) || !slices.Equal(i, []float64{2, 0.4}) {
		t.Fatalf("ReadCSV = %v %v %v", v, i, err)
	}
	v, _, err = ReadCSV(strings.NewReader("ub,ib,ua,ia\n7,8,1,2\n"), "s.csv", "b")
	if err != nil || !slices.Equal(v, []float64{7}) {
		t.Errorf("phase b = %v, %v", v, err)
	}
	bad := []struct{ name, in, want string }{
		{"empty", "", "s.csv:1: empty file"},
		{"unknown channel", "ua,ia,x\n", "s.csv:1: unknown channel \"x\""},
		{"no current", "ua,ub\n", "s.csv:1: no ua and ia"},
		{"short line", "ua,ia\n1,2\n3\n", "s.csv:3: 1 fields"},
		{"not a number", "ua,ia\n1,2\n3,x\n", "s.csv:3: not a finite sample"},
		{"NaN", "ua,ia\nNaN,1\n", "s.csv:2: not a finite sample"},
	}
	for _, tc := range bad {
		if _, _, err := ReadCSV(strings.NewReader(tc.in), "s.csv", "a"); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want prefix %q", tc.name, err, tc.want)
		}
	}
}

func TestKeysPEMRoundTrip(t *testing.T) {
	priv, pub, err := NewSigningKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k, err := PrivateKeyFromPEM(priv)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PublicKeyFromPEM(pub)
	if err != nil || !p.Equal(&k.PublicKey) {
		t.Fatalf("public key %v does not match the private key (%v)", p, err)
	}
	for _, bad := range [][]byte{nil, []byte("junk"), pub} {
		if _, err := PrivateKeyFromPEM(bad); !errors.Is(err, ErrKey) {
			t.Errorf("PrivateKeyFromPEM(%.20q) = %v, want ErrKey", bad, err)
		}
	}
	if _, err := PublicKeyFromPEM(priv); !errors.Is(err, ErrKey) {
		t.Errorf("PublicKeyFromPEM(private key) = %v, want ErrKey", err)
	}
}
