package pebble

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/amigo-ami/amigo/store"
)

// Scan appends the readings of q to dst in time order.
func (d *DB) Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error) {
	var scratch []sample
	err := d.eachSeriesBlock(ctx, q, func(from, to int64, day uint32, head []sample, stored []byte) error {
		var err error
		if scratch, err = appendBlockSamples(scratch[:0], from, to, day, head, stored); err != nil {
			return err
		}
		for _, x := range scratch {
			dst = append(dst, store.Reading{Meter: q.Meter, Channel: q.Channel, Time: x.Time, Value: x.Value, Quality: x.Quality})
		}
		return nil
	})
	return dst, err
}

// ScanSamples appends the samples of q to dst in time order. Stored blocks
// decode straight into dst: with room in dst a scan allocates nothing but
// Pebble's iterator.
func (d *DB) ScanSamples(ctx context.Context, q store.ScanQuery, dst []store.Sample) ([]store.Sample, error) {
	err := d.eachSeriesBlock(ctx, q, func(from, to int64, day uint32, head []sample, stored []byte) error {
		var err error
		dst, err = appendBlockSamples(dst, from, to, day, head, stored)
		return err
	})
	return dst, err
}

// eachSeriesBlock calls fn, as eachBlock does, for the blocks of q's
// series that overlap q's range, clamped to [from, to).
func (d *DB) eachSeriesBlock(ctx context.Context, q store.ScanQuery, fn func(from, to int64, day uint32, head []sample, stored []byte) error) error {
	if err := q.Validate(); err != nil {
		return err
	}
	from, to, ok := clampRange(q.Range)
	if !ok {
		return nil
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.usable(); err != nil {
		return err
	}
	// Bounds on the series' days keep the iterator from loading the data
	// block of the next series after the last day.
	si, _ := d.scans.Get().(*seriesIter)
	if si == nil {
		si = new(seriesIter)
	}
	defer d.scans.Put(si)
	s := series{q.Meter, q.Channel}
	first, last := dayOf(from), dayOf(to-1)
	si.opts.LowerBound = appendBlockKey(si.keys[:0], blockID{s, first})
	si.opts.UpperBound = appendBlockKey(si.keys[blockKeyLen:blockKeyLen], blockID{s, last + 1}) // dayOf(MaxTime)+1 does not wrap
	it, err := d.kv.NewIterWithContext(ctx, &si.opts)
	if err != nil {
		return err
	}
	err = d.eachBlock(it, s, first, last, si.keys[2*blockKeyLen:2*blockKeyLen], func(day uint32, head []sample, stored []byte) error {
		if err := fn(from, to, day, head, stored); err != nil {
			return fmt.Errorf("scan meter %d %s day %d: %w", q.Meter, q.Channel, day, err)
		}
		return nil
	})
	return joinClose(err, it)
}

// seriesIter holds what an iterator over one series keeps until it is
// closed, for reuse: its options, its bounds and the key it seeks.
type seriesIter struct {
	opts pebble.IterOptions
	keys [3 * blockKeyLen]byte
}

// appendBlockSamples appends to dst the samples of a block (the head's, or
// stored and decoded straight into dst) that lie in [from, to).
func appendBlockSamples(dst []sample, from, to int64, day uint32, head []sample, stored []byte) ([]sample, error) {
	n := len(dst)
	if stored != nil {
		var err error
		if dst, err = decodeBlock(dst, stored, dayStart(day)); err != nil {
			return dst, err
		}
	} else {
		dst = append(dst, head...)
	}
	// Only the first and the last block of a range are cut.
	block := dst[n:]
	lo, _ := slices.BinarySearchFunc(block, from, bySampleTime)
	hi, _ := slices.BinarySearchFunc(block, to, bySampleTime)
	if lo == 0 && hi == len(block) {
		return dst, nil
	}
	return dst[:n+copy(block, block[lo:hi])], nil
}

func bySampleTime(s sample, t int64) int { return cmp.Compare(s.Time, t) }

// Aggregate returns the buckets of q. A stored block that lies within one
// bucket and within the range is taken from its summary without decoding
// its samples, so a month of day blocks costs one header read each.
func (d *DB) Aggregate(ctx context.Context, q store.AggregateQuery) ([]store.Bucket, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	from, to, ok := clampRange(q.Range)
	if !ok {
		return nil, nil
	}
	meters := slices.Clone(q.Meters)
	slices.Sort(meters)
	meters = slices.Compact(meters)

	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	it, err := d.kv.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: []byte{prefixBlock}, UpperBound: []byte{prefixBlock + 1}})
	if err != nil {
		return nil, err
	}
	a := aggregator{bk: store.NewBucketer(q.Step, q.Location), from: from, to: to}
	key := make([]byte, 0, blockKeyLen)
	for i, m := range meters {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, joinClose(err, it)
			}
		}
		a.meter = m
		if err := d.eachBlock(it, series{m, q.Channel}, dayOf(from), dayOf(to-1), key, a.block); err != nil {
			return nil, joinClose(fmt.Errorf("aggregate meter %d %s: %w", m, q.Channel, err), it)
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	if !q.PerMeter {
		return store.Combine(a.out), nil
	}
	return a.out, nil
}

