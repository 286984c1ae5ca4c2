package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"iter"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/amigo-ami/amigo/store"
)

// key is what Append is idempotent on.
type key struct {
	meter   store.MeterID
	channel uint64
	t       int64
}

func keyOf(r store.Reading) key { return key{r.Meter, packChannel(r.Channel), r.Time} }

// packChannel packs an OBIS code big-endian into the low 48 bits, so that
// channels order as their bytes do.
func packChannel(c store.Channel) uint64 {
	var v uint64
	for _, b := range c {
		v = v<<8 | uint64(b)
	}
	return v
}

func unpackChannel(v uint64) store.Channel {
	var c store.Channel
	for i := len(c) - 1; i >= 0; i-- {
		c[i] = byte(v)
		v >>= 8
	}
	return c
}

// version is a reading as stored under its key, with the ver of its row.
type version struct {
	r       store.Reading
	ver     uint64 // 0: no row yet
	present bool   // stored, or added earlier in the batch
	dirty   bool   // to be written with ver+1
}

// keysPerQuery bounds the keys one read-before-write query sends.
const keysPerQuery = 1 << 17

// Append implements store.Store. For the keys of the batch it reads what
// is stored (FINAL: the latest version of each), decides every reading
// with store.Merge in batch order, then writes the new conflicts and
// after them the readings that changed, each as a row whose ver is one
// more than the stored row's. The meters' stripes are held throughout, so
// that Appends of one meter in this process take turns; see the package
// documentation for writers in several processes and for atomicity.
func (d *DB) Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error) {
	var res store.AppendResult
	for i, r := range batch {
		if err := r.Validate(); err != nil {
			return res, fmt.Errorf("batch[%d]: %w", i, err)
		}
	}
	if err := d.checkOpen(); err != nil {
		return res, err
	}
	if len(batch) == 0 {
		return res, nil
	}
	unlock := d.lock(func(yield func(store.MeterID) bool) {
		for _, r := range batch {
			if !yield(r.Meter) {
				return
			}
		}
	})
	defer unlock()

	state := newBatchState(batch)
	if err := d.readStored(ctx, state); err != nil {
		return store.AppendResult{}, err
	}
	conflicts := make(map[conflictKey]store.Conflict)
	var conflictOrder []conflictKey
	for _, r := range batch {
		v := state.of(keyOf(r))
		if !v.present {
			v.r, v.present, v.dirty = r, true, true
			res.Count(store.Added)
			continue
		}
		kept, o := store.Merge(v.r, r)
		switch o {
		case store.Conflicted:
			ck := conflictKey{keyOf(r), r.Value}
			if _, ok := conflicts[ck]; !ok {
				conflictOrder = append(conflictOrder, ck)
			}
			conflicts[ck] = store.Conflict{Stored: v.r, Incoming: r}
		case store.Replaced:
			v.r, v.dirty = kept, true
		}
		res.Count(o)
	}
	if len(conflicts) > 0 {
		if err := d.writeConflicts(ctx, conflictOrder, conflicts); err != nil {
			return store.AppendResult{}, err
		}
	}
	if err := d.writeReadings(ctx, state); err != nil {
		return store.AppendResult{}, err
	}
	return res, nil
}

// lock locks the stripes of meters in a fixed order (so that Appends
// cannot deadlock) and returns the function that unlocks them.
func (d *DB) lock(meters iter.Seq[store.MeterID]) (unlock func()) {
	var held [nStripes]bool
	for m := range meters {
		held[stripe(m)] = true
	}
	for i, h := range held {
		if h {
			d.stripes[i].Lock()
		}
	}
	return func() {
		for i, h := range held {
			if h {
				d.stripes[i].Unlock()
			}
		}
	}
}

// batchState holds the distinct keys of a batch, in batch order, with
// their versions.
type batchState struct {
	index    map[key]int
	keys     []key
	versions []version
}

