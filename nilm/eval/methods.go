package eval

import (
	"errors"
	"math"

	"github.com/amigo-ami/amigo/nilm"
	"gonum.org/v1/gonum/mat"
)

// Tree is the nilm classifier under evaluation.
type Tree struct {
	Config nilm.TrainConfig
	Closed bool // answer the nearest appliance even when the threshold rejects it
	c      *nilm.Classifier
}

func (t *Tree) Name() string { return "tree" }

func (t *Tree) Fit(train []Item) error {
	samples := make([]nilm.Sample, len(train))
	for i := range train {
		samples[i] = train[i].Sample
	}
	c, err := nilm.Train(samples, t.Config)
	t.c = c
	return err
}

func (t *Tree) Predict(it *Item) string {
	r := t.c.ClassifyVector(&it.Sample.X, it.Sample.State)
	if t.Closed && r.Nearest != "" {
		return r.Nearest
	}
	return r.Label
}

// harmonicVector is the 1-NN baseline's view: magnitudes (A) and phases
// (relative to the voltage fundamental, as cosine and sine so that −179°
// and 179° are neighbours) of the odd harmonics 1 … 15.
func harmonicVector(f *nilm.Features) []float64 {
	var x []float64
	for h := 1; h <= nilm.MaxHarmonic; h += 2 {
		s, c := math.Sincos(f.Harmonics[h].Phase)
		x = append(x, f.Harmonics[h].RMS, c, s)
	}
	return x
}

// zscore holds per-feature standardisation fitted on training rows.
type zscore struct{ mean, sd []float64 }

func fitZ(rows [][]float64) zscore {
	p := len(rows[0])
	z := zscore{mean: make([]float64, p), sd: make([]float64, p)}
	for _, r := range rows {
		for j, v := range r {
			z.mean[j] += v
		}
	}
	for j := range p {
		z.mean[j] /= float64(len(rows))
	}
	for _, r := range rows {
		for j, v := range r {
			z.sd[j] += (v - z.mean[j]) * (v - z.mean[j])
		}
	}
	for j := range p {
		z.sd[j] = max(math.Sqrt(z.sd[j]/float64(len(rows))), 1e-12)
	}
	return z
}

func (z zscore) apply(x []float64) []float64 {
	out := make([]float64, len(x))
	for j, v := range x {
		out[j] = (v - z.mean[j]) / z.sd[j]
	}
	return out
}

// OneNN is the first baseline: the nearest training event by Euclidean
// distance over z-scored odd-harmonic magnitudes and phases.
type OneNN struct {
	z      zscore
	rows   [][]float64
	labels []string
}

func (o *OneNN) Name() string { return "1-nn harmonics" }

func (o *OneNN) Fit(train []Item) error {
	raw := make([][]float64, len(train))
	for i := range train {
		raw[i] = harmonicVector(&train[i].Features)
	}
	o.z = fitZ(raw)
	o.rows, o.labels = o.rows[:0], o.labels[:0]
	for i := range train {
		o.rows = append(o.rows, o.z.apply(raw[i]))
		o.labels = append(o.labels, train[i].Sample.Label)
	}
	return nil
}

func (o *OneNN) Predict(it *Item) string {
	x := o.z.apply(harmonicVector(&it.Features))
	best, bestD := 0, math.Inf(1)
	for i, r := range o.rows {
		var d float64
		for j := range r {
			d += (r[j] - x[j]) * (r[j] - x[j])
		}
		if d < bestD {
			best, bestD = i, d
		}
	}
	return o.labels[best]
}

// Pooled is the second baseline: nearest class centroid by Mahalanobis
// distance with one covariance pooled over all classes, on the same feature
// vector as the tree (z-scored), with a small ridge so it inverts.
type Pooled struct {
	z       zscore
	labels  []string
	centers [][]float64
	prec    *mat.SymDense
}

func (p *Pooled) Name() string { return "pooled mahalanobis" }

func (p *Pooled) Fit(train []Item) error {
	raw := make([][]float64, len(train))
	for i := range train {
		raw[i] = train[i].Sample.X[:]
	}
	p.z = fitZ(raw)
	byLabel := map[string][][]float64{}
	p.labels = p.labels[:0]
	for i := range train {
		l := train[i].Sample.Label
		if _, ok := byLabel[l]; !ok {
			p.labels = append(p.labels, l)
		}
		byLabel[l] = append(byLabel[l], p.z.apply(raw[i]))
	}
	dim := len(raw[0])
	cov := mat.NewSymDense(dim, nil)
	p.centers = p.centers[:0]
	for _, l := range p.labels {
		rows := byLabel[l]
		c := make([]float64, dim)
		for _, r := range rows {
			for j := range r {
				c[j] += r[j] / float64(len(rows))
			}
		}
		p.centers = append(p.centers, c)
		for _, r := range rows {
			for a := range dim {
				for b := a; b < dim; b++ {
					cov.SetSym(a, b, cov.At(a, b)+(r[a]-c[a])*(r[b]-c[b])/float64(len(train)-len(p.labels)))
				}
			}
		}
	}
	for a := range dim {
		cov.SetSym(a, a, cov.At(a, a)+1e-3)
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return errors.New("eval: pooled covariance not positive definite")
	}
	p.prec = mat.NewSymDense(dim, nil)
	return ch.InverseTo(p.prec)
}

func (p *Pooled) Predict(it *Item) string {
	x := p.z.apply(it.Sample.X[:])
	best, bestD := 0, math.Inf(1)
	d := mat.NewVecDense(len(x), nil)
	for k, c := range p.centers {
		for j := range x {
			d.SetVec(j, x[j]-c[j])
		}
		if v := mat.Inner(d, p.prec, d); v < bestD {
			best, bestD = k, v
		}
	}
	return p.labels[best]
}
