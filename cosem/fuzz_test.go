package cosem_test

import (
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
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

// FuzzParseObjectList: no decoded tree makes ParseObjectList panic.
func FuzzParseObjectList(f *testing.F) {
	f.Add([]byte{1, 1, 2, 4, 0x12, 0, 1, 0x11, 0, 9, 6, 0, 0, 1, 0, 0, 0xFF, 2, 2, 1, 1, 2, 3, 0x0F, 1, 0x16, 1, 0, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		vals, err := axdr.Decode(nil, b)
		if err != nil {
			return
		}
		list, err := cosem.ParseObjectList(vals)
		if err == nil && len(list) != vals[0].N {
			t.Fatalf("%d entries from an array of %d", len(list), vals[0].N)
		}
	})
}
