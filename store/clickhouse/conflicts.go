package clickhouse

import (
	"context"
	"fmt"
	"slices"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/amigo-ami/amigo/store"
)

// conflictKey is what a conflict entry is keyed by: the incoming
// reading's key and value.
type conflictKey struct {
	key
	value int64
}

const conflictColumnList = "meter, channel, ts, value, quality, stored_value, stored_quality, deleted, ver"

// conflictRow is one row of the conflicts table.
type conflictRow struct {
	c       store.Conflict
	deleted bool
	ver     uint64
}

// readConflicts returns the latest row (FINAL) of each conflict entry
// that where selects, in no particular order; ext tables go with the
// query. Deleted entries are included: the filter on
// deleted must come after FINAL has picked the latest row, and a WHERE on
// a column outside the sorting key may be moved before it (PREWHERE).
func (d *DB) readConflicts(ctx context.Context, where string, args []any) ([]conflictRow, error) {
	q := "SELECT " + conflictColumnList + " FROM " + d.conflicts + " FINAL"
	if where != "" {
		q += " WHERE " + where
	}
	rows, err := d.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: read conflicts: %w", err)
	}
	defer rows.Close()
	var out []conflictRow
	for rows.Next() {
		var meter, channel, ver uint64
		var t, value, storedValue int64
		var quality, storedQuality uint16
		var deleted uint8
		if err := rows.Scan(&meter, &channel, &t, &value, &quality, &storedValue, &storedQuality, &deleted, &ver); err != nil {
			return nil, fmt.Errorf("clickhouse: read conflicts: %w", err)
		}
		in := store.Reading{Meter: store.MeterID(meter), Channel: unpackChannel(channel), Time: t, Value: value, Quality: store.Quality(quality)}
		st := in
		st.Value, st.Quality = storedValue, store.Quality(storedQuality)
		out = append(out, conflictRow{c: store.Conflict{Stored: st, Incoming: in}, deleted: deleted != 0, ver: ver})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: read conflicts: %w", err)
	}
	return out, nil
}

// writeConflicts upserts the conflicts of a batch: each entry is written
// with the next ver of its key, so that it replaces an older entry or a
// resolved one.
func (d *DB) writeConflicts(ctx context.Context, order []conflictKey, conflicts map[conflictKey]store.Conflict) error {
	n := len(order)
	meters, channels, times, values := make([]uint64, n), make([]uint64, n), make([]int64, n), make([]int64, n)
	for i, k := range order {
		meters[i], channels[i], times[i], values[i] = uint64(k.meter), k.channel, k.t, k.value
	}
	keyTable, err := extTable("conflict_keys", extColumn{"meter", "UInt64", meters}, extColumn{"channel", "UInt64", channels},
		extColumn{"ts", "Int64", times}, extColumn{"value", "Int64", values})
	if err != nil {
		return err
	}
	stored, err := d.readConflicts(ch.Context(ctx, ch.WithExternalTable(keyTable)),
		"(meter, channel, ts, value) IN (SELECT meter, channel, ts, value FROM conflict_keys)", nil)
	if err != nil {
		return err
	}
	vers := make(map[conflictKey]uint64, len(stored))
	for _, s := range stored {
		vers[conflictKey{keyOf(s.c.Incoming), s.c.Incoming.Value}] = s.ver
	}
	rows := make([]conflictRow, n)
	for i, k := range order {
		rows[i] = conflictRow{c: conflicts[k], ver: vers[k] + 1}
	}
	if err := d.insertConflicts(ctx, rows); err != nil {
		return fmt.Errorf("clickhouse: write %d conflicts: %w", n, err)
	}
	return nil
}

func (d *DB) insertConflicts(ctx context.Context, rows []conflictRow) error {
	n := len(rows)
	meters, channels, vers := make([]uint64, n), make([]uint64, n), make([]uint64, n)
	times, values, storedValues := make([]int64, n), make([]int64, n), make([]int64, n)
	qualities, storedQualities, deleted := make([]uint16, n), make([]uint16, n), make([]uint8, n)
	for i, row := range rows {
		in, st := row.c.Incoming, row.c.Stored
		meters[i], channels[i], times[i], values[i], qualities[i] = uint64(in.Meter), packChannel(in.Channel), in.Time, in.Value, uint16(in.Quality)
		storedValues[i], storedQualities[i], vers[i] = st.Value, uint16(st.Quality), row.ver
		if row.deleted {
			deleted[i] = 1
		}
	}
	return d.insert(ctx, d.conflicts, conflictColumnList, meters, channels, times, values, qualities, storedValues, storedQualities, deleted, vers)
}

// Conflicts implements store.Store.
func (d *DB) Conflicts(ctx context.Context, q store.ConflictQuery) ([]store.Conflict, error) {
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	var where string
	var args []any
	if q.Meter != 0 {
		where, args = "meter = ?", append(args, uint64(q.Meter))
	}
	if q.Range != (store.Range{}) {
		if where != "" {
			where += " AND "
		}
		where += "ts >= ? AND ts < ?"
		args = append(args, q.Range.From, q.Range.To)
	}
	rows, err := d.readConflicts(ctx, where, args)
	if err != nil {
		return nil, err
	}
	var out []store.Conflict
	for _, r := range rows {
		if !r.deleted && q.Matches(r.c) {
			out = append(out, r.c)
		}
	}
	slices.SortFunc(out, store.CompareConflicts)
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// ResolveConflict implements store.Store: it writes a deleted row with the
// next ver of the entry's key.
func (d *DB) ResolveConflict(ctx context.Context, c store.Conflict) error {
	if err := d.checkOpen(); err != nil {
		return err
	}
	r := c.Incoming
	unlock := d.lock(func(yield func(store.MeterID) bool) { yield(r.Meter) })
	defer unlock()
	rows, err := d.readConflicts(ctx, "meter = ? AND channel = ? AND ts = ? AND value = ?",
		[]any{uint64(r.Meter), packChannel(r.Channel), r.Time, r.Value})
	if err != nil {
		return err
	}
	if len(rows) == 0 || rows[0].deleted {
		return nil
	}
	tomb := rows[0]
	tomb.deleted, tomb.ver = true, tomb.ver+1
	if err := d.insertConflicts(ctx, []conflictRow{tomb}); err != nil {
		return fmt.Errorf("clickhouse: resolve conflict %s: %w", r, err)
	}
	return nil
}
