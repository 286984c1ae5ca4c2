package npy

import (
	"math"
	"slices"
	"testing"
)

// FuzzDecode: Decode never panics, and what it accepts re-encodes to a file
// that decodes to the same array.
func FuzzDecode(f *testing.F) {
	f.Add(file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", le64(1, 2)))
	f.Add(file("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }", []byte{1, 2, 3, 4}))
	f.Add(file("{'descr': '<i8', 'fortran_order': False, 'shape': (), }", le64(9)))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(b)
		if err != nil {
			return
		}
		enc, err := Encode(nil, a)
		if err != nil {
			t.Fatalf("Encode(Decode(b)): %v", err)
		}
		back, err := Decode(enc)
		if err != nil {
			t.Fatalf("Decode(Encode(a)): %v", err)
		}
		sameFloat := func(x, y float64) bool {
			return math.Float64bits(x) == math.Float64bits(y) || math.IsNaN(x) && math.IsNaN(y)
		}
		if back.Descr != a.Descr || !slices.Equal(back.Shape, a.Shape) ||
			!slices.EqualFunc(back.Float, a.Float, sameFloat) || !slices.Equal(back.Int, a.Int) {
			t.Fatalf("round trip changed %+v into %+v", a, back)
		}
	})
}
