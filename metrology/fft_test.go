package metrology

import (
	"math"
	"math/cmplx"
	"testing"
)

// The FFT must equal the DFT by definition.
func TestFFTMatchesDFT(t *testing.T) {
	for _, n := range []int{4, 8, 64, 1024} {
		x := make([]complex128, n)
		for i := range x {
			x[i] = complex(math.Sin(float64(i)*0.37)+0.1*float64(i%5), math.Cos(float64(i*i)*0.1))
		}
		want := make([]complex128, n)
		for k := range n {
			for m, v := range x {
				want[k] += v * cmplx.Exp(complex(0, -2*math.Pi*float64(k*m%n)/float64(n)))
			}
		}
		newFFT(n).transform(x)
		for k := range x {
			if d := cmplx.Abs(x[k] - want[k]); d > 1e-9*float64(n) {
				t.Fatalf("n=%d bin %d: %v, want %v", n, k, x[k], want[k])
			}
		}
	}
}
