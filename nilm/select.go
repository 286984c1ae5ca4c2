package nilm

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// View selection and threshold calibration. Each node compares the events
// it is given through one of a few views of the Vector, chosen by the
// node's own accuracy in an inner cross-validation over its training
// events; the same inner predictions calibrate the unknown threshold.
// Nothing outside those events is looked at, so an outer evaluation stays
// honest.

// View is a named set of Vector indices a node may compare.
type View struct {
	Name     string
	Features []int // ascending
}

// Views are the candidates Train chooses among, in order of preference:
// "shape" (the waveform itself) is the view development on PLAID settled
// on; a node takes the first view whose inner cross-validated accuracy is
// within one standard error of the best view's (chooseView). Every view keeps
// level, power factor, displacement and the active and reactive currents:
// a node whose few training appliances happen to separate without them
// would send a 600 W event to a 50 W appliance.
func Views() []View {
	return []View{
		{"shape", viewOf(FShape, FShape+ShapeBins)},
		{"harmonics", viewOf(FHarm3Re, FEven+1)},
		{"shape+vi", viewOf(FShape, FShape+ShapeBins, FLogCrest, FConduction, FArea, FAsymmetry, FCurvature, FMiddlePeak)},
		{"descriptors", viewOf(FDistortion, FMiddlePeak+1)},
	}
}

// viewOf is level, power factor, displacement and the current components,
// plus the Vector indices [from, to) and any extra ones.
func viewOf(from, to int, extra ...int) []int {
	f := []int{FLogIRMS, FPF, FSinPhi1, FActive, FReactive}
	for k := from; k < to; k++ {
		f = append(f, k)
	}
	f = append(f, extra...)
	slices.Sort(f)
	return slices.Compact(f)
}

// ViewName names a node's feature list as one of Views, or "custom".
func ViewName(features []int) string {
	for _, v := range Views() {
		if slices.Equal(v.Features, features) {
			return v.Name
		}
	}
	return "custom"
}

const (
	selectFolds       = 4 // inner folds
	minSelectedEvents = 8 // below this a node takes the first view and the plain χ² threshold
)

// calibrationQuantile is where the inner predictions' distances are
// compared with the χ² law: high enough to describe the tail the threshold
// lives in, low enough that a few dozen events estimate it.
const calibrationQuantile = 0.9

// chooseView returns the view to use on samples and the threshold
// inflation measured on it. The view is the first of Views() (or fixed,
// when not nil) whose inner cross-validated accuracy is within one
// standard error of the best one's: the one-standard-error rule of
// Breiman, Friedman, Olshen, Stone, "Classification and Regression Trees",
// 1984, §3.4.3, with the order of Views() in place of simplicity. The
// inflation is the calibrationQuantile of the held-out events' squared
// distances to their own prototype, over the same quantile of χ²_d, at
// least 1: few training events make every covariance optimistic, and the
// projection is fitted to them too; scaling the χ² threshold by this
// factor keeps the law's tail shape while matching the spread unseen
// events of known appliances actually show.
func chooseView(samples []Sample, labels []string, logDet bool, fixed []int) ([]int, float64, error) {
	cands := Views()
	if fixed != nil {
		cands = []View{{"fixed", fixed}}
	}
	folds := innerFolds(samples)
	accs := make([]float64, len(cands))
	ratios := make([][]float64, len(cands))
	for k, v := range cands {
		var err error
		if accs[k], ratios[k], err = innerCV(samples, folds, v.Features, labels, logDet); err != nil {
			return nil, 0, err
		}
	}
	best := slices.Max(accs)
	se := math.Sqrt(best * (1 - best) / float64(len(samples)))
	k := slices.IndexFunc(accs, func(a float64) bool { return a >= best-se })
	r := ratios[k]
	if len(r) == 0 {
		return cands[k].Features, 1, nil
	}
	slices.Sort(r)
	q := r[min(int(calibrationQuantile*float64(len(r))), len(r)-1)]
	return cands[k].Features, max(q, 1), nil
}

// innerFolds deals each label's events round-robin over the folds, in the
// order given, so the result depends only on the training set.
func innerFolds(samples []Sample) []int {
	seen := map[string]int{}
	folds := make([]int, len(samples))
	for i, s := range samples {
		folds[i] = seen[s.Label] % selectFolds
		seen[s.Label]++
	}
	return folds
}

// innerCV returns the share of samples the node trained on the other folds
// names right, and for every held-out event whose own appliance and state
// were in the training folds its squared distance to that prototype over
// the calibrationQuantile of χ²_d.
func innerCV(samples []Sample, folds []int, feats []int, labels []string, logDet bool) (float64, []float64, error) {
	correct := 0
	var ratios []float64
	var train []Sample
	for f := range selectFolds {
		train = train[:0]
		for i, s := range samples {
			if folds[i] != f {
				train = append(train, s)
			}
		}
		n, err := trainNode(train, feats, labels)
		if err != nil {
			return 0, nil, err
		}
		if n.dims == 0 {
			continue
		}
		chi := distuv.ChiSquared{K: float64(n.dims)}.Quantile(calibrationQuantile)
		var buf [maxDims]float64
		for i := range samples {
			if folds[i] != f {
				continue
			}
			s := &samples[i]
			y := n.coords(&s.X, &buf)
			k, _ := n.nearestTo(y, s.State, logDet)
			if k >= 0 && labels[n.protos[k].class] == s.Label {
				correct++
			}
			own := slices.IndexFunc(n.protos, func(p prototype) bool { return labels[p.class] == s.Label && p.state == s.State })
			if own >= 0 {
				ratios = append(ratios, n.protos[own].distance2(y)/chi)
			}
		}
	}
	return float64(correct) / float64(len(samples)), ratios, nil
}
