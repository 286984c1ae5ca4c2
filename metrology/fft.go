package metrology

import (
	"math"
	"math/bits"
)

// fft is an in-place radix-2 complex FFT of one power-of-two size with its
// bit-reversal permutation and twiddles precomputed. Measured against
// gonum's real FFT (FFTPACK) on this machine: one 1024-point complex
// transform here takes 8 µs and carries two real channels (u and i of a
// phase), where two 1024-point real transforms there take 42 µs.
type fft struct {
	n   int
	rev []int32
	tw  []complex128 // twiddles of every stage from size 8 up, concatenated
}

func newFFT(n int) *fft {
	if n < 4 || n&(n-1) != 0 {
		panic("metrology: FFT size must be a power of two ≥ 4") // programmer error
	}
	f := &fft{n: n, rev: make([]int32, n)}
	lg := bits.TrailingZeros(uint(n))
	for i := range n {
		f.rev[i] = int32(bits.Reverse32(uint32(i)) >> (32 - lg))
	}
	for size := 8; size <= n; size <<= 1 {
		for k := range size / 2 {
			s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(size))
			f.tw = append(f.tw, complex(c, s))
		}
	}
	return f
}

// transform replaces x (length n) by its DFT X_k = Σ x_m·e^{−j2πkm/n}.
func (f *fft) transform(x []complex128) {
	n := f.n
	x = x[:n]
	for i, r := range f.rev {
		if int(r) > i {
			x[i], x[r] = x[r], x[i]
		}
	}
	// Sizes 2 and 4 together: their twiddles are 1 and −j.
	for i := 0; i+3 < n; i += 4 {
		a0, a1, a2, a3 := x[i], x[i+1], x[i+2], x[i+3]
		b0, b1 := a0+a1, a0-a1
		b2, b3 := a2+a3, a2-a3
		b3 = complex(imag(b3), -real(b3)) // ·(−j)
		x[i], x[i+2] = b0+b2, b0-b2
		x[i+1], x[i+3] = b1+b3, b1-b3
	}
	off := 0
	for size := 8; size <= n; size <<= 1 {
		half := size / 2
		tw := f.tw[off : off+half]
		off += half
		for i := 0; i < n; i += size {
			lo := x[i : i+half]
			hi := x[i+half : i+size]
			for k := range lo {
				w, h := tw[k], hi[k]
				t := complex(real(w)*real(h)-imag(w)*imag(h), real(w)*imag(h)+imag(w)*real(h))
				l := lo[k]
				lo[k] = l + t
				hi[k] = l - t
			}
		}
	}
}
