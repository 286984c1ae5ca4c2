package eval

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// Item is one labelled event with its features computed once.
type Item struct {
	Features nilm.Features
	Sample   nilm.Sample
	voltage  []float64 // the event cycle, kept for the mixed-load streams
	current  []float64
}

// Items extracts the features of every event of a dataset.
func Items(ds *plaid.Dataset) ([]Item, error) {
	items := make([]Item, len(ds.Events))
	for k, e := range ds.Events {
		f, err := nilm.Extract(e.Voltage, e.Current)
		if err != nil {
			return nil, fmt.Errorf("event %d (appliance %s): %w", k, e.Label, err)
		}
		st := nilm.Off
		if e.On {
			st = nilm.On
		}
		items[k] = Item{Features: f, Sample: nilm.Sample{X: f.Vector(), Label: e.Label, State: st}, voltage: e.Voltage, current: e.Current}
	}
	return items, nil
}

// foldTrees trains, for each fold f in [0, k), a tree on the items of every
// other fold.
func foldTrees(items []Item, folds []int, k int, cfg nilm.TrainConfig) ([]*nilm.Classifier, error) {
	trees := make([]*nilm.Classifier, k)
	for f := range k {
		var train []nilm.Sample
		for i := range items {
			if folds[i] != f {
				train = append(train, items[i].Sample)
			}
		}
		c, err := nilm.Train(train, cfg)
		if err != nil {
			return nil, fmt.Errorf("tree, fold %d: %w", f, err)
		}
		trees[f] = c
	}
	return trees, nil
}

// Method is a classifier under evaluation: Fit on training items, then
// Predict held-out ones (nilm.Unknown counts as wrong).
type Method interface {
	Name() string
	Fit(train []Item) error
	Predict(it *Item) string
}

// TrainAll trains the tree on every item: the library a deployment ships
// (amigo nilm train), not one of the cross-validation's.
func TrainAll(items []Item, cfg nilm.TrainConfig) (*nilm.Classifier, error) {
	all := make([]nilm.Sample, len(items))
	for i := range items {
		all[i] = items[i].Sample
	}
	return nilm.Train(all, cfg)
}

// StratifiedFolds assigns each item a fold in [0, k) so that every label is
// spread evenly over the folds; the order within a label is shuffled with
// the seed, so a seed fixes the split.
func StratifiedFolds(labels []string, k int, seed uint64) []int {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	folds := make([]int, len(labels))
	var distinct []string
	for _, l := range labels {
		if !slices.Contains(distinct, l) {
			distinct = append(distinct, l)
		}
	}
	slices.Sort(distinct)
	offset := 0
	for _, l := range distinct {
		var idx []int
		for i, li := range labels {
			if li == l {
				idx = append(idx, i)
			}
		}
		rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
		for j, i := range idx {
			folds[i] = (offset + j) % k
		}
		// Rotating the start keeps fold sizes balanced when label counts
		// are not multiples of k.
		offset += len(idx)
	}
	return folds
}

// CrossValidate runs k-fold cross-validation of m and returns the pooled
// predictions of every item (each predicted by the model that did not see it).
func CrossValidate(items []Item, m Method, folds []int, k int) ([]string, error) {
	pred := make([]string, len(items))
	for f := range k {
		var train []Item
		var test []int
		for i := range items {
			if folds[i] == f {
				test = append(test, i)
			} else {
				train = append(train, items[i])
			}
		}
		if err := m.Fit(train); err != nil {
			return nil, fmt.Errorf("%s fold %d: %w", m.Name(), f, err)
		}
		for _, i := range test {
			pred[i] = m.Predict(&items[i])
		}
	}
	return pred, nil
}

func labelsOf(items []Item) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = items[i].Sample.Label
	}
	return out
}
