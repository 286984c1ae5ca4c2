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

// TestFlushBoundsReplay: Appends flush the head often enough that at most
// 8 × FlushReadings readings wait in write-ahead records, and blocks that
// grow slowly are not rewritten after every FlushReadings.
func TestFlushBoundsReplay(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, t.TempDir(), Options{FlushReadings: 100})
	defer d.Close()
	channels := []store.Channel{store.ActiveImport, store.ActiveExport, store.ReactiveImport, store.ReactiveExport}
	records := func() int {
		it, err := d.kv.NewIter(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		n := 0
		for it.First(); it.Valid(); it.Next() {
			if it.Key()[0] == prefixWAL {
				n++
			}
		}
		return n
	}
	most, flushes := 0, 0
	for b := range 50 {
		var batch []store.Reading
		for _, c := range channels {
			for i := range 10 {
				batch = append(batch, store.Reading{Meter: 1, Channel: c, Time: int64(b*10+i) * 1000, Value: int64(i)})
			}
		}
		if _, err := d.Append(ctx, batch); err != nil {
			t.Fatal(err)
		}
		n := records()
		if n < most {
			flushes++
		}
		most = n
		if n*len(batch) > 8*100 {
			t.Fatalf("batch %d: %d write-ahead records of %d readings wait, more than 8 × FlushReadings", b, n, len(batch))
		}
	}
	// A batch adds 10 samples to each of 4 blocks. After a flush with S
	// samples per block, the next waits until 40m readings in m batches
	// are at least 100 and half of the 4S + 40m dirty samples (m ≥ S/10),
	// or reach 800 (m = 20): flushes after batches 3, 6, 12, 24 and 44,
	// where flushing every FlushReadings would flush 16 times.
	if flushes != 5 {
		t.Errorf("%d flushes in 50 batches, want 5", flushes)
	}
}
