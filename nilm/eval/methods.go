package eval

import (
	"errors"
	"math"

	"github.com/amigo-ami/amigo/nilm"
	"gonum.org/v1/gonum/mat"
)

// harmonicVector is both baselines' view, the one the issue describes: the
// odd harmonics 1 … 15 normalised, each magnitude relative to the
// fundamental and each phase relative to the voltage fundamental, as a
// cosine and sine pair so that −179° and 179° are neighbours. The
// fundamental contributes its phase only (its relative magnitude is 1);
// the others are (|I_h|/|I_1|)·(cos φ_h, sin φ_h), so a vanishing harmonic
// with a meaningless phase sits near 0. No level: the baselines see the
// shape of the current, not its size.
func harmonicVector(f *nilm.Features) []float64 {
	i1 := f.Harmonics[1].RMS
	s, c := math.Sincos(f.Harmonics[1].Phase)
	x := []float64{c, s}
	for h := 3; h <= nilm.MaxHarmonic; h += 2 {
		r := 0.0
		if i1 > 0 {
			r = f.Harmonics[h].RMS / i1
		}
		s, c := math.Sincos(f.Harmonics[h].Phase)
		x = append(x, r*c, r*s)
	}
	return x
}

// OneNN is the first baseline: the nearest training event by Euclidean
// distance over harmonicVector.
type OneNN struct {
	rows   [][]float64
	labels []string
}

func (o *OneNN) Name() string { return "1-nn harmonics" }

func (o *OneNN) Fit(train []Item) error {
	o.rows, o.labels = o.rows[:0], o.labels[:0]
	for i := range train {
		o.rows = append(o.rows, harmonicVector(&train[i].Features))
		o.labels = append(o.labels, train[i].Sample.Label)
	}
	return nil
}

func (o *OneNN) Predict(it *Item) string {
	x := harmonicVector(&it.Features)
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

// Pooled is the second baseline: the nearest appliance centroid by
// Mahalanobis distance with one covariance pooled over all appliances, on
// the same harmonicVector as OneNN. A ridge of 10⁻⁶ of the mean variance
// keeps the covariance invertible.
type Pooled struct {
	labels  []string
	centers [][]float64
	prec    *mat.SymDense
}

func (p *Pooled) Name() string { return "pooled mahalanobis" }

func (p *Pooled) Fit(train []Item) error {
	byLabel := map[string][][]float64{}
	p.labels = p.labels[:0]
	for i := range train {
		l := train[i].Sample.Label
		if _, ok := byLabel[l]; !ok {
			p.labels = append(p.labels, l)
		}
		byLabel[l] = append(byLabel[l], harmonicVector(&train[i].Features))
	}
	dim := len(byLabel[p.labels[0]][0])
	cov := mat.NewSymDense(dim, nil)
	p.centers = p.centers[:0]
	dof := float64(len(train) - len(p.labels))
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
					cov.SetSym(a, b, cov.At(a, b)+(r[a]-c[a])*(r[b]-c[b])/dof)
				}
			}
		}
	}
	var trace float64
	for a := range dim {
		trace += cov.At(a, a)
	}
	for a := range dim {
		cov.SetSym(a, a, cov.At(a, a)+1e-6*trace/float64(dim))
	}
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return errors.New("eval: pooled covariance not positive definite")
	}
	p.prec = mat.NewSymDense(dim, nil)
	return ch.InverseTo(p.prec)
}

func (p *Pooled) Predict(it *Item) string {
	x := harmonicVector(&it.Features)
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
