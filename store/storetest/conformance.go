package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Engine is what the conformance suite needs of a store implementation.
type Engine struct {
	// Open returns a new, empty store. The suite closes it.
	Open func(t *testing.T) store.Store
	// Reopen closes s and opens its data again; nil skips the checks that
	// need it.
	Reopen func(t *testing.T, s store.Store) store.Store
	// Maintain runs the engine's housekeeping (a flush, a merge) so that
	// queries read what it wrote; nil if it has none.
	Maintain func(t *testing.T, s store.Store)
}

// Run runs the conformance suite against e: Cases, then Metamorphic.
// Peers, if any, run the metamorphic histories beside e, so that one run
// shows that e, every peer and the Model answer alike.
func Run(t *testing.T, e Engine, peers ...NamedEngine) {
	Cases(t, e)
	t.Run("metamorphic", func(t *testing.T) { Metamorphic(t, append([]NamedEngine{{"engine", e}}, peers...)...) })
}

// Cases runs the hand-computed cases of the conformance suite against e:
// merge rules, idempotency, batch order, invalid batches, conflicts, scan
// bounds, aggregates and (with Reopen) reopening.
func Cases(t *testing.T, e Engine) {
	t.Run("merge rules", func(t *testing.T) { testMergeRules(t, e) })
	t.Run("idempotent", func(t *testing.T) { testIdempotent(t, e) })
	t.Run("batch order", func(t *testing.T) { testBatchOrder(t, e) })
	t.Run("invalid batch", func(t *testing.T) { testInvalidBatch(t, e) })
	t.Run("conflicts", func(t *testing.T) { testConflicts(t, e) })
	t.Run("scan bounds", func(t *testing.T) { testScanBounds(t, e) })
	t.Run("aggregates", func(t *testing.T) { testAggregates(t, e) })
	if e.Reopen != nil {
		t.Run("reopen", func(t *testing.T) { testReopen(t, e) })
	}
}

