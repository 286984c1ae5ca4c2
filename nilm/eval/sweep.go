package eval

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/amigo-ami/amigo/nilm/plaid"
)

// SeedRow is the headline figures of one seed's evaluation (fractions).
type SeedRow struct {
	Seed         uint64  `json:"seed"`
	Tree         float64 `json:"tree"`
	OneNN        float64 `json:"one_nn"`
	Pooled       float64 `json:"pooled"`
	Rejecting    float64 `json:"tree_with_rejection"`
	Mixed        float64 `json:"mixed"`
	MixedNearest float64 `json:"mixed_nearest"`
	EnergyError  float64 `json:"mixed_energy_error"`
}

// Summary is Sweep's result: one row per seed, their mean and range, and
// the open-set rejection (which does not depend on the seed).
type Summary struct {
	Dataset string    `json:"dataset"`
	Events  int       `json:"events"`
	Folds   int       `json:"folds"`
	Rows    []SeedRow `json:"seeds"`
	Mean    SeedRow   `json:"mean"`
	Min     SeedRow   `json:"min"`
	Max     SeedRow   `json:"max"`
	// OpenSet is, per appliance left out of training, the fraction of its
	// events the tree calls unknown; OpenSetMean their mean.
	OpenSet     map[string]float64 `json:"open_set_rejection"`
	OpenSetMean float64            `json:"open_set_mean"`
}

// Sweep runs Run's evaluation for each seed (each seed draws its own folds
// and mixed-load scenarios) on features extracted once.
func Sweep(ctx context.Context, ds *plaid.Dataset, name string, cfg Config, seeds []uint64) (*Summary, error) {
	if len(seeds) == 0 {
		return nil, fmt.Errorf("eval: no seeds")
	}
	items, err := Items(ds)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Dataset: name, Events: len(items)}
	for _, seed := range seeds {
		c := cfg
		c.Seed, c.NoOpen = seed, true
		rep, err := run(ctx, items, name, c)
		if err != nil {
			return nil, fmt.Errorf("seed %d: %w", seed, err)
		}
		sum.Folds = rep.Folds
		sum.Rows = append(sum.Rows, SeedRow{
			Seed: seed, Tree: rep.Methods[0].Accuracy, OneNN: rep.Methods[1].Accuracy, Pooled: rep.Methods[2].Accuracy,
			Rejecting: rep.Rejecting.Accuracy, Mixed: rep.Mixed.Accuracy, MixedNearest: rep.Mixed.AccuracyNearest,
			EnergyError: rep.Mixed.EnergyError,
		})
	}
	if !cfg.NoOpen {
		if sum.OpenSet, err = OpenSet(items, cfg.Train); err != nil {
			return nil, err
		}
		for _, v := range sum.OpenSet {
			sum.OpenSetMean += v / float64(len(sum.OpenSet))
		}
	}
	sum.Mean, sum.Min, sum.Max = aggregate(sum.Rows)
	return sum, nil
}

// columns lists SeedRow's figures, for aggregating and printing alike.
func (r *SeedRow) columns() []*float64 {
	return []*float64{&r.Tree, &r.OneNN, &r.Pooled, &r.Rejecting, &r.Mixed, &r.MixedNearest, &r.EnergyError}
}

func aggregate(rows []SeedRow) (mean, lo, hi SeedRow) {
	lo, hi = rows[0], rows[0]
	for _, r := range rows {
		for k, v := range r.columns() {
			*mean.columns()[k] += *v / float64(len(rows))
			*lo.columns()[k] = min(*lo.columns()[k], *v)
			*hi.columns()[k] = max(*hi.columns()[k], *v)
		}
	}
	mean.Seed, lo.Seed, hi.Seed = 0, 0, 0
	return mean, lo, hi
}

// WriteText prints the summary as a table of percentages.
func (s *Summary) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d events, stratified %d-fold cross-validation, %d seeds\n\n", s.Dataset, s.Events, s.Folds, len(s.Rows))
	head := []string{"tree", "1-nn harm.", "pooled mah.", "tree+reject", "mixed", "mixed near.", "energy err."}
	fmt.Fprintf(&b, "%-6s", "seed")
	for _, h := range head {
		fmt.Fprintf(&b, " %11s", h)
	}
	b.WriteString("\n")
	line := func(name string, r SeedRow) {
		fmt.Fprintf(&b, "%-6s", name)
		for _, v := range r.columns() {
			fmt.Fprintf(&b, " %10.1f%%", 100**v)
		}
		b.WriteString("\n")
	}
	for _, r := range s.Rows {
		line(fmt.Sprint(r.Seed), r)
	}
	line("mean", s.Mean)
	line("min", s.Min)
	line("max", s.Max)
	if s.OpenSet != nil {
		keys := make([]string, 0, len(s.OpenSet))
		for k := range s.OpenSet {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareLabels)
		fmt.Fprintf(&b, "\nunknown appliances (each left out of training in turn): share of its events rejected, mean %.0f%%\n", 100*s.OpenSetMean)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s:%3.0f%%", k, 100*s.OpenSet[k])
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
