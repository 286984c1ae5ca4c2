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
	// Features lists the Vector indices each node uses, at most 12,
	// ascending. A nil entry is chosen by forward selection on the
	// training events (see selectFeatures).
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
		feats := cfg.Features[nd]
		if feats == nil {
			feats = selectFeatures(in, labels, !cfg.PlainDistance)
		}
		n, err := trainNode(in, feats, labels, conf)
		if err != nil {
			return nil, fmt.Errorf("%w: node %s: %w", ErrTraining, nd, err)
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

// trainNode builds one node's prototypes on feats. conf 0 skips the
// chi-square limits (every limit +Inf), as feature selection needs no
// rejection.
func trainNode(samples []Sample, feats []int, labels []string, conf float64) (node, error) {
	p := len(feats)
	if p == 0 || p > maxNodeFeatures {
		return node{}, fmt.Errorf("%d features, want 1 to %d", p, maxNodeFeatures)
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
	// Standardise on the node's events so that one shrinkage target fits
	// features of very different ranges.
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
	target := pooledTarget(groups, p)
	limit := math.Inf(1)
	if conf > 0 {
		limit = distuv.ChiSquared{K: float64(p)}.Quantile(conf) * looInflation(groups, target, p)
	}
	for _, g := range groups {
		mean := meanOf(g.rows, p)
		sigma := shrunkCov(g.rows, mean, target)
		w, logDet, err := inverseCholesky(sigma)
		if err != nil {
			return node{}, fmt.Errorf("class %q: %w", labels[g.class], err)
		}
		n.protos = append(n.protos, prototype{class: g.class, state: g.state, mean: mean, w: w, logDet: logDet, limit: limit})
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

// shrunkCov is a group's covariance shrunk towards the node target; the
// target itself for a group of one.
func shrunkCov(rows [][]float64, mean []float64, target *mat.SymDense) *mat.SymDense {
	s, varS := sampleCov(rows, mean)
	if s == nil {
		return mat.NewSymDense(target.SymmetricDim(), slices.Clone(target.RawSymmetric().Data))
	}
	// The target keeps the node's correlation shape at the group's own
	// scale: a tight cluster shrinks towards a tight target, not towards
	// the spread of the whole node.
	var trS, trT float64
	for i := range target.SymmetricDim() {
		trS += s.At(i, i)
		trT += target.At(i, i)
	}
	scaled := mat.NewSymDense(target.SymmetricDim(), nil)
	if trS <= 0 || trT <= 0 {
		scaled.CopySym(target) // identical events: keep the node's spread
	} else {
		scaled.ScaleSym(trS/trT, target)
	}
	return blend(s, scaled, shrinkage(s, varS, scaled))
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

// looInflation measures how much larger the squared distance of an unseen
// event of a known appliance is than the chi-square law predicts (few
// samples make every covariance optimistic): the calibrationQuantile of the
// leave-one-out d² over the same quantile of χ²_p, at least 1. Scaling the
// χ² threshold by it keeps the law's tail shape while matching the spread
// the training events actually show.
func looInflation(groups []group, target *mat.SymDense, p int) float64 {
	var d2s []float64
	for _, g := range groups {
		if len(g.rows) < 3 {
			continue
		}
		for k := range g.rows {
			rest := make([][]float64, 0, len(g.rows)-1)
			rest = append(append(rest, g.rows[:k]...), g.rows[k+1:]...)
			mean := meanOf(rest, p)
			w, _, err := inverseCholesky(shrunkCov(rest, mean, target))
			if err != nil {
				continue
			}
			pr := prototype{mean: mean, w: w}
			d2s = append(d2s, pr.distance2(g.rows[k]))
		}
	}
	if len(d2s) == 0 {
		return 1
	}
	slices.Sort(d2s)
	q := d2s[min(int(calibrationQuantile*float64(len(d2s))), len(d2s)-1)]
	return max(q/distuv.ChiSquared{K: float64(p)}.Quantile(calibrationQuantile), 1)
}

// calibrationQuantile is where looInflation compares the leave-one-out
// distances with the χ² law: high enough to describe the tail the threshold
// lives in, low enough that a few dozen events estimate it.
const calibrationQuantile = 0.9
