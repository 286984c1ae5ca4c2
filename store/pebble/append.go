package pebble

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/amigo-ami/amigo/store"
)

// appendScratch is the memory one Append works in.
type appendScratch struct {
	rows   []store.Reading
	record []byte
	key    []byte
	apply  applyScratch
}

var scratchPool = sync.Pool{New: func() any { return new(appendScratch) }}

// Append merges batch into the store (store.Merge decides each reading)
// and returns when its write-ahead record is durable. Appends of
// different goroutines share the disk's syncs, so many small concurrent
// Appends go faster than the same Appends one after another.
func (d *DB) Append(ctx context.Context, batch []store.Reading) (store.AppendResult, error) {
	var res store.AppendResult
	if err := ctx.Err(); err != nil {
		return res, err
	}
	for i := range batch {
		if err := batch[i].Validate(); err != nil {
			return res, fmt.Errorf("append: batch[%d]: %w", i, err)
		}
	}
	if len(batch) == 0 {
		return res, nil
	}
	sc := scratchPool.Get().(*appendScratch)
	defer scratchPool.Put(sc)
	rows := batch
	if !slices.IsSortedFunc(rows, compareReadings) {
		sc.rows = append(sc.rows[:0], batch...)
		slices.SortStableFunc(sc.rows, compareReadings)
		rows = sc.rows
	}
	sc.record = appendRecord(sc.record[:0], rows)

	d.gate.RLock()
	d.mu.Lock()
	if err := d.usable(); err != nil {
		d.mu.Unlock()
		d.gate.RUnlock()
		return res, err
	}
	res, err := d.head.apply(rows, d, &sc.apply)
	if err != nil {
		d.mu.Unlock()
		d.gate.RUnlock()
		return store.AppendResult{}, fmt.Errorf("append: %w", err)
	}
	d.seq++
	sc.key = appendWALKey(sc.key[:0], d.seq)
	due := d.flushDue()
	d.mu.Unlock()

	write := pebble.Sync
	if d.opts.NoSync {
		write = pebble.NoSync
	}
	err = d.kv.Set(sc.key, sc.record, write)
	if err != nil {
		// The head holds a batch that is not durable: stop serving rather
		// than answer with readings a restart would not have.
		d.mu.Lock()
		d.err = err
		d.mu.Unlock()
		d.log.Error("write-ahead record failed; store stopped", "err", err)
	}
	d.gate.RUnlock()
	if err != nil {
		return store.AppendResult{}, fmt.Errorf("append: write-ahead record: %w", err)
	}
	if due && d.flushing.CompareAndSwap(false, true) {
		defer d.flushing.Store(false)
		if err := d.Flush(ctx); err != nil {
			// The batch is durable in its record; the flush will be retried.
			d.log.Warn("flush after append failed", "err", err)
		}
	}
	return res, nil
}
