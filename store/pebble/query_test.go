package pebble

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// A scan of a month of stored 15-minute readings into a buffer with room
// allocates nothing of its own, and finds the month's samples.
func TestScanSamplesAllocations(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, t.TempDir(), Options{})
	defer d.Close()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const step, n = 15 * 60_000, 31*96 + 1
	var rs []store.Reading
	for m := store.MeterID(1); m <= 3; m++ {
		for i := range n {
			rs = append(rs, store.Reading{Meter: m, Channel: store.ActiveImport, Time: t0 + int64(i)*step, Value: int64(i*i) + int64(m)})
		}
	}
	if _, err := d.Append(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := d.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	q := store.ScanQuery{Meter: 2, Channel: store.ActiveImport, Range: store.Range{From: t0, To: t0 + (n-1)*step + 1}}
	buf, err := d.ScanSamples(ctx, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := store.AppendSamples(nil, rs[n:2*n]); !slices.Equal(buf, want) {
		t.Fatalf("ScanSamples: %d samples, want %d from %v to %v", len(buf), len(want), want[0], want[n-1])
	}
	allocs := testing.AllocsPerRun(20, func() {
		if buf, err = d.ScanSamples(ctx, q, buf[:0]); err != nil || len(buf) != n {
			t.Fatalf("ScanSamples: %d samples, %v", len(buf), err)
		}
	})
	// Pebble's iterator allocates one span iterator; the race detector's
	// sync.Pool drops items at random.
	if allocs > 1 && !raceEnabled {
		t.Errorf("%.0f allocations a scan, want at most Pebble's one", allocs)
	}
}
