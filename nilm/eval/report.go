package eval

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// Config is what `amigo nilm eval` runs.
type Config struct {
	Folds  int    // 5 if 0
	Seed   uint64 // fixes the folds and the mixed-load scenarios
	Mixed  MixedConfig
	Train  nilm.TrainConfig
	NoOpen bool // skip the open-set (unknown appliance) measurement
}

// Report is everything `amigo nilm eval` prints.
type Report struct {
	Dataset string `json:"dataset"`
	Events  int    `json:"events"`
	Folds   int    `json:"folds"`
	Seed    uint64 `json:"seed"`
	// Methods are the tree (closed set: its nearest appliance), then the
	// two baselines.
	Methods []Scores `json:"methods"`
	// Rejecting is the tree as deployed, answering unknown beyond the
	// chi-square limit.
	Rejecting Scores `json:"tree_with_rejection"`
	// OpenSet is, per appliance left out of training, the fraction of its
	// events the tree calls unknown.
	OpenSet      map[string]float64 `json:"open_set_rejection,omitempty"`
	Mixed        MixedResult        `json:"mixed"`
	LibraryBytes int                `json:"library_bytes"` // signed, trained on every event
	Nodes        []NodeSummary      `json:"nodes"`         // of that library
}

// NodeSummary describes one physics node of a trained library.
type NodeSummary struct {
	Node       string   `json:"node"`
	View       string   `json:"view"` // nilm.ViewName of its features
	Features   []string `json:"features"`
	Dims       int      `json:"dims"` // discriminant directions
	Prototypes int      `json:"prototypes"`
}

// Run evaluates on the dataset.
func Run(ctx context.Context, ds *plaid.Dataset, name string, cfg Config) (*Report, error) {
	items, err := Items(ds)
	if err != nil {
		return nil, err
	}
	return run(ctx, items, name, cfg)
}

func run(ctx context.Context, items []Item, name string, cfg Config) (*Report, error) {
	if cfg.Folds == 0 {
		cfg.Folds = 5
	}
	labels := labelsOf(items)
	folds := StratifiedFolds(labels, cfg.Folds, cfg.Seed)
	rep := &Report{Dataset: name, Events: len(items), Folds: cfg.Folds, Seed: cfg.Seed}
	// One tree per fold serves the closed-set and the rejecting scores and
	// the mixed loads, which use the same folds.
	trees, err := foldTrees(items, folds, cfg.Folds, cfg.Train)
	if err != nil {
		return nil, err
	}
	nearest, answer := make([]string, len(items)), make([]string, len(items))
	for i := range items {
		r := trees[folds[i]].ClassifyVector(&items[i].Sample.X, items[i].Sample.State)
		nearest[i], answer[i] = r.Nearest, r.Label
		if r.Nearest == "" {
			nearest[i] = nilm.Unknown
		}
	}
	rep.Methods = append(rep.Methods, Score("tree", labels, nearest))
	for _, m := range []Method{&OneNN{}, &Pooled{}} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pred, err := CrossValidate(items, m, folds, cfg.Folds)
		if err != nil {
			return nil, err
		}
		rep.Methods = append(rep.Methods, Score(m.Name(), labels, pred))
	}
	rep.Rejecting = Score("tree, unknown rejection", labels, answer)
	if !cfg.NoOpen {
		if rep.OpenSet, err = OpenSet(items, cfg.Train); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	mc := cfg.Mixed
	mc.Seed, mc.Folds, mc.Train = cfg.Seed, cfg.Folds, cfg.Train
	if rep.Mixed, err = mixed(items, folds, trees, mc); err != nil {
		return nil, err
	}
	c, err := TrainAll(items, cfg.Train)
	if err != nil {
		return nil, err
	}
	// The size does not depend on the key; a throwaway one signs.
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	lib, err := c.Sign(key, rand.Reader)
	if err != nil {
		return nil, err
	}
	rep.LibraryBytes = len(lib)
	for nd := range nilm.NumNodes {
		feats := c.NodeFeatures(nd)
		ns := NodeSummary{Node: nd.String(), View: nilm.ViewName(feats), Dims: c.NodeDims(nd), Prototypes: c.Prototypes(nd)}
		for _, f := range feats {
			ns.Features = append(ns.Features, nilm.FeatureName(f))
		}
		if len(feats) == 0 {
			ns.View = "empty"
		}
		rep.Nodes = append(rep.Nodes, ns)
	}
	return rep, nil
}