func open(t *testing.T, e Engine) (store.Store, func() store.Store) {
	s := e.Open(t)
	cur := &s
	t.Cleanup(func() {
		if err := (*cur).Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, func() store.Store {
		*cur = e.Reopen(t, *cur)
		return *cur
	}
}

// maintained runs check, then the engine's housekeeping, then check again.
func maintained(t *testing.T, e Engine, s store.Store, check func(t *testing.T)) {
	t.Helper()
	check(t)
	if e.Maintain != nil && !t.Failed() {
		e.Maintain(t, s)
		check(t)
	}
}

// ms parses an RFC 3339 time into Unix milliseconds.
func ms(t *testing.T, s string) int64 {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v.UnixMilli()
}

func mustAppend(t *testing.T, s store.Store, batch []store.Reading) store.AppendResult {
	t.Helper()
	res, err := s.Append(context.Background(), batch)
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
	return res
}

func scanAll(t *testing.T, s store.Store, m store.MeterID, c store.Channel) []store.Reading {
	t.Helper()
	got, err := s.Scan(context.Background(), store.ScanQuery{Meter: m, Channel: c, Range: store.Range{From: store.MinTime, To: store.MaxTime + 1}}, nil)
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return got
}

func conflicts(t *testing.T, s store.Store, q store.ConflictQuery) []store.Conflict {
	t.Helper()
	got, err := s.Conflicts(context.Background(), q)
	if err != nil {
		t.Fatalf("Conflicts: %v", err)
	}
	return got
}

func testMergeRules(t *testing.T, e Engine) {
	const (
		act  = store.Quality(0)
		est  = store.Estimated
		edit = store.Edited
		miss = store.Missing
	)
	type rv struct {
		v int64
		q store.Quality
	}
	tests := []struct {
		name     string
		stored   rv
		incoming rv
		want     store.AppendResult
		kept     rv
		conflict bool
	}{
		{"actual equal to actual", rv{10, act}, rv{10, act}, store.AppendResult{Unchanged: 1}, rv{10, act}, false},
		{"actual gains valid", rv{10, act}, rv{10, store.Valid}, store.AppendResult{Replaced: 1}, rv{10, store.Valid}, false},
		{"actual differs from actual", rv{10, act}, rv{11, act}, store.AppendResult{Conflicted: 1}, rv{10, act}, true},
		{"estimate replaced by actual", rv{10, est}, rv{12, act}, store.AppendResult{Replaced: 1}, rv{12, act}, false},
		{"estimate re-estimated", rv{10, est}, rv{13, est}, store.AppendResult{Replaced: 1}, rv{13, est}, false},
		{"estimate after actual ignored", rv{10, act}, rv{9, est}, store.AppendResult{Unchanged: 1}, rv{10, act}, false},
		{"edit replaces actual", rv{10, act}, rv{15, edit}, store.AppendResult{Replaced: 1}, rv{15, edit}, false},
		{"actual differs from edit", rv{15, edit}, rv{10, act}, store.AppendResult{Conflicted: 1}, rv{15, edit}, true},
		{"actual confirms edit", rv{15, edit}, rv{15, store.Valid}, store.AppendResult{Unchanged: 1}, rv{15, edit}, false},
		{"edit re-edited", rv{15, edit}, rv{16, edit}, store.AppendResult{Replaced: 1}, rv{16, edit}, false},
		{"estimate after edit ignored", rv{15, edit}, rv{1, est}, store.AppendResult{Unchanged: 1}, rv{15, edit}, false},
		{"missing filled by actual", rv{0, miss}, rv{7, act}, store.AppendResult{Replaced: 1}, rv{7, act}, false},
		{"missing filled by estimate", rv{0, miss}, rv{7, est}, store.AppendResult{Replaced: 1}, rv{7, est}, false},
		{"missing after estimate ignored", rv{10, est}, rv{0, miss}, store.AppendResult{Unchanged: 1}, rv{10, est}, false},
		{"missing after actual ignored", rv{10, act}, rv{0, miss}, store.AppendResult{Unchanged: 1}, rv{10, act}, false},
		{"missing twice merges flags", rv{0, miss}, rv{0, miss | store.PowerDown}, store.AppendResult{Replaced: 1}, rv{0, miss | store.PowerDown}, false},
	}
	s, _ := open(t, e)
	at := ms(t, "2024-03-01T00:15:00Z")
	for i, tt := range tests {
		m := store.MeterID(i + 1)
		stored := store.Reading{Meter: m, Channel: store.ActiveImport, Time: at, Value: tt.stored.v, Quality: tt.stored.q}
		incoming := stored
		incoming.Value, incoming.Quality = tt.incoming.v, tt.incoming.q
		if got := mustAppend(t, s, []store.Reading{stored}); got != (store.AppendResult{Added: 1}) {
			t.Fatalf("%s: first Append = %+v, want one added", tt.name, got)
		}
		if got := mustAppend(t, s, []store.Reading{incoming}); got != tt.want {
			t.Errorf("%s: Append = %+v, want %+v", tt.name, got, tt.want)
		}
	}
	maintained(t, e, s, func(t *testing.T) {
		for i, tt := range tests {
			m := store.MeterID(i + 1)
			want := []store.Reading{{Meter: m, Channel: store.ActiveImport, Time: at, Value: tt.kept.v, Quality: tt.kept.q}}
			if got := scanAll(t, s, m, store.ActiveImport); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: stored %v, want %v", tt.name, got, want)
			}
			var wantC []store.Conflict
			if tt.conflict {
				r := store.Reading{Meter: m, Channel: store.ActiveImport, Time: at}
				st, in := r, r
				st.Value, st.Quality = tt.stored.v, tt.stored.q
				in.Value, in.Quality = tt.incoming.v, tt.incoming.q
				wantC = []store.Conflict{{Stored: st, Incoming: in}}
			}
			if got := conflicts(t, s, store.ConflictQuery{Meter: m}); !equalConflicts(got, wantC) {
				t.Errorf("%s: conflicts %v, want %v", tt.name, got, wantC)
			}
		}
	})
}

func equalConflicts(a, b []store.Conflict) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func equalReadings(a, b []store.Reading) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

func equalBuckets(a, b []store.Bucket) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}

