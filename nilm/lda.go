package nilm

import (
	"errors"

	"gonum.org/v1/gonum/mat"
)

// Discriminant projection (Fisher's linear discriminant analysis, with a
// shrunk within-group covariance). A node's view has up to NumFeatures
// coordinates but only a handful of events per appliance and state: a
// covariance per prototype in that many dimensions cannot be estimated,
// and most directions do not separate the node's appliances anyway. The
// projection keeps the d directions along which the prototypes' means
// differ most relative to the spread within them, and whitens that spread:
//
//	W = pooled within-group covariance, shrunk towards its diagonal (pooledTarget)
//	B = Σ_g (μ_g − μ̄)(μ_g − μ̄)ᵀ over the prototypes' means (each prototype counts once)
//	W = L·Lᵀ;  L⁻¹·B·L⁻ᵀ = U·Λ·Uᵀ;  y = (L⁻ᵀ·U_d)ᵀ·z with U_d the d leading eigenvectors
//
// In y the pooled within-group covariance is exactly the identity, so a
// prototype's own covariance is shrunk towards I (shrunkCov), and a
// squared Mahalanobis distance there is one in the view's coordinates
// restricted to the discriminant directions.

// maxDims bounds the discriminant directions a node keeps. With 12
// appliances PLAID nodes have at most 17 prototypes; 10 directions keep a
// prototype at 10 + 4·(10 + 55) = 270 bytes, so 50 appliances fit the
// 64 KiB library (doc.go).
const maxDims = 10

// discriminants returns the p×d projection (row-major: y_k = Σ_j z_j·proj[j·d+k])
// for groups of rows in p standardised coordinates. d = min(groups − 1,
// maxDims, p), at least 1.
func discriminants(groups []group, p int) ([]float64, int, error) {
	w := pooledTarget(groups, p)
	var ch mat.Cholesky
	if !ch.Factorize(w) {
		return nil, 0, errors.New("within-group covariance not positive definite")
	}
	var l, li mat.TriDense
	ch.LTo(&l)
	if err := li.InverseTri(&l); err != nil {
		return nil, 0, err
	}
	means := make([][]float64, len(groups))
	grand := make([]float64, p)
	for g := range groups {
		means[g] = meanOf(groups[g].rows, p)
		for j := range p {
			grand[j] += means[g][j] / float64(len(groups))
		}
	}
	// L⁻¹·(μ_g − μ̄) for each prototype; B whitened is the sum of their
	// outer products.
	var wm mat.VecDense
	bw := mat.NewSymDense(p, nil)
	for g := range groups {
		c := make([]float64, p)
		for j := range p {
			c[j] = means[g][j] - grand[j]
		}
		wm.MulVec(&li, mat.NewVecDense(p, c))
		bw.SymRankOne(bw, 1, &wm)
	}
	var eig mat.EigenSym
	if !eig.Factorize(bw, true) {
		return nil, 0, errors.New("eigendecomposition of the between-group scatter failed")
	}
	var u mat.Dense
	eig.VectorsTo(&u)
	d := max(min(len(groups)-1, maxDims, p), 1)
	// Eigenvalues come in ascending order: the leading directions are the
	// last columns.
	ud := mat.NewDense(p, d, nil)
	for k := range d {
		for j := range p {
			ud.Set(j, k, u.At(j, p-1-k))
		}
	}
	proj := mat.NewDense(p, d, nil)
	proj.Mul(li.T(), ud)
	return proj.RawMatrix().Data, d, nil
}

// project returns y = projᵀ·z into dst[:d].
func project(dst, z, proj []float64, d int) []float64 {
	y := dst[:d]
	clear(y)
	for j, zj := range z {
		row := proj[j*d : (j+1)*d]
		for k, pk := range row {
			y[k] += zj * pk
		}
	}
	return y
}
