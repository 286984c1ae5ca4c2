package sched

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The queue hands out entries in (At, ID) order, whatever the order they
// went in, and PopDue stops at the first entry after its time.
func TestOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q Queue
	var want []Entry
	for i := range 2000 {
		e := Entry{At: rng.Int64N(500), ID: int32(i)}
		q.Push(e)
		want = append(want, e)
	}
	slices.SortFunc(want, func(a, b Entry) int {
		if less(a, b) {
			return -1
		}
		return 1
	})
	got := q.PopDue(nil, 249)
	for _, e := range got {
		if e.At > 249 {
			t.Fatalf("PopDue(249) gave %+v", e)
		}
	}
	for q.Len() > 0 {
		got = append(got, q.Pop())
	}
	if !slices.Equal(got, want) {
		t.Fatal("entries out of order")
	}
}

func TestNoAllocationsInSteadyState(t *testing.T) {
	var q Queue
	for i := range 10000 {
		q.Push(Entry{At: int64(i * 7 % 10000), ID: int32(i)})
	}
	var buf []Entry
	allocs := testing.AllocsPerRun(10, func() {
		buf = q.PopDue(buf[:0], 5000)
		for _, e := range buf {
			q.Push(Entry{At: e.At + 10000, ID: e.ID})
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per round", allocs)
	}
}
