package pebble

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"github.com/cockroachdb/pebble/v2"
)

// Flush writes the head's changed blocks and new conflicts into Pebble and
// drops the write-ahead records they cover, in one atomic batch. Appends
// wait while it runs. Close calls it last, and Append when flushDue.
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
	blocks := d.encodeDirty()
	var key, val []byte
	for _, e := range blocks {
		key = appendBlockKey(key[:0], e.id)
		if err := b.Set(key, e.val, nil); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
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
	d.log.Debug("flushed", "blocks", len(blocks), "readings", h.appended, "conflicts", len(h.conflicts))
	for _, mb := range h.meters {
		for i := range mb.blocks {
			if b := &mb.blocks[i]; b.dirty {
				if len(b.samples) > 0 {
					mb.noteStored(b.channel, b.day)
				}
				b.dirty = false
			}
		}
	}
	clear(h.conflicts)
	h.appended, h.dirty = 0, 0
	h.evict(h.gen)
	h.gen++
	if h.readings > d.opts.HeadReadings {
		h.evict(h.gen)
	}
	return nil
}

// encoded is a block ready to write.
type encoded struct {
	id  blockID
	val []byte
}

// encodeDirty encodes the head's changed blocks, on as many goroutines as
// there are processors (up to the encoders the DB keeps).
func (d *DB) encodeDirty() []encoded {
	var dirty []encoded
	var samples [][]sample
	d.head.each(func(id blockID, ob *openBlock) {
		if ob.dirty && len(ob.samples) > 0 {
			dirty = append(dirty, encoded{id: id})
			samples = append(samples, ob.samples)
		}
	})
	workers := min(len(d.encs), runtime.GOMAXPROCS(0), 1+len(dirty)/64)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			enc := &d.encs[w]
			var arena []byte
			for i := w; i < len(dirty); i += workers {
				start := len(arena)
				arena = enc.encode(arena, dayStart(dirty[i].id.day), samples[i])
				dirty[i].val = arena[start:len(arena):len(arena)]
			}
		})
	}
	wg.Wait()
	return dirty
}

// flushDue reports whether the head should be flushed: after
// Options.FlushReadings readings, once they are at least half the samples
// the flush would encode, so that a block filling slowly (a day of 1-minute
// readings in a large fleet) is not re-encoded after every few readings;
// and always after 8 × FlushReadings, which bounds replay. d.mu held.
func (d *DB) flushDue() bool {
	h, f := &d.head, d.opts.FlushReadings
	return h.appended >= f && (2*h.appended >= h.dirty || h.appended >= 8*f)
}
