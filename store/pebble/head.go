package pebble

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/amigo-ami/amigo/store"
)

// head holds, decoded, the blocks appended to recently, and the conflicts
// found since the last flush. Appends change only the head (and the
// write-ahead records); flush writes its dirty blocks to Pebble. The DB's
// mu guards it.
//
// Blocks are found by meter, then by (channel, day) in a short sorted
// slice: a map keyed by the meter's uint64 is several times faster than
// one keyed by a (meter, channel, day) struct, and a meter rarely has more
// than its channels × two days in the head.
type head struct {
	meters    map[store.MeterID]*meterBlocks
	conflicts map[conflictID]store.Conflict
	readings  int    // samples held in blocks
	appended  int    // readings appended since the last flush
	gen       uint64 // flushes so far
}

// meterBlocks are one meter's blocks in the head, sorted by channel and day.
type meterBlocks struct {
	blocks []*openBlock
}

type openBlock struct {
	channel store.Channel
	day     uint32
	samples []sample
	gen     uint64 // head generation of the last append
	dirty   bool   // appended to since it was last written
}

func (b *openBlock) id(m store.MeterID) blockID { return blockID{series{m, b.channel}, b.day} }

func compareBlock(b *openBlock, c store.Channel, day uint32) int {
	if x := compareChannels(b.channel, c); x != 0 {
		return x
	}
	return cmp.Compare(b.day, day)
}

// find returns the index of (c, day) in mb.blocks, or where it would go.
func (mb *meterBlocks) find(c store.Channel, day uint32) (int, bool) {
	return slices.BinarySearchFunc(mb.blocks, c, func(b *openBlock, c store.Channel) int { return compareBlock(b, c, day) })
}

// conflictID is the key of a conflict entry: the incoming reading's key and
// value.
type conflictID struct {
	series
	t, v int64
}

func newHead() head {
	return head{meters: make(map[store.MeterID]*meterBlocks), conflicts: make(map[conflictID]store.Conflict)}
}

// loader fetches a block that is not in the head, appending its samples
// to dst; it appends nothing for a block that does not exist.
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
	var mb *meterBlocks
	for i := 0; i < len(rows); {
		r := rows[i]
		day := dayOf(r.Time)
		j := i + 1
		for j < len(rows) && rows[j].Meter == r.Meter && rows[j].Channel == r.Channel && dayOf(rows[j].Time) == day {
			j++
		}
		if i == 0 || rows[i-1].Meter != r.Meter {
			mb = h.meter(r.Meter)
		}
		b, err := h.block(mb, blockID{series{r.Meter, r.Channel}, day}, load)
		if err != nil {
			return res, groups, err
		}
		if len(b.samples)+j-i > maxBlockSamples {
			return res, groups, fmt.Errorf("meter %d %s day %d: more than %d readings in a day: %w",
				r.Meter, r.Channel, day, maxBlockSamples, store.ErrInvalid)
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

func (h *head) meter(m store.MeterID) *meterBlocks {
	mb, ok := h.meters[m]
	if !ok {
		mb = &meterBlocks{}
		h.meters[m] = mb
	}
	return mb
}

// block returns the head's block id, loading it if it is not there.
func (h *head) block(mb *meterBlocks, id blockID, load loader) (*openBlock, error) {
	i, ok := mb.find(id.channel, id.day)
	if ok {
		return mb.blocks[i], nil
	}
	var s []sample
	if i > 0 && mb.blocks[i-1].channel == id.channel {
		// A new day usually holds as many readings as the day before.
		s = make([]sample, 0, len(mb.blocks[i-1].samples))
	}
	s, err := load(id, s)
	if err != nil {
		return nil, err
	}
	b := &openBlock{channel: id.channel, day: id.day, samples: s, gen: h.gen}
	mb.blocks = slices.Insert(mb.blocks, i, b)
	h.readings += len(s)
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
	i, found := slices.BinarySearchFunc(b.samples, in.t, func(s sample, t int64) int { return cmp.Compare(s.t, t) })
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

// evict drops clean blocks not appended to since generation gen. It
// rebuilds the meter map rather than delete from it: Go's maps keep a
// tombstone per deleted entry until they grow, and the head's steady churn
// would otherwise lengthen every lookup.
func (h *head) evict(gen uint64) {
	meters := make(map[store.MeterID]*meterBlocks, len(h.meters))
	for m, mb := range h.meters {
		kept := mb.blocks[:0]
		for _, b := range mb.blocks {
			if b.dirty || b.gen >= gen {
				kept = append(kept, b)
			} else {
				h.readings -= len(b.samples)
			}
		}
		clear(mb.blocks[len(kept):])
		if len(kept) > 0 {
			mb.blocks = kept
			meters[m] = mb
		}
	}
	h.meters = meters
}

// blocksIn returns the head's blocks of s from day from to day to, in day
// order.
func (h *head) blocksIn(s series, from, to uint32) []*openBlock {
	mb, ok := h.meters[s.meter]
	if !ok {
		return nil
	}
	i, _ := mb.find(s.channel, from)
	j, _ := mb.find(s.channel, to+1)
	return mb.blocks[i:j]
}

// each calls fn for every block in the head.
func (h *head) each(fn func(id blockID, b *openBlock)) {
	for m, mb := range h.meters {
		for _, b := range mb.blocks {
			fn(b.id(m), b)
		}
	}
}
