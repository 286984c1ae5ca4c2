package pebble

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/amigo-ami/amigo/store"
)

// A conflict is stored under 'c' meter channel time value(incoming) with
// the value: stored value:varint, stored quality:uvarint, incoming
// quality:uvarint.
func appendConflictValue(dst []byte, c store.Conflict) []byte {
	dst = binary.AppendVarint(dst, c.Stored.Value)
	dst = binary.AppendUvarint(dst, uint64(c.Stored.Quality))
	return binary.AppendUvarint(dst, uint64(c.Incoming.Quality))
}

func decodeConflict(k, v []byte) (store.Conflict, error) {
	var c store.Conflict
	if len(k) != conflictKeyLen || k[0] != prefixConflict {
		return c, &CorruptError{Field: "conflict.key", Err: errTruncated}
	}
	r := store.Reading{
		Meter: store.MeterID(binary.BigEndian.Uint64(k[1:])),
		Time:  int64(binary.BigEndian.Uint64(k[15:])),
		Value: int64(binary.BigEndian.Uint64(k[23:]) ^ 1<<63),
	}
	copy(r.Channel[:], k[9:15])
	d := decoder{buf: v}
	c.Stored, c.Incoming = r, r
	c.Stored.Value = d.varint("conflict.stored.value")
	c.Stored.Quality = store.Quality(d.uvarint("conflict.stored.quality"))
	c.Incoming.Quality = store.Quality(d.uvarint("conflict.incoming.quality"))
	if d.err == nil && d.off != len(v) {
		d.fail("conflict", errTrailing)
	}
	return c, d.err
}

// Conflicts returns the conflicts q selects, flushed or not.
func (d *DB) Conflicts(ctx context.Context, q store.ConflictQuery) ([]store.Conflict, error) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if err := d.usable(); err != nil {
		return nil, err
	}
	lower, upper := []byte{prefixConflict}, []byte{prefixConflict + 1}
	if q.Meter != 0 {
		lower = binary.BigEndian.AppendUint64(lower, uint64(q.Meter))
		upper = binary.BigEndian.AppendUint64([]byte{prefixConflict}, uint64(q.Meter)+1)
	}
	it, err := d.kv.NewIterWithContext(ctx, &pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	var out []store.Conflict
	for it.First(); it.Valid(); it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, joinClose(err, it)
		}
		c, err := decodeConflict(it.Key(), v)
		if err != nil {
			return nil, joinClose(fmt.Errorf("conflicts: %w", err), it)
		}
		if _, pending := d.head.conflicts[idOf(c)]; !pending && q.Matches(c) {
			out = append(out, c)
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	for _, c := range d.head.conflicts {
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

// ResolveConflict removes c from the conflicts list durably: it flushes
// first, since replaying write-ahead records would find a pending conflict
// again.
func (d *DB) ResolveConflict(ctx context.Context, c store.Conflict) error {
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
	if err := d.flushLocked(); err != nil {
		return fmt.Errorf("resolve conflict: %w", err)
	}
	if err := d.kv.Delete(appendConflictKey(nil, c.Incoming), pebble.Sync); err != nil {
		return fmt.Errorf("resolve conflict: %w", err)
	}
	return nil
}

func idOf(c store.Conflict) conflictID {
	r := c.Incoming
	return conflictID{series{r.Meter, r.Channel}, r.Time, r.Value}
}
