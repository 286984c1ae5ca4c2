package registry

import (
	"strings"
	"testing"
)

// FuzzParseAddress: any text parses or fails; what parses writes back to
// text that parses to the same address.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"127.0.0.1:4059", "hdlc://10.1.2.3:4059?client=reader&network=dcu-7", "m1:1?title=414D470000000001", "m1:1?client=%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, a, a.String(), b, err)
		}
	})
}

// FuzzParseCSV: any file parses or fails with FILE:LINE errors, never a
// panic.
func FuzzParseCSV(f *testing.F) {
	f.Add("serial,address,keys\n00000001,127.0.0.1:4059,demo\n")
	f.Add("serial,address\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ParseCSV("f.csv", strings.NewReader(s))
		if err != nil && !strings.HasPrefix(err.Error(), "f.csv:") {
			t.Fatalf("error without its place: %v", err)
		}
	})
}