func newBatchState(batch []store.Reading) *batchState {
	s := &batchState{index: make(map[key]int, len(batch))}
	for _, r := range batch {
		k := keyOf(r)
		if _, ok := s.index[k]; !ok {
			s.index[k] = len(s.keys)
			s.keys = append(s.keys, k)
		}
	}
	s.versions = make([]version, len(s.keys))
	return s
}

// of returns the version of k, a key of the batch.
func (s *batchState) of(k key) *version { return &s.versions[s.index[k]] }

// readStored fills state with the stored version of each key.
func (d *DB) readStored(ctx context.Context, state *batchState) error {
	keys := state.keys
	for len(keys) > 0 {
		chunk := keys[:min(len(keys), keysPerQuery)]
		keys = keys[len(chunk):]
		meters, channels, times := make([]uint64, len(chunk)), make([]uint64, len(chunk)), make([]int64, len(chunk))
		for i, k := range chunk {
			meters[i], channels[i], times[i] = uint64(k.meter), k.channel, k.t
		}
		keyTable, err := extTable("keys", extColumn{"meter", "UInt64", meters}, extColumn{"channel", "UInt64", channels}, extColumn{"ts", "Int64", times})
		if err != nil {
			return err
		}
		qctx := ch.Context(ctx, ch.WithExternalTable(keyTable))
		rows, err := d.conn.Query(qctx, "SELECT meter, channel, ts, value, quality, ver FROM "+d.readings+
			" FINAL WHERE (meter, channel, ts) IN (SELECT meter, channel, ts FROM keys)")
		if err != nil {
			return fmt.Errorf("clickhouse: read stored readings: %w", err)
		}
		for rows.Next() {
			var meter, channel, ver uint64
			var r store.Reading
			var quality uint16
			if err := rows.Scan(&meter, &channel, &r.Time, &r.Value, &quality, &ver); err != nil {
				rows.Close()
				return fmt.Errorf("clickhouse: read stored readings: %w", err)
			}
			r.Meter, r.Channel, r.Quality = store.MeterID(meter), unpackChannel(channel), store.Quality(quality)
			if i, ok := state.index[keyOf(r)]; ok {
				state.versions[i] = version{r: r, ver: ver, present: true}
			}
		}
		err = rows.Err()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("clickhouse: read stored readings: %w", err)
		}
	}
	return nil
}

// writeReadings inserts the changed readings, each with the next ver of
// its key.
func (d *DB) writeReadings(ctx context.Context, state *batchState) error {
	var meters, channels, vers []uint64
	var times, values []int64
	var qualities []uint16
	for i, k := range state.keys {
		v := &state.versions[i]
		if !v.dirty {
			continue
		}
		meters, channels, times = append(meters, uint64(k.meter)), append(channels, k.channel), append(times, k.t)
		values, qualities, vers = append(values, v.r.Value), append(qualities, uint16(v.r.Quality)), append(vers, v.ver+1)
	}
	if len(meters) == 0 {
		return nil
	}
	err := d.insert(ctx, d.readings, "meter, channel, ts, value, quality, ver", meters, channels, times, values, qualities, vers)
	if err != nil {
		return fmt.Errorf("clickhouse: write %d readings: %w", len(meters), err)
	}
	return nil
}

// insert inserts one block of columns into table, waiting on a cluster
// until every shard has written its rows.
func (d *DB) insert(ctx context.Context, table, columns string, data ...any) error {
	if d.t.cluster != "" {
		ctx = ch.Context(ctx, ch.WithSettings(ch.Settings{"insert_distributed_sync": 1}))
	}
	b, err := d.conn.PrepareBatch(ctx, "INSERT INTO "+table+" ("+columns+")")
	if err != nil {
		return err
	}
	for i, col := range data {
		if err := b.Column(i).Append(col); err != nil {
			return errors.Join(err, b.Abort())
		}
	}
	return b.Send()
}
