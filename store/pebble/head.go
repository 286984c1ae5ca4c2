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
//
// Blocks are found by meter, then by (channel, day) in a short sorted
// slice: a map keyed by the meter's uint64 is several times faster than
// one keyed by a (meter, channel, day) struct, and a meter rarely has more
// than its channels × two days in the head.
type head struct {
	meters    map[store.MeterID]*meterBlocks
	conflicts map[conflictID]store.Conflict
	readings  int    // samples held in blocks
	dirty     int    // samples held in dirty blocks: what the next flush encodes
	appended  int    // readings appended since the last flush
	gen       uint64 // flushes so far
}

// meterBlocks are one meter's blocks in the head, sorted by channel and
// day, stored by value so that finding one reads a cache line or two, and
// what the head knows of the meter's stored blocks.
type meterBlocks struct {
	blocks []openBlock
	stored []storedMark
}

// storedMark is the latest day of a channel stored in Pebble, once the head
// knows it: a block for a later day need not be looked for, which spares
// the Get of a block that does not exist each time a day begins.
type storedMark struct {
	channel store.Channel
	day     uint32
	any     bool // false: no block of the channel is stored
}

// mark returns the stored mark of c, if known.
func (mb *meterBlocks) mark(c store.Channel) (*storedMark, bool) {
	for i := range mb.stored {
		if mb.stored[i].channel == c {
			return &mb.stored[i], true
		}
	}
	return nil, false
}

// noteStored records that the block of c for day is stored.
func (mb *meterBlocks) noteStored(c store.Channel, day uint32) {
	if m, ok := mb.mark(c); ok {
		if !m.any || day > m.day {
			m.day, m.any = day, true
		}
		return
	}
	mb.stored = append(mb.stored, storedMark{channel: c, day: day, any: true})
}

type openBlock struct {
	channel store.Channel
	day     uint32
	dirty   bool   // appended to since it was last written
	gen     uint64 // head generation of the last append
	last    int64  // time of the last sample, so appends need not read samples
	samples []sample
}

func (b *openBlock) id(m store.MeterID) blockID { return blockID{series{m, b.channel}, b.day} }

