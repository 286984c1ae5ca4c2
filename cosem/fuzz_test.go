package cosem_test

import (
	"testing"

	"github.com/amigo-ami/amigo/cosem"
)

// FuzzParseOBIS: no input panics, and whatever parses prints in both
// notations to text that parses back to the same code.
func FuzzParseOBIS(f *testing.F) {
	for _, s := range []string{"1-0:1.8.0*255", "1.0.1.8.0.255", "0100010800FF", "1-0:1.8.0", "0-0:96.1.0.255", "1.2.3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := cosem.ParseOBIS(s)
		if err != nil {
			return
		}
		for _, text := range []string{o.String(), o.IEC()} {
			if back, err := cosem.ParseOBIS(text); err != nil || back != o {
				t.Fatalf("%q → %v → %q → %v, %v", s, o, text, back, err)
			}
		}
	})
}
