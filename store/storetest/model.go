package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/amigo-ami/amigo/store"
)

// Model is the reference store.Store: maps and loops, no cleverness. It is
// safe for concurrent use.
type Model struct {
	mu        sync.Mutex
	readings  map[key]store.Reading
	conflicts map[conflictKey]store.Conflict
	closed    bool
}

type key struct {
	meter   store.MeterID
	channel store.Channel
	t       int64
}

type conflictKey struct {
	key
	v int64
}

var _ store.Store = (*Model)(nil)

// NewModel returns an empty Model.
func NewModel() *Model {
	return &Model{readings: make(map[key]store.Reading), conflicts: make(map[conflictKey]store.Conflict)}
}

// Append implements store.Store.
func (m *Model) Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error) {
	var res store.AppendResult
	for i, r := range batch {
		if err := r.Validate(); err != nil {
			return res, fmt.Errorf("batch[%d]: %w", i, err)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return res, store.ErrClosed
	}
	for _, r := range batch {
		k := key{r.Meter, r.Channel, r.Time}
		stored, ok := m.readings[k]
		if !ok {
			m.readings[k] = r
			res.Count(store.Added)
			continue
		}
		kept, o := store.Merge(stored, r)
		m.readings[k] = kept
		if o == store.Conflicted {
			m.conflicts[conflictKey{k, r.Value}] = store.Conflict{Stored: stored, Incoming: r}
		}
		res.Count(o)
	}
	return res, nil
}

// Scan implements store.Store.
func (m *Model) Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error) {
	if err := q.Validate(); err != nil {
		return dst, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return dst, store.ErrClosed
	}
	n := len(dst)
	for k, r := range m.readings {
		if k.meter == q.Meter && k.channel == q.Channel && q.Range.Contains(k.t) {
			dst = append(dst, r)
		}
	}
	slices.SortFunc(dst[n:], func(a, b store.Reading) int { return cmp.Compare(a.Time, b.Time) })
	return dst, nil
}

// ScanSamples implements store.Store.
func (m *Model) ScanSamples(ctx context.Context, q store.ScanQuery, dst []store.Sample) ([]store.Sample, error) {
	rs, err := m.Scan(ctx, q, nil)
	return store.AppendSamples(dst, rs), err
}

// Aggregate implements store.Store.
func (m *Model) Aggregate(ctx context.Context, q store.AggregateQuery) ([]store.Bucket, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	meters := slices.Clone(q.Meters)
	slices.Sort(meters)
	meters = slices.Compact(meters)
	var out []store.Bucket
	for _, meter := range meters {
		rs, err := m.Scan(ctx, store.ScanQuery{Meter: meter, Channel: q.Channel, Range: q.Range}, nil)
		if err != nil {
			return nil, err
		}
		bk := store.NewBucketer(q.Step, q.Location)
		first := len(out)
		for _, r := range rs {
			if r.Quality&store.Missing != 0 {
				continue
			}
			start, _ := bk.Bounds(r.Time)
			if len(out) == first || out[len(out)-1].Start != start {
				out = append(out, store.Bucket{Meter: meter, Start: start})
			}
			out[len(out)-1].Add(r.Value)
		}
	}
	if !q.PerMeter {
		return store.Combine(out), nil
	}
	return out, nil
}

// Conflicts implements store.Store.
func (m *Model) Conflicts(ctx context.Context, q store.ConflictQuery) ([]store.Conflict, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, store.ErrClosed
	}
	var out []store.Conflict
	for _, c := range m.conflicts {
		if q.Matches(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, store.CompareConflicts)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// ResolveConflict implements store.Store.
func (m *Model) ResolveConflict(ctx context.Context, c store.Conflict) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return store.ErrClosed
	}
	r := c.Incoming
	delete(m.conflicts, conflictKey{key{r.Meter, r.Channel, r.Time}, r.Value})
	return nil
}

// Close implements store.Store.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
