package pebble

import (
	"context"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
)

// Flush writes the head's changed blocks and new conflicts into Pebble and
// drops the write-ahead records they cover, in one atomic batch. Appends
// wait while it runs. Append calls it every Options.FlushReadings
// readings; Close calls it last.
func (d *DB) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d.gate.Lock()
	defer d.gate.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.usable(); err != nil {
		return err
	}
	return d.flushLocked()
}

// flushLocked is Flush with gate and mu held exclusively.
func (d *DB) flushLocked() error {
	h := &d.head
	if h.appended == 0 && len(h.conflicts) == 0 {
		return nil
	}
	b := d.kv.NewBatch()
	defer b.Close()
	var key, val []byte
	var err error
	blocks := 0
	h.each(func(id blockID, ob *openBlock) {
		if !ob.dirty || err != nil {
			return
		}
		key = appendBlockKey(key[:0], id)
		val = d.enc.encode(val[:0], dayStart(id.day), ob.samples)
		err = b.Set(key, val, nil)
		blocks++
	})
	if err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	for _, c := range h.conflicts {
		key = appendConflictKey(key[:0], c.Incoming)
		if err := b.Set(key, appendConflictValue(val[:0], c), nil); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	if d.seq > 0 {
		if err := b.DeleteRange(appendWALKey(nil, 0), appendWALKey(nil, d.seq+1), nil); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("flush: %w", err)
	}
	d.log.Debug("flushed", "blocks", blocks, "readings", h.appended, "conflicts", len(h.conflicts))
	h.each(func(_ blockID, ob *openBlock) { ob.dirty = false })
	clear(h.conflicts)
	h.appended = 0
	h.evict(h.gen)
	h.gen++
	if h.readings > 4*d.opts.FlushReadings {
		h.evict(h.gen)
	}
	return nil
}
