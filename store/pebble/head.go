package pebble

import (
	"fmt"
	"slices"

	"github.com/amigo-ami/amigo/store"
)

// head holds, decoded, the blocks appended to recently, and the conflicts
// found since the last flush. Appends change only the head (and the
// write-ahead records); flush writes its dirty blocks to Pebble. The DB's
// mu guards it.
type head struct {
	blocks    map[blockID]*openBlock
	days      map[series][]uint32 // sorted days of each series in blocks
	conflicts map[conflictID]store.Conflict
	readings  int    // samples held in blocks
	appended  int    // readings appended since the last flush
	gen       uint64 // flushes so far
}

type openBlock struct {
	samples []sample
	gen     uint64 // head generation of the last append
	dirty   bool   // appended to since it was last written
}

// conflictID is the key of a conflict entry: the incoming reading's key and
// value.
type conflictID struct {
	series
	t, v int64
}

func newHead() head {
	return head{
		blocks:    make(map[blockID]*openBlock),
		days:      make(map[series][]uint32),
		conflicts: make(map[conflictID]store.Conflict),
	}
}

// loader fetches a block that is not in the head; it returns no samples
// for a block that does not exist.
type loader func(id blockID, dst []sample) ([]sample, error)

// group is the run of a sorted batch that falls into one block.
type group struct {
	rows  []store.Reading
	block *openBlock
}

// apply merges rows, sorted by meter, channel and time (rows of one key in
// batch order), into the head. It loads the blocks it needs first and
// changes nothing if one fails to load or would overflow.
func (h *head) apply(rows []store.Reading, load loader, groups []group) (store.AppendResult, []group, error) {
	var res store.AppendResult
	groups = groups[:0]
	for i := 0; i < len(rows); {
		r := rows[i]
		id := blockID{series{r.Meter, r.Channel}, dayOf(r.Time)}
		j := i + 1
		for j < len(rows) && rows[j].Meter == r.Meter && rows[j].Channel == r.Channel && dayOf(rows[j].Time) == id.day {
			j++
		}
		b, err := h.block(id, load)
		if err != nil {
			return res, groups, err
		}
		if len(b.samples)+j-i > maxBlockSamples {
			return res, groups, fmt.Errorf("meter %d %s day %d: more than %d readings in a day: %w",
				id.meter, id.channel, id.day, maxBlockSamples, store.ErrInvalid)
		}
		groups = append(groups, group{rows: rows[i:j], block: b})
		i = j
	}
	for _, g := range groups {
		for _, r := range g.rows {
			res.Count(h.merge(g.block, r))
		}
		g.block.dirty = true
		g.block.gen = h.gen
	}
	h.appended += len(rows)
	return res, groups, nil
}

// block returns the head's block id, loading it if it is not there.
func (h *head) block(id blockID, load loader) (*openBlock, error) {
	if b, ok := h.blocks[id]; ok {
		return b, nil
	}
	s, err := load(id, nil)
	if err != nil {
		return nil, err
	}
	b := &openBlock{samples: s, gen: h.gen}
	h.blocks[id] = b
	h.readings += len(s)
	days := h.days[id.series]
	i, _ := slices.BinarySearch(days, id.day)
	h.days[id.series] = slices.Insert(days, i, id.day)
	return b, nil
}

// merge applies one reading to its block by store.Merge.
func (h *head) merge(b *openBlock, r store.Reading) store.Outcome {
	in := sample{t: r.Time, v: r.Value, q: r.Quality}
	n := len(b.samples)
	if n == 0 || in.t > b.samples[n-1].t {
		b.samples = append(b.samples, in)
		h.readings++
		return store.Added
	}
	i, found := slices.BinarySearchFunc(b.samples, in.t, func(s sample, t int64) int {
		switch {
		case s.t < t:
			return -1
		case s.t > t:
			return 1
		}
		return 0
	})
	if !found {
		b.samples = slices.Insert(b.samples, i, in)
		h.readings++
		return store.Added
	}
	s := &b.samples[i]
	stored := store.Reading{Meter: r.Meter, Channel: r.Channel, Time: s.t, Value: s.v, Quality: s.q}
	kept, outcome := store.Merge(stored, r)
	s.v, s.q = kept.Value, kept.Quality
	if outcome == store.Conflicted {
		c := store.Conflict{Stored: stored, Incoming: r}
		h.conflicts[idOf(c)] = c
	}
	return outcome
}

// evict drops clean blocks not appended to since generation gen.
func (h *head) evict(gen uint64) {
	for id, b := range h.blocks {
		if b.dirty || b.gen >= gen {
			continue
		}
		delete(h.blocks, id)
		h.readings -= len(b.samples)
		days := h.days[id.series]
		if i, ok := slices.BinarySearch(days, id.day); ok {
			days = slices.Delete(days, i, i+1)
		}
		if len(days) == 0 {
			delete(h.days, id.series)
		} else {
			h.days[id.series] = days
		}
	}
}

// daysIn returns the head's days of s in [from, to].
func (h *head) daysIn(s series, from, to uint32) []uint32 {
	days := h.days[s]
	i, _ := slices.BinarySearch(days, from)
	j, _ := slices.BinarySearch(days, to+1)
	return days[i:j]
}
