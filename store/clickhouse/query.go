package clickhouse

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	ch "github.com/ClickHouse/clickhouse-go/v2"

	"github.com/amigo-ami/amigo/store"
)

// Scan implements store.Store.
func (d *DB) Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error) {
	err := d.scan(ctx, q, func(x store.Sample) {
		dst = append(dst, store.Reading{Meter: q.Meter, Channel: q.Channel, Time: x.Time, Value: x.Value, Quality: x.Quality})
	})
	return dst, err
}

// ScanSamples implements store.Store.
func (d *DB) ScanSamples(ctx context.Context, q store.ScanQuery, dst []store.Sample) ([]store.Sample, error) {
	err := d.scan(ctx, q, func(x store.Sample) { dst = append(dst, x) })
	return dst, err
}

// scan calls fn with each reading of q in time order. FINAL gives the
// latest version of each reading whether or not its parts have merged.
func (d *DB) scan(ctx context.Context, q store.ScanQuery, fn func(store.Sample)) error {
	if err := q.Validate(); err != nil {
		return err
	}
	if err := d.checkOpen(); err != nil {
		return err
	}
	rows, err := d.conn.Query(ctx, "SELECT ts, value, quality FROM "+d.readings+
		" FINAL WHERE meter = ? AND channel = ? AND ts >= ? AND ts < ? ORDER BY ts",
		uint64(q.Meter), packChannel(q.Channel), q.Range.From, q.Range.To)
	if err != nil {
		return fmt.Errorf("clickhouse: scan meter %d %s: %w", q.Meter, q.Channel, err)
	}
	defer rows.Close()
	for rows.Next() {
		var x store.Sample
		var quality uint16
		if err := rows.Scan(&x.Time, &x.Value, &quality); err != nil {
			return fmt.Errorf("clickhouse: scan meter %d %s: %w", q.Meter, q.Channel, err)
		}
		x.Quality = store.Quality(quality)
		fn(x)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: scan meter %d %s: %w", q.Meter, q.Channel, err)
	}
	return nil
}

// Limits on the zone offsets one aggregate query spells out (see
// groupKeySQL): beyond maxPieces pieces of the query's range the range is
// first narrowed to the readings' extent.
const (
	changesPerPiece = 32
	maxPieces       = 4
)

// group summarises the readings of one meter that the server grouped
// together: their first and last time, the bucket they make and the
// largest ver among their rows.
type group struct {
	first, last int64
	b           store.Bucket
	ver         uint64
}

// Aggregate implements store.Store. The servers group each meter's
// readings by wall-clock step (groupKeySQL) and summarise each group;
// store.Bucketer then places the groups in buckets here, so that buckets
// are exactly the Bucketer's, and a group that would straddle a bucket
// boundary (never for whole-hour zone offsets) makes that meter's buckets
// come from its readings instead. The groups are read without FINAL,
// which is several times faster; a meter with a group holding a row of
// ver > 1 (a replaced reading, whose old version may not have merged
// away) is read again with FINAL.
func (d *DB) Aggregate(ctx context.Context, q store.AggregateQuery) ([]store.Bucket, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if err := d.checkOpen(); err != nil {
		return nil, err
	}
	meters := slices.Clone(q.Meters)
	slices.Sort(meters)
	meters = slices.Compact(meters)
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	pieces, ok := zonePieces(loc, q.Range, changesPerPiece, maxPieces)
	if !ok {
		r, found, err := d.extent(ctx, meters, q)
		if err != nil || !found {
			return nil, err
		}
		pieces, _ = zonePieces(loc, r, changesPerPiece, math.MaxInt)
	}
	groups, err := d.groups(ctx, meters, q, pieces, false)
	if err != nil {
		return nil, err
	}
	var replaced []store.MeterID
	for m, gs := range groups {
		if slices.ContainsFunc(gs, func(g group) bool { return g.ver > 1 }) {
			replaced = append(replaced, m)
		}
	}
	if len(replaced) > 0 {
		slices.Sort(replaced)
		final, err := d.groups(ctx, replaced, q, pieces, true)
		if err != nil {
			return nil, err
		}
		for _, m := range replaced {
			groups[m] = final[m]
		}
	}
	var out []store.Bucket
	for _, m := range meters {
		gs := groups[m]
		if len(gs) == 0 {
			continue
		}
		buckets, ok := foldGroups(m, gs, q.Step, loc)
		if !ok {
			d.refolds.Add(1)
			d.log.Debug("clickhouse aggregate: groups straddle buckets; folding readings", "meter", m, "step", q.Step, "location", loc)
			if buckets, err = d.foldReadings(ctx, m, q, loc); err != nil {
				return nil, err
			}
		}
		out = append(out, buckets...)
	}
	if !q.PerMeter {
		return store.Combine(out), nil
	}
	return out, nil
}

