package plaid

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm/internal/npy"
)

func writeArrays(t *testing.T, arrays map[string]*npy.Array) string {
	t.Helper()
	dir := t.TempDir()
	for name, a := range arrays {
		b, err := npy.Encode(nil, a)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func cut(labels, on []int64, cycle int) map[string]*npy.Array {
	n := len(labels)
	v := make([]float64, n*cycle)
	i := make([]float64, n*cycle)
	for k := range v {
		v[k], i[k] = float64(k), -float64(k)
	}
	return map[string]*npy.Array{
		"voltage.npy":   {Descr: npy.Float64, Shape: []int{n, cycle}, Float: v},
		"current.npy":   {Descr: npy.Float64, Shape: []int{n, cycle}, Float: i},
		"labels.npy":    {Descr: npy.Int64, Shape: []int{n}, Int: labels},
		"on_events.npy": {Descr: npy.Int64, Shape: []int{n}, Int: on},
	}
}

func TestLoadCrafted(t *testing.T) {
	ds, err := Load(writeArrays(t, cut([]int64{10, 2, 10}, []int64{1, 0, 0}, 4)))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Events) != 3 || ds.RateHz != 30000 || ds.MainsHz != 60 {
		t.Fatalf("Load = %d events at %v/%v Hz", len(ds.Events), ds.RateHz, ds.MainsHz)
	}
	e := ds.Events[1]
	if e.Label != "2" || e.On || !slices.Equal(e.Voltage, []float64{4, 5, 6, 7}) || !slices.Equal(e.Current, []float64{-4, -5, -6, -7}) {
		t.Errorf("event 1 = %+v", e)
	}
	if got := ds.Labels(); !slices.Equal(got, []string{"2", "10"}) {
		t.Errorf("Labels() = %v, want numeric order [2 10]", got)
	}
}

func TestLoadRejects(t *testing.T) {
	missing := cut([]int64{1}, []int64{1}, 4)
	delete(missing, "labels.npy")
	if _, err := Load(writeArrays(t, missing)); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "labels.npy") {
		t.Errorf("missing labels.npy: %v", err)
	}
	badOn := cut([]int64{1, 2}, []int64{1, 2}, 4)
	if _, err := Load(writeArrays(t, badOn)); err == nil || !strings.Contains(err.Error(), "on_events[1] = 2") {
		t.Errorf("on_events 2: %v", err)
	}
	short := cut([]int64{1, 2}, []int64{1, 0}, 4)
	short["labels.npy"] = &npy.Array{Descr: npy.Int64, Shape: []int{1}, Int: []int64{1}}
	if _, err := Load(writeArrays(t, short)); err == nil {
		t.Error("labels of 1 for 2 events accepted")
	}
	floatLabels := cut([]int64{1}, []int64{1}, 4)
	floatLabels["labels.npy"] = &npy.Array{Descr: npy.Float64, Shape: []int{1}, Float: []float64{1}}
	if _, err := Load(writeArrays(t, floatLabels)); err == nil {
		t.Error("float labels accepted")
	}
}

// TestLoadShared checks the shared cut against its README when present.
func TestLoadShared(t *testing.T) {
	ds, err := Load(testenv.SharedDir(t, Subdir, Files[:]...))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range ds.Events {
		counts[e.Label]++
		if len(e.Voltage) != 500 {
			t.Fatalf("cycle of %d samples, want 500", len(e.Voltage))
		}
	}
	if len(ds.Events) != 250 || len(counts) != 12 || counts["9"] != 30 || counts["4"] != 0 || counts["1"] != 20 {
		t.Errorf("%d events, per label %v; want 250, 12 labels of 20 (30 for 9, none for 4)", len(ds.Events), counts)
	}
}
