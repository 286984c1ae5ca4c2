package nilm

import (
	"gonum.org/v1/gonum/mat"
)

// Covariance estimation for few samples per class. A sample covariance from
// n ≤ p events is singular; it is shrunk towards a target T:
//
//	Σ = λ·T + (1−λ)·S
//
// with λ chosen analytically as in Schäfer and Strimmer, "A shrinkage
// approach to large-scale covariance matrix estimation and implications for
// functional genomics", Stat. Appl. Genet. Mol. Biol. 4(1), 2005, eq. (4)
// with a fixed target (the Ledoit–Wolf family): λ = Σ Var(s_ij) / Σ (s_ij − t_ij)².
// A class's target is its node's pooled within-class covariance, itself
// shrunk towards its diagonal the same way.

// minShrinkage is the least weight the target keeps.
const minShrinkage = 1e-3

// meanOf returns the column means of rows.
func meanOf(rows [][]float64, p int) []float64 {
	m := make([]float64, p)
	for _, r := range rows {
		for j := range p {
			m[j] += r[j]
		}
	}
	for j := range m {
		m[j] /= float64(len(rows))
	}
	return m
}

// sampleCov returns the unbiased sample covariance of rows about mean and
// the estimated variance of each of its entries (Schäfer–Strimmer eq. 10):
// Var(s_ij) = n/(n−1)³ · Σ_k (w_kij − w̄_ij)², w_kij = (x_ki − x̄_i)(x_kj − x̄_j).
// Both are nil when there are fewer than two rows.
func sampleCov(rows [][]float64, mean []float64) (s, varS *mat.SymDense) {
	n, p := len(rows), len(mean)
	if n < 2 {
		return nil, nil
	}
	s, varS = mat.NewSymDense(p, nil), mat.NewSymDense(p, nil)
	c := make([]float64, p)
	sq := mat.NewSymDense(p, nil)
	for _, r := range rows {
		for j := range p {
			c[j] = r[j] - mean[j]
		}
		for i := range p {
			for j := i; j < p; j++ {
				w := c[i] * c[j]
				s.SetSym(i, j, s.At(i, j)+w)
				sq.SetSym(i, j, sq.At(i, j)+w*w)
			}
		}
	}
	nf := float64(n)
	for i := range p {
		for j := i; j < p; j++ {
			sum, sumSq := s.At(i, j), sq.At(i, j)
			wbar := sum / nf
			varS.SetSym(i, j, nf/((nf-1)*(nf-1)*(nf-1))*(sumSq-nf*wbar*wbar))
			s.SetSym(i, j, sum/(nf-1))
		}
	}
	return s, varS
}

// shrinkage returns λ in [0, 1] for shrinking s towards target.
func shrinkage(s, varS, target mat.Symmetric) float64 {
	p := s.SymmetricDim()
	var num, den float64
	for i := range p {
		for j := range p {
			num += varS.At(i, j)
			d := s.At(i, j) - target.At(i, j)
			den += d * d
		}
	}
	if den == 0 {
		return 1
	}
	// The floor keeps Σ positive definite when S is singular (n ≤ p).
	return min(max(num/den, minShrinkage), 1)
}

// blend returns λ·target + (1−λ)·s.
func blend(s, target mat.Symmetric, lambda float64) *mat.SymDense {
	p := s.SymmetricDim()
	out := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			out.SetSym(i, j, lambda*target.At(i, j)+(1-lambda)*s.At(i, j))
		}
	}
	return out
}

// diagonalOf returns the diagonal of s as a symmetric matrix.
func diagonalOf(s mat.Symmetric) *mat.SymDense {
	p := s.SymmetricDim()
	d := mat.NewSymDense(p, nil)
	for i := range p {
		d.SetSym(i, i, s.At(i, i))
	}
	return d
}