// aggregator folds one meter's blocks, in time order, into buckets.
type aggregator struct {
	bk       *store.Bucketer
	from, to int64
	meter    store.MeterID
	out      []store.Bucket
	scratch  []sample
}

func (a *aggregator) block(day uint32, samples []sample, stored []byte) error {
	if stored != nil {
		sum, err := decodeSummary(stored, dayStart(day))
		if err != nil {
			return err
		}
		if sum.agg.Count == 0 {
			return nil
		}
		if start, end := a.bk.Bounds(sum.first); sum.first >= a.from && sum.last < a.to && sum.last < end {
			a.bucket(start).Fold(sum.agg)
			return nil
		}
		if a.scratch, err = decodeBlock(a.scratch[:0], stored, dayStart(day)); err != nil {
			return err
		}
		samples = a.scratch
	}
	for _, x := range samples {
		if x.Quality&store.Missing != 0 || x.Time < a.from || x.Time >= a.to {
			continue
		}
		start, _ := a.bk.Bounds(x.Time)
		a.bucket(start).Add(x.Value)
	}
	return nil
}

// bucket returns the meter's bucket that starts at start, adding it after
// the others.
func (a *aggregator) bucket(start int64) *store.Bucket {
	if n := len(a.out); n > 0 && a.out[n-1].Meter == a.meter && a.out[n-1].Start == start {
		return &a.out[n-1]
	}
	a.out = append(a.out, store.Bucket{Meter: a.meter, Start: start})
	return &a.out[len(a.out)-1]
}

// eachBlock calls fn for each block of s from day from to day to, in day
// order: with the head's samples when the head holds the block, else with
// the stored bytes (valid only during the call). It builds the key it
// seeks in key's capacity. d.mu must be held.
func (d *DB) eachBlock(it *pebble.Iterator, s series, from, to uint32, key []byte, fn func(day uint32, head []sample, stored []byte) error) error {
	hblocks := d.head.blocksIn(s, from, to)
	valid := it.SeekGE(appendBlockKey(key[:0], blockID{s, from}))
	for {
		var sday uint32
		have := false
		if valid {
			if id, ok := parseBlockKey(it.Key()); ok && id.series == s && id.day <= to {
				sday, have = id.day, true
			}
		}
		switch {
		case len(hblocks) > 0 && (!have || hblocks[0].day <= sday):
			b := hblocks[0]
			hblocks = hblocks[1:]
			if have && sday == b.day { // the head's copy is newer
				valid = it.Next()
			}
			if err := fn(b.day, b.samples, nil); err != nil {
				return err
			}
		case have:
			v, err := it.ValueAndErr()
			if err != nil {
				return err
			}
			if err := fn(sday, nil, v); err != nil {
				return err
			}
			valid = it.Next()
		default:
			return it.Error()
		}
	}
}

// clampRange limits r to the times a store holds; ok is false if nothing
// is left.
func clampRange(r store.Range) (from, to int64, ok bool) {
	from, to = max(r.From, store.MinTime), min(r.To, store.MaxTime+1)
	return from, to, from < to
}

func joinClose(err error, it *pebble.Iterator) error {
	if cerr := it.Close(); err == nil {
		return cerr
	}
	return err
}