// profile returns n readings of one meter and channel every step from t0,
// with values f(i).
func profile(m store.MeterID, c store.Channel, t0 int64, step time.Duration, n int, f func(i int) int64) []store.Reading {
	out := make([]store.Reading, n)
	for i := range out {
		out[i] = store.Reading{Meter: m, Channel: c, Time: t0 + int64(i)*step.Milliseconds(), Value: f(i)}
	}
	return out
}

func testIdempotent(t *testing.T, e Engine) {
	s, _ := open(t, e)
	t0 := ms(t, "2024-03-01T00:00:00Z")
	var batch []store.Reading
	for _, c := range FleetChannels {
		batch = append(batch, profile(7, c, t0, 15*time.Minute, 200, func(i int) int64 { return 1000 + int64(i*i) })...)
	}
	if got := mustAppend(t, s, batch); got != (store.AppendResult{Added: 800}) {
		t.Fatalf("first Append = %+v, want 800 added", got)
	}
	reversed := make([]store.Reading, len(batch))
	for i, r := range batch {
		reversed[len(batch)-1-i] = r
	}
	maintained(t, e, s, func(t *testing.T) {
		for _, b := range [][]store.Reading{batch, reversed} {
			if got := mustAppend(t, s, b); got != (store.AppendResult{Unchanged: 800}) {
				t.Errorf("repeated Append = %+v, want 800 unchanged", got)
			}
		}
		for i, c := range FleetChannels {
			if got, want := scanAll(t, s, 7, c), batch[i*200:(i+1)*200]; !equalReadings(got, want) {
				t.Errorf("channel %s: %d readings after repeats, want the %d appended", c, len(got), len(want))
			}
		}
		if got := conflicts(t, s, store.ConflictQuery{}); len(got) != 0 {
			t.Errorf("conflicts after repeats: %v", got)
		}
	})
}

func testBatchOrder(t *testing.T, e Engine) {
	s, _ := open(t, e)
	at := ms(t, "2024-03-01T10:00:00Z")
	r := func(m store.MeterID, v int64, q store.Quality) store.Reading {
		return store.Reading{Meter: m, Channel: store.ActiveImport, Time: at, Value: v, Quality: q}
	}
	tests := []struct {
		batch []store.Reading
		want  store.AppendResult
		kept  store.Reading
	}{
		{[]store.Reading{r(1, 5, 0), r(1, 7, 0)}, store.AppendResult{Added: 1, Conflicted: 1}, r(1, 5, 0)},
		{[]store.Reading{r(2, 5, store.Estimated), r(2, 7, 0)}, store.AppendResult{Added: 1, Replaced: 1}, r(2, 7, 0)},
		{[]store.Reading{r(3, 7, 0), r(3, 5, store.Estimated)}, store.AppendResult{Added: 1, Unchanged: 1}, r(3, 7, 0)},
	}
	for i, tt := range tests {
		// Other meters' readings around the pair must not change its order;
		// they are new the first time and unchanged after.
		batch := append([]store.Reading{r(9, 1, 0)}, tt.batch...)
		batch = append(batch, r(8, 1, 0))
		want := tt.want
		if i == 0 {
			want.Added += 2
		} else {
			want.Unchanged += 2
		}
		if got := mustAppend(t, s, batch); got != want {
			t.Errorf("meter %d: Append = %+v, want %+v", tt.kept.Meter, got, want)
		}
	}
	maintained(t, e, s, func(t *testing.T) {
		for _, tt := range tests {
			if got := scanAll(t, s, tt.kept.Meter, store.ActiveImport); !equalReadings(got, []store.Reading{tt.kept}) {
				t.Errorf("meter %d: stored %v, want %v", tt.kept.Meter, got, tt.kept)
			}
		}
		want := []store.Conflict{{Stored: r(1, 5, 0), Incoming: r(1, 7, 0)}}
		if got := conflicts(t, s, store.ConflictQuery{}); !equalConflicts(got, want) {
			t.Errorf("conflicts %v, want %v", got, want)
		}
	})
}

