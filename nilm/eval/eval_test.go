package eval

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// plaidItems loads the shared PLAID cut or skips the test.
func plaidItems(t *testing.T) (*plaid.Dataset, []Item) {
	t.Helper()
	ds, err := plaid.Load(testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	items, err := Items(ds)
	if err != nil {
		t.Fatal(err)
	}
	return ds, items
}

func TestStratifiedFolds(t *testing.T) {
	labels := slices.Concat(slices.Repeat([]string{"a"}, 20), slices.Repeat([]string{"b"}, 30), slices.Repeat([]string{"c"}, 7))
	f1 := StratifiedFolds(labels, 5, 1)
	if !slices.Equal(f1, StratifiedFolds(labels, 5, 1)) {
		t.Error("same seed, different folds")
	}
	if slices.Equal(f1, StratifiedFolds(labels, 5, 2)) {
		t.Error("different seeds, same folds")
	}
	for _, l := range []string{"a", "b", "c"} {
		count := make([]int, 5)
		for i := range labels {
			if labels[i] == l {
				count[f1[i]]++
			}
		}
		if slices.Max(count)-slices.Min(count) > 1 {
			t.Errorf("label %s spread %v over the folds, want within 1 of each other", l, count)
		}
	}
	sizes := make([]int, 5)
	for _, f := range f1 {
		sizes[f]++
	}
	if slices.Max(sizes)-slices.Min(sizes) > 1 {
		t.Errorf("fold sizes %v, want within 1 of each other", sizes)
	}
}

// TestScore: truth a a a b b c, answers a a b b unknown c. Accuracy 4/6;
// recall a 2/3, b 1/2, c 1; precision a 1, b 1/2, c 1; F1 a 0.8, b 0.5,
// c 1; macro-F1 2.3/3.
func TestScore(t *testing.T) {
	s := Score("m", []string{"a", "a", "a", "b", "b", "c"}, []string{"a", "a", "b", "b", nilm.Unknown, "c"})
	if math.Abs(s.Accuracy-4.0/6) > 1e-12 || math.Abs(s.MacroF1-2.3/3) > 1e-12 {
		t.Errorf("accuracy %v, macro-F1 %v; want 4/6, 2.3/3", s.Accuracy, s.MacroF1)
	}
	if s.Recall["a"] != 2.0/3 || s.Recall["b"] != 0.5 || s.Recall["c"] != 1 || s.Unknown != 1 {
		t.Errorf("recall %v unknown %d", s.Recall, s.Unknown)
	}
	want := [][]int{{2, 1, 0, 0}, {0, 1, 0, 1}, {0, 0, 1, 0}}
	for r := range want {
		if !slices.Equal(s.Confusion[r], want[r]) {
			t.Errorf("confusion row %s = %v, want %v", s.Labels[r], s.Confusion[r], want[r])
		}
	}
}

func TestReferToKeepsPhaseToTheFundamental(t *testing.T) {
	const n = 500
	own, common, cur := make([]float64, n), make([]float64, n), make([]float64, n)
	for k := range n {
		th := 2 * math.Pi * float64(k) / n
		own[k] = math.Sin(th + 0.02)
		common[k] = math.Sin(th - 0.01)
		cur[k] = math.Sin(th+0.02-0.5) + 0.3*math.Sin(3*(th+0.02)+1)
	}
	got := referTo(cur, own, common)
	for k := range n {
		th := 2 * math.Pi * float64(k) / n
		want := math.Sin(th-0.01-0.5) + 0.3*math.Sin(3*(th-0.01)+1)
		if math.Abs(got[k]-want) > 1e-9 {
			t.Fatalf("sample %d = %v, want %v", k, got[k], want)
		}
	}
}

// TestEvaluatePLAID runs what `amigo nilm eval --seed 1` runs (fewer
// mixed-load scenarios, no open set) and pins its figures (BENCHMARKS.md):
// the tree at 96.0 % (its lowest of seeds 1–5) above both baselines, which
// sit where the issue puts them (1-NN ≈ 92 %, pooled Mahalanobis well
// below); every mixed-load event detected and named.
func TestEvaluatePLAID(t *testing.T) {
	ds, _ := plaidItems(t)
	rep, err := Run(context.Background(), ds, "plaid-events", Config{Seed: 1, NoOpen: true, Mixed: MixedConfig{Trials: 10}})
	if err != nil {
		t.Fatal(err)
	}
	acc := map[string]float64{}
	for _, s := range rep.Methods {
		acc[s.Method] = s.Accuracy
	}
	if acc["tree"] < 0.96 {
		t.Errorf("tree accuracy %.3f, below the 0.96 floor", acc["tree"])
	}
	if acc["tree"] <= acc["1-nn harmonics"] || acc["tree"] <= acc["pooled mahalanobis"] {
		t.Errorf("tree does not beat the baselines: %v", acc)
	}
	if a := acc["1-nn harmonics"]; a < 0.90 || a > 0.94 {
		t.Errorf("1-NN baseline %.3f, want 0.90–0.94: its features changed", a)
	}
	if a := acc["pooled mahalanobis"]; a < 0.65 || a > 0.72 {
		t.Errorf("pooled Mahalanobis baseline %.3f, want 0.65–0.72: its features changed", a)
	}
	if rep.Rejecting.Accuracy < 0.925 || rep.Rejecting.Unknown == 0 {
		t.Errorf("with rejection: accuracy %.3f, %d unknown; want ≥ 0.925 and some unknown", rep.Rejecting.Accuracy, rep.Rejecting.Unknown)
	}
	m := rep.Mixed
	if m.Events < 40 || m.Detected != m.Events || m.Extra > 0 {
		t.Errorf("mixed loads: %d events, %d detected, %d extra; want all detected, none extra", m.Events, m.Detected, m.Extra)
	}
	if m.Accuracy < 0.98 {
		t.Errorf("mixed-load accuracy %.3f below the 0.98 floor (mistakes %v)", m.Accuracy, m.Mistakes)
	}
	if rep.LibraryBytes <= 0 || rep.LibraryBytes > 64<<10 {
		t.Errorf("library of %d bytes", rep.LibraryBytes)
	}

	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tree  ", "1-nn harmonics", "pooled mahalanobis", "confusion matrix, tree", "mixed loads", "library trained on all events", "view shape"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	path := filepath.Join(t.TempDir(), "cm.png")
	if err := PlotConfusion(path, rep.Methods); err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 10000 {
		t.Errorf("plot: %d bytes, %v; want a PNG", len(png), err)
	}
}

// TestEvaluateSeeds is the figure BENCHMARKS.md reports: seeds 1–5, every
// fold's tree trained on the other folds only. It takes a minute under the
// race detector, so it runs only when AMIGO_NILM_SEEDS is set (to anything);
// `amigo nilm eval --seeds 1-5` prints the same table.
func TestEvaluateSeeds(t *testing.T) {
	if os.Getenv("AMIGO_NILM_SEEDS") == "" {
		t.Skip("set AMIGO_NILM_SEEDS=1 to run the five-seed evaluation")
	}
	ds, _ := plaidItems(t)
	sum, err := Sweep(context.Background(), ds, "plaid-events", Config{NoOpen: true}, []uint64{1, 2, 3, 4, 5})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Mean.Tree < 0.97 || sum.Min.Tree < 0.96 {
		t.Errorf("tree %.3f mean, %.3f lowest; want ≥ 0.97 and ≥ 0.96", sum.Mean.Tree, sum.Min.Tree)
	}
	if sum.Mean.Mixed < 0.95 || sum.Min.Mixed < 0.92 {
		t.Errorf("mixed loads %.3f mean, %.3f lowest; want ≥ 0.95 and ≥ 0.92", sum.Mean.Mixed, sum.Min.Mixed)
	}
	if sum.Mean.Tree <= sum.Max.OneNN || sum.Mean.Tree <= sum.Max.Pooled {
		t.Errorf("tree %.3f does not beat the baselines' best seeds (%.3f, %.3f)", sum.Mean.Tree, sum.Max.OneNN, sum.Max.Pooled)
	}
}
