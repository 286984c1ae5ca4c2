package pebble

import (
	"context"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/store"
)

// TestAppendAllOrNothing: a batch whose last block would overflow stores
// none of its readings, whether the ones before were plain appends or
// merges, in the head or after a flush.
func TestAppendAllOrNothing(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, t.TempDir(), Options{})
	defer d.Close()
	r := func(m store.MeterID, at, v int64) store.Reading {
		return store.Reading{Meter: m, Channel: store.ActiveImport, Time: at, Value: v}
	}
	base := []store.Reading{r(1, 1000, 1), r(2, 1000, 2)}
	if _, err := d.Append(ctx, base); err != nil {
		t.Fatal(err)
	}
	overflow := make([]store.Reading, maxBlockSamples+1)
	for i := range overflow {
		overflow[i] = r(3, int64(i), 7)
	}
	for _, flush := range []bool{false, true} {
		if flush {
			if err := d.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
		batches := map[string][]store.Reading{
			"appends then overflow":   append([]store.Reading{r(1, 2000, 5), r(2, 2000, 6)}, overflow...),
			"new block then overflow": append([]store.Reading{r(2, 86_400_000, 6)}, overflow...),
			// The second reading's new block moves the first one's block.
			"append, new block of the meter, overflow": append([]store.Reading{r(1, 4000, 5),
				{Meter: 1, Channel: store.ReactiveImport, Time: 1000, Value: 3}}, overflow...),
			"merge then overflow": append([]store.Reading{r(1, 3000, 5), r(2, 1000, 9)}, overflow...),
		}
		for name, batch := range batches {
			if _, err := d.Append(ctx, batch); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("flushed %v, %s: error %v, want store.ErrInvalid", flush, name, err)
			}
		}
		if got, _ := d.Scan(ctx, store.ScanQuery{Meter: 1, Channel: store.ReactiveImport, Range: store.Range{From: 0, To: store.MaxTime}}, nil); len(got) != 0 {
			t.Errorf("flushed %v: meter 1 R+ holds %v", flush, got)
		}
		for m := store.MeterID(1); m <= 3; m++ {
			got, err := d.Scan(ctx, store.ScanQuery{Meter: m, Channel: store.ActiveImport, Range: store.Range{From: 0, To: store.MaxTime}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := base[:0:0]
			if m <= 2 {
				want = base[m-1 : m]
			}
			if len(got) != len(want) || len(got) == 1 && got[0] != want[0] {
				t.Errorf("flushed %v: meter %d holds %v, want %v", flush, m, got, want)
			}
		}
		if c, _ := d.Conflicts(ctx, store.ConflictQuery{}); len(c) != 0 {
			t.Errorf("flushed %v: conflicts %v from rejected batches", flush, c)
		}
	}
}