func testInvalidBatch(t *testing.T, e Engine) {
	s, _ := open(t, e)
	good := store.Reading{Meter: 1, Channel: store.ActiveImport, Time: 1000, Value: 1}
	tests := []struct {
		name string
		bad  store.Reading
	}{
		{"meter 0", store.Reading{Channel: store.ActiveImport, Time: 1000}},
		{"negative time", store.Reading{Meter: 1, Channel: store.ActiveImport, Time: -1}},
		{"time after 9999", store.Reading{Meter: 1, Channel: store.ActiveImport, Time: store.MaxTime + 1}},
		{"unknown quality bit", store.Reading{Meter: 1, Channel: store.ActiveImport, Time: 5, Quality: 1 << 15}},
	}
	for _, tt := range tests {
		_, err := s.Append(context.Background(), []store.Reading{good, tt.bad})
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("%s: Append error %v, want store.ErrInvalid", tt.name, err)
		}
	}
	if got := scanAll(t, s, 1, store.ActiveImport); len(got) != 0 {
		t.Errorf("a rejected batch stored %v", got)
	}
	if _, err := s.Scan(context.Background(), store.ScanQuery{Meter: 1, Range: store.Range{From: 5, To: 5}}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Scan of an empty range: error %v, want store.ErrInvalid", err)
	}
	if _, err := s.ScanSamples(context.Background(), store.ScanQuery{Meter: 1, Range: store.Range{From: 5, To: 5}}, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("ScanSamples of an empty range: error %v, want store.ErrInvalid", err)
	}
	if _, err := s.Aggregate(context.Background(), store.AggregateQuery{Meters: []store.MeterID{1}, Step: store.StepDay, Range: store.Range{From: 0, To: 1}}); err != nil {
		t.Errorf("Aggregate of an empty store: %v", err)
	}
}

func testConflicts(t *testing.T, e Engine) {
	s, _ := open(t, e)
	t1, t2 := ms(t, "2024-03-01T00:15:00Z"), ms(t, "2024-03-02T00:15:00Z")
	r := func(m store.MeterID, at, v int64, q store.Quality) store.Reading {
		return store.Reading{Meter: m, Channel: store.ActiveImport, Time: at, Value: v, Quality: q}
	}
	mustAppend(t, s, []store.Reading{r(1, t1, 10, 0), r(1, t2, 20, 0), r(2, t1, 30, 0)})
	got := mustAppend(t, s, []store.Reading{r(1, t1, 11, 0), r(1, t1, 12, store.Valid), r(1, t2, 21, 0), r(2, t1, 31, 0)})
	if want := (store.AppendResult{Conflicted: 4}); got != want {
		t.Errorf("Append = %+v, want %+v", got, want)
	}
	// The same conflicting value again, now Suspect: the entry is updated.
	mustAppend(t, s, []store.Reading{r(1, t1, 11, store.Suspect)})
	all := []store.Conflict{
		{Stored: r(1, t1, 10, 0), Incoming: r(1, t1, 11, store.Suspect)},
		{Stored: r(1, t1, 10, 0), Incoming: r(1, t1, 12, store.Valid)},
		{Stored: r(1, t2, 20, 0), Incoming: r(1, t2, 21, 0)},
		{Stored: r(2, t1, 30, 0), Incoming: r(2, t1, 31, 0)},
	}
	queries := []struct {
		q    store.ConflictQuery
		want []store.Conflict
	}{
		{store.ConflictQuery{}, all},
		{store.ConflictQuery{Meter: 1}, all[:3]},
		{store.ConflictQuery{Meter: 2}, all[3:]},
		{store.ConflictQuery{Meter: 3}, nil},
		{store.ConflictQuery{Range: store.Range{From: t2, To: t2 + 1}}, all[2:3]},
		{store.ConflictQuery{Limit: 2}, all[:2]},
	}
	maintained(t, e, s, func(t *testing.T) {
		for _, tt := range queries {
			if got := conflicts(t, s, tt.q); !equalConflicts(got, tt.want) {
				t.Errorf("Conflicts(%+v) = %v, want %v", tt.q, got, tt.want)
			}
		}
	})
	ctx := context.Background()
	if err := s.ResolveConflict(ctx, all[1]); err != nil {
		t.Fatal(err)
	}
	if err := s.ResolveConflict(ctx, all[1]); err != nil {
		t.Errorf("resolving twice: %v", err)
	}
	want := []store.Conflict{all[0], all[2], all[3]}
	maintained(t, e, s, func(t *testing.T) {
		if got := conflicts(t, s, store.ConflictQuery{}); !equalConflicts(got, want) {
			t.Errorf("after resolving: %v, want %v", got, want)
		}
	})
}