// WriteText prints the report as tables.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d events, stratified %d-fold cross-validation, seed %d\n\n", r.Dataset, r.Events, r.Folds, r.Seed)
	fmt.Fprintf(&b, "%-28s %9s %9s\n", "method", "accuracy", "macro-F1")
	for _, s := range append(slices.Clone(r.Methods), r.Rejecting) {
		fmt.Fprintf(&b, "%-28s %8.1f%% %9.3f", s.Method, 100*s.Accuracy, s.MacroF1)
		if s.Unknown > 0 {
			fmt.Fprintf(&b, "   (%d unknown)", s.Unknown)
		}
		b.WriteString("\n")
	}
	b.WriteString("\nper-class recall\n")
	fmt.Fprintf(&b, "%-10s", "appliance")
	for _, s := range r.Methods {
		fmt.Fprintf(&b, " %20s", s.Method)
	}
	b.WriteString("\n")
	for _, l := range r.Methods[0].Labels {
		fmt.Fprintf(&b, "%-10s", l)
		for _, s := range r.Methods {
			fmt.Fprintf(&b, " %19.0f%%", 100*s.Recall[l])
		}
		b.WriteString("\n")
	}
	for _, s := range r.Methods {
		fmt.Fprintf(&b, "\nconfusion matrix, %s (rows: truth, columns: answer)\n", s.Method)
		writeConfusion(&b, s)
	}
	if r.OpenSet != nil {
		b.WriteString("\nunknown appliances (each left out of training in turn): share of its events rejected\n")
		keys := make([]string, 0, len(r.OpenSet))
		for k := range r.OpenSet {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareLabels)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s:%3.0f%%", k, 100*r.OpenSet[k])
		}
		b.WriteString("\n")
	}
	m := r.Mixed
	fmt.Fprintf(&b, "\nmixed loads: %d scenarios of 2–4 appliances, %d on/off events (%d mode changes not scored, %d event cycles below 2× the minimum step left out)\n",
		m.Scenarios, m.Events, m.Modes, m.Excluded)
	fmt.Fprintf(&b, "  detected %d, correct %d: accuracy %.1f%% (nearest appliance, before the unknown threshold: %.1f%%); extra detections %d; mean energy error per appliance %.1f%%\n",
		m.Detected, m.Correct, 100*m.Accuracy, 100*m.AccuracyNearest, m.Extra, 100*m.EnergyError)
	if len(m.Mistakes) > 0 {
		keys := make([]string, 0, len(m.Mistakes))
		for k := range m.Mistakes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteString("  mistakes:")
		for _, k := range keys {
			fmt.Fprintf(&b, " [%s ×%d]", k, m.Mistakes[k])
		}
		b.WriteString("\n")
	}
	if ex := m.Example; ex != nil {
		b.WriteString("  first scenario, per appliance (estimated vs true energy):\n")
		truth := map[string]float64{}
		for _, iv := range ex.Truth {
			truth[iv.Label] += iv.EnergyWh
		}
		for _, u := range ex.Usage {
			fmt.Fprintf(&b, "    %-8s switches %d  energy %.4f Wh (true %.4f Wh)\n", u.Label, u.Switches, u.EnergyWh, truth[u.Label])
		}
		for _, e := range ex.Events {
			fmt.Fprintf(&b, "    %7.3f s  %-8s %-3s  d=%.2f  truth: %s\n", e.AtS, e.Label, e.State, e.Distance, e.Truth)
		}
	}
	fmt.Fprintf(&b, "\nlibrary trained on all events: %d bytes signed\n", r.LibraryBytes)
	for _, n := range r.Nodes {
		fmt.Fprintf(&b, "  %-22s view %-12s %2d features → %2d discriminant directions, %2d prototypes\n", n.Node, n.View, len(n.Features), n.Dims, n.Prototypes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeConfusion(b *strings.Builder, s Scores) {
	fmt.Fprintf(b, "%8s", "")
	for _, c := range s.Columns {
		if c == nilm.Unknown {
			c = "?"
		}
		fmt.Fprintf(b, " %4s", c)
	}
	b.WriteString("\n")
	for t, row := range s.Confusion {
		fmt.Fprintf(b, "%8s", s.Labels[t])
		for _, n := range row {
			if n == 0 {
				fmt.Fprintf(b, " %4s", ".")
			} else {
				fmt.Fprintf(b, " %4d", n)
			}
		}
		b.WriteString("\n")
	}
}
