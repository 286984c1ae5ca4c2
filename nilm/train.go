package nilm

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// maxClasses bounds the labels of one library (the format stores the label
// count and a class index in one byte each).
const maxClasses = 255

// ErrTraining is wrapped by errors about training data that cannot make a
// classifier.
var ErrTraining = errors.New("nilm: cannot train")

// Sample is one labelled training event.
type Sample struct {
	X     Vector
	Label string
	State State
}

// TrainConfig chooses how Train builds the tree. The zero value is usable.
type TrainConfig struct {
	Version    uint32  // written into the library
	Split      *Split  // physics thresholds; DefaultSplit() if nil
	Confidence float64 // chi-square confidence of the unknown threshold; 0.999 if 0
	// PlainDistance scores prototypes by d² alone instead of d² + ln|Σ|
	// (the Gaussian likelihood, which keeps a broad prototype from
	// swallowing the events of tight ones).
	PlainDistance bool
	// Features lists the Vector indices each node's view holds,
	// ascending. A nil entry is chosen among Views() by an inner
	// cross-validation on the node's training events (select.go).
	Features [NumNodes][]int
}

// Train builds a classifier from labelled events.
func Train(samples []Sample, cfg TrainConfig) (*Classifier, error) {
	split := DefaultSplit()
	if cfg.Split != nil {
		split = *cfg.Split
	}
	conf := cfg.Confidence
	if conf == 0 {
		conf = 0.999
	}
	if conf <= 0 || conf >= 1 {
		return nil, fmt.Errorf("%w: confidence %v outside (0, 1)", ErrTraining, conf)
	}
	labels := make([]string, 0, 16)
	for _, s := range samples {
		if s.Label == "" || s.Label == Unknown {
			return nil, fmt.Errorf("%w: label %q is reserved", ErrTraining, s.Label)
		}
		if !slices.Contains(labels, s.Label) {
			labels = append(labels, s.Label)
		}
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%w: no samples", ErrTraining)
	}
	if len(labels) > maxClasses {
		return nil, fmt.Errorf("%w: %d labels, at most %d", ErrTraining, len(labels), maxClasses)
	}
	sort.Strings(labels)
	c := &Classifier{version: cfg.Version, split: split, confidence: conf, logDet: !cfg.PlainDistance, labels: labels}
	for nd := range NumNodes {
		var in []Sample
		for _, s := range samples {
			if split.trainingNodes(&s.X)[nd] {
				in = append(in, s)
			}
		}
		feats, inflation := cfg.Features[nd], 1.0
		if len(in) >= minSelectedEvents {
			var err error
			if feats, inflation, err = chooseView(in, labels, c.logDet, feats); err != nil {
				return nil, fmt.Errorf("%w: node %s: %w", ErrTraining, nd, err)
			}
		} else if feats == nil {
			feats = Views()[0].Features
		}
		n, err := trainNode(in, feats, labels)
		if err != nil {
			return nil, fmt.Errorf("%w: node %s: %w", ErrTraining, nd, err)
		}
		if n.dims > 0 {
			limit := distuv.ChiSquared{K: float64(n.dims)}.Quantile(conf) * inflation
			for k := range n.protos {
				n.protos[k].limit = limit
			}
		}
		c.nodes[nd] = n
	}
	// A library stores float32: hand back exactly what a meter will load,
	// so evaluation figures hold for the deployed library.
	q, err := decodeUnsigned(c.encode())
	if err != nil {
		return nil, fmt.Errorf("%w: encoding the library: %w", ErrTraining, err)
	}
	return q, nil
}

// group is the training events of one prototype.
type group struct {
	class uint16
	state State
	rows  [][]float64
}