// find returns the index of (c, day) in mb.blocks, or where it would go.
func (mb *meterBlocks) find(c store.Channel, day uint32) (int, bool) {
	ck := channelKey(c)
	lo, hi := 0, len(mb.blocks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		b := &mb.blocks[m]
		if bk := channelKey(b.channel); bk < ck || bk == ck && b.day < day {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(mb.blocks) && mb.blocks[lo].channel == c && mb.blocks[lo].day == day
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

// minBlockCap is the least room a new block gets: an hour of 1-minute or a
// day of 15-minute readings without growing.
const minBlockCap = 96

// blockSource reads what Pebble holds for the head.
type blockSource interface {
	// load appends the samples of stored block id to dst; nothing if
	// there is no such block.
	load(id blockID, dst []sample) ([]sample, error)
	// latestDay returns the latest day of s stored; ok is false if none.
	latestDay(s series) (day uint32, ok bool, err error)
}

// group is the run of a sorted batch that falls into one block:
// mb.blocks[index].
type group struct {
	rows  []store.Reading
	mb    *meterBlocks
	index int
}

// undo is how to take back a run of readings appended to the block
// mb.blocks[index]. It holds the index, not a pointer: inserting a later
// block may move the slice.
type undo struct {
	mb      *meterBlocks
	index   int
	samples int
	last    int64
	gen     uint64
	dirty   bool
}

// applyScratch is memory apply reuses between calls.
type applyScratch struct {
	groups []group
	undos  []undo
}

// apply merges rows, sorted by meter, channel and time (rows of one key in
// batch order), into the head, and changes nothing if a block fails to load
// or would overflow.
//
// Readings newer than everything in their block (the usual case) are
// appended in one pass, which remembers how to take them back. At the
// first run that needs store.Merge, apply loads every block the rest of the
// batch needs before merging any of it, since a merge cannot be taken back.
// A group's index stays valid across that pass: a meter's groups come in
// the order of its blocks, so a block inserted for a later group goes after
// those of the earlier ones.
func (h *head) apply(rows []store.Reading, src blockSource, sc *applyScratch) (store.AppendResult, error) {
	var res store.AppendResult
	sc.undos = sc.undos[:0]
	var mb *meterBlocks
	for i := 0; i < len(rows); {
		j := groupEnd(rows, i)
		if i == 0 || rows[i-1].Meter != rows[i].Meter {
			mb = h.meter(rows[i].Meter)
		}
		k, err := h.prepare(mb, rows[i:j], src)
		if err != nil {
			h.takeBack(sc.undos)
			return store.AppendResult{}, err
		}
		b := &mb.blocks[k]
		if !appendable(b, rows[i:j]) {
			if err := h.mergeRest(rows, i, src, sc, &res); err != nil {
				h.takeBack(sc.undos)
				return store.AppendResult{}, err
			}
			break
		}
		sc.undos = append(sc.undos, undo{mb: mb, index: k, samples: len(b.samples), last: b.last, gen: b.gen, dirty: b.dirty})
		h.appendRun(b, rows[i:j])
		res.Added += j - i
		i = j
	}
	clear(sc.undos) // drop references to blocks
	h.appended += len(rows)
	return res, nil
}

// groupEnd returns the end of the group of rows starting at i.
func groupEnd(rows []store.Reading, i int) int {
	r := rows[i]
	day := dayOf(r.Time)
	j := i + 1
	for j < len(rows) && rows[j].Meter == r.Meter && rows[j].Channel == r.Channel && dayOf(rows[j].Time) == day {
		j++
	}
	return j
}

// prepare makes sure the block of rows (one group) is in mb and has room
// for them, and returns its index.
func (h *head) prepare(mb *meterBlocks, rows []store.Reading, src blockSource) (int, error) {
	r := rows[0]
	day := dayOf(r.Time)
	k, err := h.ensure(mb, blockID{series{r.Meter, r.Channel}, day}, src)
	if err != nil {
		return 0, err
	}
	if len(mb.blocks[k].samples)+len(rows) > maxBlockSamples {
		return 0, fmt.Errorf("meter %d %s day %d: more than %d readings in a day: %w",
			r.Meter, r.Channel, day, maxBlockSamples, store.ErrInvalid)
	}
	return k, nil
}

// mergeRest prepares every group of rows from i, then merges them.
func (h *head) mergeRest(rows []store.Reading, i int, src blockSource, sc *applyScratch, res *store.AppendResult) error {
	sc.groups = sc.groups[:0]
	var mb *meterBlocks
	for start := i; i < len(rows); {
		j := groupEnd(rows, i)
		if i == start || rows[i-1].Meter != rows[i].Meter {
			mb = h.meter(rows[i].Meter)
		}
		k, err := h.prepare(mb, rows[i:j], src)
		if err != nil {
			return err
		}
		sc.groups = append(sc.groups, group{rows: rows[i:j], mb: mb, index: k})
		i = j
	}
	for _, g := range sc.groups {
		b := &g.mb.blocks[g.index]
		if appendable(b, g.rows) {
			h.appendRun(b, g.rows)
			res.Added += len(g.rows)
			continue
		}
		h.touch(b)
		for _, r := range g.rows {
			res.Count(h.merge(b, r))
		}
	}
	clear(sc.groups)
	return nil
}

// touch marks b as appended to in this generation.
func (h *head) touch(b *openBlock) {
	if !b.dirty {
		b.dirty = true
		h.dirty += len(b.samples)
	}
	b.gen = h.gen
}

// appendRun appends rows, newer than b's samples, to b.
func (h *head) appendRun(b *openBlock, rows []store.Reading) {
	h.touch(b)
	b.samples = slices.Grow(b.samples, len(rows))
	for _, r := range rows {
		b.samples = append(b.samples, r.Sample())
	}
	b.last = rows[len(rows)-1].Time
	h.readings += len(rows)
	h.dirty += len(rows)
}

// takeBack removes appended runs, newest first.
func (h *head) takeBack(undos []undo) {
	for i := len(undos) - 1; i >= 0; i-- {
		u := undos[i]
		b := &u.mb.blocks[u.index]
		h.readings -= len(b.samples) - u.samples
		if u.dirty {
			h.dirty -= len(b.samples) - u.samples
		} else {
			h.dirty -= len(b.samples)
		}
		b.samples, b.last, b.gen, b.dirty = b.samples[:u.samples], u.last, u.gen, u.dirty
	}
	clear(undos)
}

// appendable reports whether rows, sorted by time, all come after the
// block's samples and after each other.
func appendable(b *openBlock, rows []store.Reading) bool {
	if len(b.samples) > 0 && rows[0].Time <= b.last {
		return false
	}
	for i := 1; i < len(rows); i++ {
		if rows[i].Time == rows[i-1].Time {
			return false
		}
	}
	return true
}

func (h *head) meter(m store.MeterID) *meterBlocks {
	mb, ok := h.meters[m]
	if !ok {
		mb = &meterBlocks{}
		h.meters[m] = mb
	}
	return mb
}

// ensure loads block id into the head if it is not there and returns its
// index in mb.blocks.
func (h *head) ensure(mb *meterBlocks, id blockID, src blockSource) (int, error) {
	i, ok := mb.find(id.channel, id.day)
	if ok {
		return i, nil
	}
	// A new day usually holds as many readings as the day before.
	hint := minBlockCap
	if i > 0 && mb.blocks[i-1].channel == id.channel {
		hint = max(hint, len(mb.blocks[i-1].samples))
	}
	s := make([]sample, 0, hint)
	m, known := mb.mark(id.channel)
	if !known {
		day, ok, err := src.latestDay(id.series)
		if err != nil {
			return 0, err
		}
		mb.stored = append(mb.stored, storedMark{channel: id.channel, day: day, any: ok})
		m = &mb.stored[len(mb.stored)-1]
	}
	if m.any && id.day <= m.day {
		var err error
		if s, err = src.load(id, s); err != nil {
			return 0, err
		}
	}
	b := openBlock{channel: id.channel, day: id.day, samples: s, gen: h.gen}
	if len(s) > 0 {
		b.last = s[len(s)-1].Time
	}
	mb.blocks = slices.Insert(mb.blocks, i, b)
	h.readings += len(s)
	return i, nil
}

// merge applies one reading to its block, which touch has marked, by
// store.Merge.
func (h *head) merge(b *openBlock, r store.Reading) store.Outcome {
	in := r.Sample()
	n := len(b.samples)
	if n == 0 || in.Time > b.last {
		b.samples = append(b.samples, in)
		b.last = in.Time
		h.readings++
		h.dirty++
		return store.Added
	}
	i, found := slices.BinarySearchFunc(b.samples, in.Time, bySampleTime)
	if !found {
		b.samples = slices.Insert(b.samples, i, in)
		h.readings++
		h.dirty++
		return store.Added
	}
	s := &b.samples[i]
	stored := store.Reading{Meter: r.Meter, Channel: r.Channel, Time: s.Time, Value: s.Value, Quality: s.Quality}
	kept, outcome := store.Merge(stored, r)
	s.Value, s.Quality = kept.Value, kept.Quality
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
		clear(mb.blocks[len(kept):]) // drop the evicted samples
		mb.blocks = kept
		if len(kept) > 0 || len(mb.stored) > 0 {
			meters[m] = mb
		}
	}
	h.meters = meters
}

// blocksIn returns the head's blocks of s from day from to day to, in day
// order.
func (h *head) blocksIn(s series, from, to uint32) []openBlock {
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
		for i := range mb.blocks {
			fn(mb.blocks[i].id(m), &mb.blocks[i])
		}
	}
}
