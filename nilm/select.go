package nilm

import "slices"

// Feature selection. With a handful of events per appliance, every feature
// a node compares costs covariance entries it cannot estimate well, so each
// node keeps only the features that help it: a greedy forward selection
// scored by the node's own accuracy in an inner cross-validation over the
// training events it was given. Nothing outside those events is looked at,
// so an outer evaluation stays honest.

const (
	selectFolds       = 4  // inner folds
	maxNodeFeatures   = 12 // bounds the library size: 50 appliances fit in 64 KiB (doc.go)
	minSelectedEvents = 8  // below this a node keeps a fixed small set
	patience          = 1  // steps without gain the search looks through
)

// baseFeatures is what a node with too few events to select from compares:
// level, power factor and displacement.
var baseFeatures = []int{FLogIRMS, FPF, FSinPhi1}

func selectFeatures(samples []Sample, labels []string, logDet bool) []int {
	if len(samples) < minSelectedEvents {
		return slices.Clone(baseFeatures)
	}
	folds := innerFolds(samples)
	// Level, power factor and displacement always stay: a node whose few
	// training appliances happen to separate without them would otherwise
	// send a 600 W event to a 50 W appliance.
	chosen := slices.Clone(baseFeatures)
	bestAcc := innerAccuracy(samples, folds, chosen, labels, logDet)
	// Grow greedily; keep going through up to patience steps without gain
	// (a pair of features can help where neither alone does) and keep the
	// best set seen.
	best := slices.Clone(chosen)
	stale := 0
	for len(chosen) < maxNodeFeatures && stale <= patience {
		candBest, candAcc := -1, -1.0
		for f := range NumFeatures {
			if slices.Contains(chosen, f) {
				continue
			}
			acc := innerAccuracy(samples, folds, append(slices.Clone(chosen), f), labels, logDet)
			if acc > candAcc {
				candBest, candAcc = f, acc
			}
		}
		if candBest < 0 {
			break
		}
		chosen = append(chosen, candBest)
		if candAcc > bestAcc {
			best, bestAcc, stale = slices.Clone(chosen), candAcc, 0
		} else {
			stale++
		}
	}
	chosen = best
	slices.Sort(chosen)
	return chosen
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

func innerAccuracy(samples []Sample, folds []int, feats []int, labels []string, logDet bool) float64 {
	correct := 0
	var train []Sample
	for f := range selectFolds {
		train = train[:0]
		for i, s := range samples {
			if folds[i] != f {
				train = append(train, s)
			}
		}
		n, err := trainNode(train, feats, labels, 0)
		if err != nil {
			continue
		}
		for i := range samples {
			if folds[i] != f {
				continue
			}
			k, _ := n.nearest(&samples[i].X, samples[i].State, logDet)
			if k >= 0 && labels[n.protos[k].class] == samples[i].Label {
				correct++
			}
		}
	}
	return float64(correct) / float64(len(samples))
}