func testScanBounds(t *testing.T, e Engine) {
	s, _ := open(t, e)
	t0 := ms(t, "2024-02-28T23:00:00Z")
	rs := profile(1, store.ActiveImport, t0, 30*time.Minute, 8, func(i int) int64 { return int64(i) })
	mustAppend(t, s, rs)
	maintained(t, e, s, func(t *testing.T) {
		tests := []struct {
			from, to int64
			want     []store.Reading
		}{
			{t0, t0 + 1, rs[:1]},
			{t0 + 1, t0 + 30*60_000, nil},
			{t0 + 30*60_000, t0 + 90*60_000 + 1, rs[1:4]},
			{ms(t, "2024-02-29T00:00:00Z"), ms(t, "2024-02-29T01:00:00Z"), rs[2:4]},
			{0, store.MaxTime + 1, rs},
		}
		for _, tt := range tests {
			got, err := s.Scan(context.Background(), store.ScanQuery{Meter: 1, Channel: store.ActiveImport, Range: store.Range{From: tt.from, To: tt.to}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !equalReadings(got, tt.want) {
				t.Errorf("Scan [%d, %d) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
			// ScanSamples appends the same, after what dst holds.
			prefix := store.Sample{Time: -1, Value: -1, Quality: store.Missing}
			samples, err := s.ScanSamples(context.Background(), store.ScanQuery{Meter: 1, Channel: store.ActiveImport, Range: store.Range{From: tt.from, To: tt.to}}, []store.Sample{prefix})
			if err != nil {
				t.Fatal(err)
			}
			if want := store.AppendSamples([]store.Sample{prefix}, tt.want); !slices.Equal(samples, want) {
				t.Errorf("ScanSamples [%d, %d) = %v, want %v", tt.from, tt.to, samples, want)
			}
		}
		if got := scanAll(t, s, 1, store.ActiveExport); len(got) != 0 {
			t.Errorf("another channel: %v", got)
		}
		if got := scanAll(t, s, 2, store.ActiveImport); len(got) != 0 {
			t.Errorf("another meter: %v", got)
		}
	})
}

func testReopen(t *testing.T, e Engine) {
	s, reopen := open(t, e)
	t0 := ms(t, "2024-03-01T00:00:00Z")
	rs := profile(4, store.ActiveImport, t0, 15*time.Minute, 300, func(i int) int64 { return int64(i) * 3 })
	rs[10].Quality = store.Estimated
	mustAppend(t, s, rs)
	mustAppend(t, s, []store.Reading{{Meter: 4, Channel: store.ActiveImport, Time: rs[5].Time, Value: -1}})
	s = reopen()
	if got := scanAll(t, s, 4, store.ActiveImport); !equalReadings(got, rs) {
		t.Fatalf("after reopening: %d readings, want %d", len(got), len(rs))
	}
	wantC := []store.Conflict{{Stored: rs[5], Incoming: store.Reading{Meter: 4, Channel: store.ActiveImport, Time: rs[5].Time, Value: -1}}}
	if got := conflicts(t, s, store.ConflictQuery{}); !equalConflicts(got, wantC) {
		t.Errorf("conflicts after reopening: %v, want %v", got, wantC)
	}
	actual := rs[10]
	actual.Value, actual.Quality = 31, 0
	if got := mustAppend(t, s, []store.Reading{actual}); got != (store.AppendResult{Replaced: 1}) {
		t.Errorf("actual over a reopened estimate: %+v, want one replaced", got)
	}
	s = reopen()
	rs[10] = actual
	if got := scanAll(t, s, 4, store.ActiveImport); !equalReadings(got, rs) {
		t.Errorf("after the second reopening: %d readings, want %d", len(got), len(rs))
	}
}

func describe(rs []store.Reading) string {
	if len(rs) > 6 {
		return fmt.Sprintf("%v … (%d)", rs[:6], len(rs))
	}
	return fmt.Sprint(rs)
}
