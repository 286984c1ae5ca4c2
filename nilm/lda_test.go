package nilm

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// gaussianGroups draws n rows around each mean with covariance L·Lᵀ.
func gaussianGroups(rng *rand.Rand, l *mat.TriDense, n int, means ...[]float64) []group {
	p := len(means[0])
	var groups []group
	for g, mu := range means {
		gr := group{class: uint16(g)}
		for range n {
			e := make([]float64, p)
			for j := range e {
				e[j] = rng.NormFloat64()
			}
			var x mat.VecDense
			x.MulVec(l, mat.NewVecDense(p, e))
			row := make([]float64, p)
			for j := range row {
				row[j] = mu[j] + x.AtVec(j)
			}
			gr.rows = append(gr.rows, row)
		}
		groups = append(groups, gr)
	}
	return groups
}

// TestDiscriminantsFindTheFisherDirection: for two groups with a common
// covariance W, the one discriminant direction is W⁻¹(μ₂ − μ₁) (Fisher,
// 1936), scaled so that the pooled covariance projects to 1.
func TestDiscriminantsFindTheFisherDirection(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	w := mat.NewSymDense(3, []float64{4, 1.2, 0, 1.2, 1, 0, 0, 0, 1})
	var ch mat.Cholesky
	ch.Factorize(w)
	var l mat.TriDense
	ch.LTo(&l)
	groups := gaussianGroups(rng, &l, 5000, []float64{0, 0, 0}, []float64{1, 1, 0})
	proj, d, err := discriminants(groups, 3)
	if err != nil || d != 1 {
		t.Fatalf("discriminants: d = %d, %v; want 1 direction", d, err)
	}
	var fisher mat.VecDense
	if err := ch.SolveVecTo(&fisher, mat.NewVecDense(3, []float64{1, 1, 0})); err != nil {
		t.Fatal(err)
	}
	got := mat.NewVecDense(3, proj)
	cos := math.Abs(mat.Dot(got, &fisher)) / (mat.Norm(got, 2) * mat.Norm(&fisher, 2))
	if cos < 0.999 {
		t.Errorf("direction %v, Fisher's %v: cosine %.5f, want > 0.999", proj, fisher.RawVector().Data, cos)
	}
	near(t, "projected pooled variance", mat.Inner(got, w, got), 1, 0.03)
}

// TestDiscriminantsWhitenThePooledCovariance: with three groups the two
// directions project the (shrunk) pooled covariance they were computed
// from onto the identity exactly, whatever the data.
func TestDiscriminantsWhitenThePooledCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	l := mat.NewTriDense(4, mat.Lower, []float64{2, 0, 0, 0, 0.5, 1, 0, 0, 0.1, -0.3, 0.7, 0, 1, 0, 0.2, 0.4})
	groups := gaussianGroups(rng, l, 6, []float64{0, 0, 0, 0}, []float64{1, 0, 2, 0}, []float64{0, -1, 1, 3})
	proj, d, err := discriminants(groups, 4)
	if err != nil || d != 2 {
		t.Fatalf("discriminants: d = %d, %v; want 2 directions", d, err)
	}
	pooled := pooledTarget(groups, 4)
	a := mat.NewDense(4, d, proj)
	var prod mat.Dense
	prod.Product(a.T(), pooled, a)
	for i := range d {
		for j := range d {
			want := 0.0
			if i == j {
				want = 1
			}
			near(t, "projected pooled covariance", prod.At(i, j), want, 1e-9)
		}
	}
}
