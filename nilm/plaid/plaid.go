package plaid

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/amigo-ami/amigo/nilm/internal/npy"
)

// The recording parameters of the PLAID cut (not stored in the files).
const (
	RateHz  = 30000.0
	MainsHz = 60.0
)

// Files are the names Load reads from the data directory.
var Files = [...]string{"voltage.npy", "current.npy", "labels.npy", "on_events.npy"}

// Event is one appliance event cycle.
type Event struct {
	Voltage []float64 // V, one cycle from a rising zero crossing
	Current []float64 // A, the appliance's own current in that cycle
	Label   string    // appliance id as text, "1" … "13"
	On      bool      // switch-on (true) or switch-off event
}

// Dataset is the whole cut, in file order.
type Dataset struct {
	RateHz  float64
	MainsHz float64
	Events  []Event
}

// Labels returns the distinct labels in ascending numeric order.
func (d *Dataset) Labels() []string {
	var ids []int
	for _, e := range d.Events {
		id, _ := strconv.Atoi(e.Label)
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	out := make([]string, len(ids))
	for k, id := range ids {
		out[k] = strconv.Itoa(id)
	}
	return out
}

// Subdir is the data set's directory under the shared test data directory
// (internal/testenv.SharedData).
const Subdir = "plaid-events"

// Load reads dir/voltage.npy, current.npy, labels.npy and on_events.npy.
// A missing file gives an error wrapping fs.ErrNotExist that names it.
func Load(dir string) (*Dataset, error) {
	arrays := make([]*npy.Array, len(Files))
	for k, name := range Files {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("plaid: %w", err)
		}
		if arrays[k], err = npy.Decode(b); err != nil {
			return nil, fmt.Errorf("plaid: %s: %w", path, err)
		}
	}
	v, i, lab, on := arrays[0], arrays[1], arrays[2], arrays[3]
	if v.Float == nil || i.Float == nil || len(v.Shape) != 2 || !slices.Equal(v.Shape, i.Shape) {
		return nil, fmt.Errorf("plaid: %s: voltage %s%v and current %s%v must be equal 2-d float arrays",
			dir, v.Descr, v.Shape, i.Descr, i.Shape)
	}
	n, cycle := v.Shape[0], v.Shape[1]
	if lab.Int == nil || on.Int == nil || !slices.Equal(lab.Shape, []int{n}) || !slices.Equal(on.Shape, []int{n}) {
		return nil, fmt.Errorf("plaid: %s: labels %s%v and on_events %s%v must be integer arrays of %d",
			dir, lab.Descr, lab.Shape, on.Descr, on.Shape, n)
	}
	if cycle == 0 {
		return nil, errors.New("plaid: " + dir + ": zero-length cycles")
	}
	ds := &Dataset{RateHz: RateHz, MainsHz: MainsHz, Events: make([]Event, n)}
	for k := range n {
		if on.Int[k] != 0 && on.Int[k] != 1 {
			return nil, fmt.Errorf("plaid: %s: on_events[%d] = %d, want 0 or 1", dir, k, on.Int[k])
		}
		ds.Events[k] = Event{
			Voltage: v.Float[k*cycle : (k+1)*cycle : (k+1)*cycle],
			Current: i.Float[k*cycle : (k+1)*cycle : (k+1)*cycle],
			Label:   strconv.FormatInt(lab.Int[k], 10),
			On:      on.Int[k] == 1,
		}
	}
	return ds, nil
}