// trainNode builds one node on the view feats: standardisation, the
// discriminant projection, and the prototypes in it. Every limit is +Inf;
// Train sets them.
func trainNode(samples []Sample, feats []int, labels []string) (node, error) {
	p := len(feats)
	if p == 0 || p > NumFeatures {
		return node{}, fmt.Errorf("%d features, want 1 to %d", p, NumFeatures)
	}
	n := node{features: make([]uint8, p), center: make([]float64, p), scale: make([]float64, p)}
	for k, fi := range feats {
		if fi < 0 || fi >= NumFeatures || k > 0 && fi <= feats[k-1] {
			return node{}, fmt.Errorf("feature index %d at position %d (want ascending, below %d)", fi, k, NumFeatures)
		}
		n.features[k] = uint8(fi)
	}
	if len(samples) == 0 {
		n.features, n.center, n.scale = nil, nil, nil
		return n, nil
	}
	// Standardise on the node's events so that shrinking towards the
	// diagonal treats features of very different ranges alike.
	for k, fi := range feats {
		var sum, sq float64
		for _, s := range samples {
			sum += s.X[fi]
			sq += s.X[fi] * s.X[fi]
		}
		m := sum / float64(len(samples))
		sd := math.Sqrt(max(sq/float64(len(samples))-m*m, 0))
		n.center[k], n.scale[k] = m, max(sd, 1e-9)
	}
	var groups []group
	for _, s := range samples {
		cls := uint16(slices.Index(labels, s.Label))
		gi := slices.IndexFunc(groups, func(g group) bool { return g.class == cls && g.state == s.State })
		if gi < 0 {
			groups = append(groups, group{class: cls, state: s.State})
			gi = len(groups) - 1
		}
		z := make([]float64, p)
		for k, fi := range feats {
			z[k] = (s.X[fi] - n.center[k]) / n.scale[k]
		}
		groups[gi].rows = append(groups[gi].rows, z)
	}
	proj, d, err := discriminants(groups, p)
	if err != nil {
		return node{}, err
	}
	n.proj, n.dims = proj, d
	identity := mat.NewSymDense(d, nil)
	for i := range d {
		identity.SetSym(i, i, 1)
	}
	for _, g := range groups {
		ys := make([][]float64, len(g.rows))
		for k, z := range g.rows {
			ys[k] = project(make([]float64, d), z, proj, d)
		}
		mean := meanOf(ys, d)
		w, logDet, err := inverseCholesky(shrunkCov(ys, mean, identity))
		if err != nil {
			return node{}, fmt.Errorf("class %q: %w", labels[g.class], err)
		}
		n.protos = append(n.protos, prototype{class: g.class, state: g.state, mean: mean, w: w, logDet: logDet, limit: math.Inf(1)})
	}
	return n, nil
}

// pooledTarget is the node's within-group covariance, shrunk towards its
// diagonal; the identity when no group has two events.
func pooledTarget(groups []group, p int) *mat.SymDense {
	var centred [][]float64
	dof := 0
	for _, g := range groups {
		if len(g.rows) < 2 {
			continue
		}
		m := meanOf(g.rows, p)
		for _, r := range g.rows {
			c := make([]float64, p)
			for j := range p {
				c[j] = r[j] - m[j]
			}
			centred = append(centred, c)
		}
		dof += len(g.rows) - 1
	}
	zero := make([]float64, p)
	s, varS := sampleCov(centred, zero)
	if s == nil || dof < 1 {
		id := mat.NewSymDense(p, nil)
		for i := range p {
			id.SetSym(i, i, 1)
		}
		return id
	}
	// sampleCov divided by len−1; the pooled estimate divides by the
	// degrees of freedom left after the group means.
	s.ScaleSym(float64(len(centred)-1)/float64(dof), s)
	d := diagonalOf(s)
	for i := range p {
		d.SetSym(i, i, max(d.At(i, i), 1e-6))
	}
	return blend(s, d, shrinkage(s, varS, d))
}

// shrunkCov is a group's covariance shrunk towards target (in discriminant
// coordinates, the pooled within-group covariance: the identity); the
// target itself for a group of fewer than three. Two events do not
// estimate how uncertain their covariance is (their centred rows are ±the
// same vector, so every Var(s_ij) estimate is 0 and λ would be too): they
// would make a flat, rank-one prototype.
func shrunkCov(rows [][]float64, mean []float64, target *mat.SymDense) *mat.SymDense {
	s, varS := sampleCov(rows, mean)
	if s == nil || len(rows) < 3 {
		return mat.NewSymDense(target.SymmetricDim(), slices.Clone(target.RawSymmetric().Data))
	}
	return blend(s, target, shrinkage(s, varS, target))
}

// inverseCholesky factors Σ = L·Lᵀ and returns L⁻¹ packed by rows and ln|Σ|.
// It calls LAPACK's potrf and trtri directly: mat.Cholesky would also
// estimate the condition number, which costs more than the factorisation at
// these sizes and is not needed (shrinkage keeps Σ well conditioned).
func inverseCholesky(sigma *mat.SymDense) ([]float64, float64, error) {
	p := sigma.SymmetricDim()
	raw := sigma.RawSymmetric()
	a := blas64.Symmetric{Uplo: blas.Lower, N: p, Stride: p, Data: make([]float64, p*p)}
	for i := range p {
		for j := 0; j <= i; j++ {
			// RawSymmetric of a SymDense stores the upper triangle.
			a.Data[i*p+j] = raw.Data[j*raw.Stride+i]
		}
	}
	l, ok := lapack64.Potrf(a)
	if !ok {
		return nil, 0, errors.New("covariance not positive definite")
	}
	var logDet float64
	for i := range p {
		logDet += 2 * math.Log(l.Data[i*p+i])
	}
	if !lapack64.Trtri(l) {
		return nil, 0, errors.New("singular Cholesky factor")
	}
	w := make([]float64, 0, p*(p+1)/2)
	for i := range p {
		w = append(w, l.Data[i*p:i*p+i+1]...)
	}
	return w, logDet, nil
}