// missingFilter skips Missing placeholders. It is safe before FINAL too:
// a Missing reading replaces only a Missing one (store.Merge), so when
// the latest version of a key is Missing every version is.
var missingFilter = fmt.Sprintf("bitAnd(quality, %d) = 0", store.Missing)

// groups reads the groups of meters' readings, by meter, in the pieces of
// the range.
func (d *DB) groups(ctx context.Context, meters []store.MeterID, q store.AggregateQuery, pieces []zonePiece, final bool) (map[store.MeterID][]group, error) {
	from := d.readings
	if final {
		from += " FINAL"
	}
	out := make(map[store.MeterID][]group)
	for _, p := range pieces {
		qctx, err := withMeters(ctx, meters)
		if err != nil {
			return nil, err
		}
		rows, err := d.conn.Query(qctx, groupKeySQL(q.Step, p)+
			" SELECT meter, min(ts), max(ts), count(), sum(value), min(value), max(value), argMin(value, ts), argMax(value, ts), max(ver)"+
			" FROM "+from+" WHERE meter IN (SELECT meter FROM meters) AND channel = ? AND ts >= ? AND ts < ? AND "+missingFilter+
			" GROUP BY meter, zs, zk", packChannel(q.Channel), p.from, p.to)
		if err != nil {
			return nil, fmt.Errorf("clickhouse: aggregate %s: %w", q.Channel, err)
		}
		for rows.Next() {
			var meter, count uint64
			var g group
			if err := rows.Scan(&meter, &g.first, &g.last, &count, &g.b.Sum, &g.b.Min, &g.b.Max, &g.b.First, &g.b.Last, &g.ver); err != nil {
				rows.Close()
				return nil, fmt.Errorf("clickhouse: aggregate %s: %w", q.Channel, err)
			}
			g.b.Count = int64(count)
			out[store.MeterID(meter)] = append(out[store.MeterID(meter)], g)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("clickhouse: aggregate %s: %w", q.Channel, err)
		}
	}
	for _, gs := range out {
		slices.SortFunc(gs, func(a, b group) int { return cmp.Compare(a.first, b.first) })
	}
	return out, nil
}

// withMeters attaches the external table "meters" to ctx.
func withMeters(ctx context.Context, meters []store.MeterID) (context.Context, error) {
	ids := make([]uint64, len(meters))
	for i, m := range meters {
		ids[i] = uint64(m)
	}
	t, err := extTable("meters", extColumn{"meter", "UInt64", ids})
	if err != nil {
		return nil, err
	}
	return ch.Context(ctx, ch.WithExternalTable(t)), nil
}

// extent narrows q's range to the readings it selects; found is false if
// there are none.
func (d *DB) extent(ctx context.Context, meters []store.MeterID, q store.AggregateQuery) (r store.Range, found bool, err error) {
	qctx, err := withMeters(ctx, meters)
	if err != nil {
		return r, false, err
	}
	var n uint64
	err = d.conn.QueryRow(qctx, "SELECT count(), min(ts), max(ts) + 1 FROM "+d.readings+
		" WHERE meter IN (SELECT meter FROM meters) AND channel = ? AND ts >= ? AND ts < ? AND "+missingFilter,
		packChannel(q.Channel), q.Range.From, q.Range.To).Scan(&n, &r.From, &r.To)
	if err != nil {
		return r, false, fmt.Errorf("clickhouse: aggregate %s: extent: %w", q.Channel, err)
	}
	return r, n > 0, nil
}

// foldGroups places one meter's groups, ordered by first time, in the
// Bucketer's buckets. It reports false if the groups overlap in time or
// one straddles a bucket boundary.
func foldGroups(m store.MeterID, gs []group, step store.Step, loc *time.Location) ([]store.Bucket, bool) {
	bk := store.NewBucketer(step, loc)
	var out []store.Bucket
	for i, g := range gs {
		if i > 0 && g.first <= gs[i-1].last {
			return nil, false
		}
		start, end := bk.Bounds(g.first)
		if g.last >= end {
			return nil, false
		}
		if len(out) == 0 || out[len(out)-1].Start != start {
			out = append(out, store.Bucket{Meter: m, Start: start})
		}
		out[len(out)-1].Fold(g.b)
	}
	return out, true
}

// foldReadings computes one meter's buckets from its readings.
func (d *DB) foldReadings(ctx context.Context, m store.MeterID, q store.AggregateQuery, loc *time.Location) ([]store.Bucket, error) {
	rs, err := d.Scan(ctx, store.ScanQuery{Meter: m, Channel: q.Channel, Range: q.Range}, nil)
	if err != nil {
		return nil, err
	}
	bk := store.NewBucketer(q.Step, loc)
	var out []store.Bucket
	for _, r := range rs {
		if r.Quality&store.Missing != 0 {
			continue
		}
		start, _ := bk.Bounds(r.Time)
		if len(out) == 0 || out[len(out)-1].Start != start {
			out = append(out, store.Bucket{Meter: m, Start: start})
		}
		out[len(out)-1].Add(r.Value)
	}
	return out, nil
}
