package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// NamedEngine is an Engine with the name a failure reports it by.
type NamedEngine struct {
	Name string
	Engine
}

// Metamorphic runs seeded random histories of appends (duplicates,
// conflicts, estimates then actuals, out of order), scans, aggregates,
// conflict queries and resolutions, reopenings and housekeeping against
// the Model and every engine at once, and requires every engine to give
// the Model's answer to every operation. Run calls it with one engine;
// with several it shows that the engines answer alike.
func Metamorphic(t *testing.T, engines ...NamedEngine) {
	seeds, steps := []uint64{1, 2, 3, 4, 5, 6, 7, 8}, 400
	if testing.Short() {
		seeds, steps = seeds[:3], 150
	}
	// What the histories exercised: a history that never conflicts or
	// never aggregates anything proves nothing.
	// Seeds whose engines skip the test (no server) count for nothing.
	var seen struct{ histories, conflicted, replaced, buckets, conflicts, readings, samples int }
	defer func() {
		if !t.Failed() && seen.histories > 0 && (seen.conflicted == 0 || seen.replaced == 0 || seen.buckets == 0 || seen.conflicts == 0 || seen.readings == 0 || seen.samples == 0) {
			t.Errorf("histories exercised too little: %+v", seen)
		}
	}()
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			stores := make([]store.Store, len(engines))
			reopens := make([]func() store.Store, len(engines))
			for i, e := range engines {
				stores[i], reopens[i] = open(t, e.Engine)
			}
			h := newHistory(seed)
			model := NewModel()
			for step := range steps {
				op := h.next()
				switch op.kind {
				case opReopen:
					for i, e := range engines {
						if e.Reopen != nil {
							stores[i] = reopens[i]()
						}
					}
					continue
				case opMaintain:
					for i, e := range engines {
						if e.Maintain != nil {
							e.Maintain(t, stores[i])
						}
					}
					continue
				}
				want, werr := op.run(model)
				for i, e := range engines {
					got, gerr := op.run(stores[i])
					if (gerr == nil) != (werr == nil) || fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("step %d: %s\n%s: %v (err %v)\nmodel: %v (err %v)", step, op, e.Name, got, gerr, want, werr)
					}
				}
				switch w := want.(type) {
				case store.AppendResult:
					seen.conflicted += w.Conflicted
					seen.replaced += w.Replaced
				case []store.Bucket:
					seen.buckets += len(w)
				case []store.Reading:
					seen.readings += len(w)
				case []store.Sample:
					seen.samples += len(w) - 1
				case []store.Conflict:
					seen.conflicts += len(w)
					h.conflicts = w
				}
				if op.kind == opResolve {
					h.conflicts = nil
				}
			}
			seen.histories++
		})
	}
}

type opKind int

const (
	opAppend opKind = iota
	opScan
	opScanSamples
	opAggregate
	opConflicts
	opResolve
	opReopen
	opMaintain
)

type op struct {
	kind     opKind
	batch    []store.Reading
	scan     store.ScanQuery
	agg      store.AggregateQuery
	conflict store.ConflictQuery
	resolve  store.Conflict
}

func (o op) String() string {
	switch o.kind {
	case opAppend:
		return "append " + describe(o.batch)
	case opScan:
		return fmt.Sprintf("scan %+v", o.scan)
	case opScanSamples:
		return fmt.Sprintf("scan samples %+v", o.scan)
	case opAggregate:
		return fmt.Sprintf("aggregate %+v", o.agg)
	case opConflicts:
		return fmt.Sprintf("conflicts %+v", o.conflict)
	case opResolve:
		return fmt.Sprintf("resolve %+v", o.resolve)
	}
	return fmt.Sprint(int(o.kind))
}

func (o op) run(s store.Store) (any, error) {
	ctx := context.Background()
	switch o.kind {
	case opAppend:
		return s.Append(ctx, o.batch)
	case opScan:
		return s.Scan(ctx, o.scan, nil)
	case opScanSamples:
		// After a sample already in dst, which must stay.
		return s.ScanSamples(ctx, o.scan, []store.Sample{{Time: -1}})
	case opAggregate:
		return s.Aggregate(ctx, o.agg)
	case opConflicts:
		return s.Conflicts(ctx, o.conflict)
	case opResolve:
		return nil, s.ResolveConflict(ctx, o.resolve)
	}
	return nil, nil
}

