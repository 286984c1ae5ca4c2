package eval

import (
	"fmt"

	"github.com/amigo-ami/amigo/nilm"
)

// OpenSet measures the unknown rejection: for each appliance, a classifier
// trained on every other appliance's events classifies that appliance's
// events, which should all come out nilm.Unknown. It returns, per label, the
// fraction that did.
func OpenSet(items []Item, cfg nilm.TrainConfig) (map[string]float64, error) {
	out := map[string]float64{}
	for _, held := range distinctLabels(items) {
		var train []nilm.Sample
		var test []*Item
		for i := range items {
			if items[i].Sample.Label == held {
				test = append(test, &items[i])
			} else {
				train = append(train, items[i].Sample)
			}
		}
		c, err := nilm.Train(train, cfg)
		if err != nil {
			return nil, fmt.Errorf("open set without %s: %w", held, err)
		}
		rejected := 0
		for _, it := range test {
			if c.ClassifyVector(&it.Sample.X, it.Sample.State).Label == nilm.Unknown {
				rejected++
			}
		}
		out[held] = float64(rejected) / float64(len(test))
	}
	return out, nil
}

func distinctLabels(items []Item) []string {
	var out []string
	seen := map[string]bool{}
	for i := range items {
		if l := items[i].Sample.Label; !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}