// history draws operations over a few meters, two channels and three days
// crossing a month end, with values from a small set so that duplicates,
// replacements and conflicts are frequent.
type history struct {
	rng       *rand.Rand
	t0        int64
	locs      []*time.Location
	conflicts []store.Conflict // from the last conflicts query
}

func newHistory(seed uint64) *history {
	h := &history{rng: rand.New(rand.NewPCG(seed, 0x5eed)), t0: time.Date(2024, 1, 30, 0, 0, 0, 0, time.UTC).UnixMilli()}
	h.locs = []*time.Location{time.UTC}
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Asia/Kolkata"} {
		if l, err := time.LoadLocation(name); err == nil {
			h.locs = append(h.locs, l)
		}
	}
	return h
}

var historyChannels = []store.Channel{store.ActiveImport, store.ReactiveImport}

func (h *history) meter() store.MeterID   { return store.MeterID(1 + h.rng.IntN(5)) }
func (h *history) channel() store.Channel { return historyChannels[h.rng.IntN(len(historyChannels))] }

// time draws mostly 15-minute instants, sometimes odd milliseconds, over
// three days.
func (h *history) time() int64 {
	t := h.t0 + h.rng.Int64N(3*96)*15*60_000
	if h.rng.IntN(8) == 0 {
		t += h.rng.Int64N(15 * 60_000)
	}
	return t
}

func (h *history) rangeOf() store.Range {
	a, b := h.time(), h.time()
	if a > b {
		a, b = b, a
	}
	if h.rng.IntN(4) == 0 {
		return store.Range{From: store.MinTime, To: store.MaxTime + 1}
	}
	return store.Range{From: a, To: b + 1}
}

var historyQualities = []store.Quality{0, 0, 0, store.Valid, store.Estimated, store.Edited, store.Missing, store.Suspect | store.Valid, store.Estimated | store.PowerDown}

func (h *history) next() op {
	switch p := h.rng.IntN(100); {
	case p < 45:
		n := 1 + h.rng.IntN(40)
		batch := make([]store.Reading, n)
		for i := range batch {
			batch[i] = store.Reading{Meter: h.meter(), Channel: h.channel(), Time: h.time(),
				Value: h.rng.Int64N(4) * 1000, Quality: historyQualities[h.rng.IntN(len(historyQualities))]}
			if i > 0 && h.rng.IntN(4) == 0 { // same key as the previous reading
				batch[i].Meter, batch[i].Channel, batch[i].Time = batch[i-1].Meter, batch[i-1].Channel, batch[i-1].Time
			}
		}
		return op{kind: opAppend, batch: batch}
	case p < 60:
		kind := opScan
		if h.rng.IntN(3) == 0 {
			kind = opScanSamples
		}
		return op{kind: kind, scan: store.ScanQuery{Meter: h.meter(), Channel: h.channel(), Range: h.rangeOf()}}
	case p < 80:
		q := store.AggregateQuery{Channel: h.channel(), Range: h.rangeOf(), Step: store.Step(1 + h.rng.IntN(4)),
			Location: h.locs[h.rng.IntN(len(h.locs))], PerMeter: h.rng.IntN(2) == 0}
		for range 1 + h.rng.IntN(4) {
			q.Meters = append(q.Meters, h.meter())
		}
		return op{kind: opAggregate, agg: q}
	case p < 88:
		q := store.ConflictQuery{Limit: h.rng.IntN(3) * 2}
		if h.rng.IntN(2) == 0 {
			q.Meter = h.meter()
		}
		if h.rng.IntN(3) == 0 {
			q.Range = h.rangeOf()
		}
		return op{kind: opConflicts, conflict: q}
	case p < 92 && len(h.conflicts) > 0:
		return op{kind: opResolve, resolve: h.conflicts[h.rng.IntN(len(h.conflicts))]}
	case p < 96:
		return op{kind: opMaintain}
	default:
		return op{kind: opReopen}
	}
}
