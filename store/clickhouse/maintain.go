package clickhouse

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Optimize merges the parts of each partition of the tables into one on
// every host (OPTIMIZE … FINAL), which drops replaced versions of readings
// and conflicts. Queries answer the same before and after; Optimize is
// housekeeping, and a heavy one on large tables. ClickHouse skips an
// OPTIMIZE whose parts a background merge holds, so Optimize repeats it
// until every partition has one part or ctx ends.
func (d *DB) Optimize(ctx context.Context) error {
	if err := d.checkOpen(); err != nil {
		return err
	}
	return d.onEveryHost(ctx, func(conn driver.Conn) error {
		for _, name := range []string{"readings" + d.local, "conflicts" + d.local} {
			if err := optimize(ctx, conn, d.t.database, name); err != nil {
				return fmt.Errorf("clickhouse: optimize %s.%s: %w", d.t.database, name, err)
			}
		}
		return nil
	})
}

// optimizeRetry is the pause before Optimize tries a partition again.
const optimizeRetry = 50 * time.Millisecond

func optimize(ctx context.Context, conn driver.Conn, database, table string) error {
	for {
		if err := conn.Exec(ctx, "OPTIMIZE TABLE "+quote(database)+"."+table+" FINAL"); err != nil {
			return err
		}
		var split uint64
		err := conn.QueryRow(ctx, "SELECT count() FROM (SELECT partition FROM system.parts WHERE active AND database = ? AND table = ?"+
			" GROUP BY partition HAVING count() > 1)", database, table).Scan(&split)
		if err != nil || split == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(optimizeRetry):
		}
	}
}

// Usage is what the readings table holds on disk, over every host.
type Usage struct {
	Rows            int64 // rows of active parts (versions of readings)
	Parts           int64 // active parts
	Bytes           int64 // compressed column data
	BytesOnDisk     int64 // data, marks and indexes
	UncompressedRaw int64 // column data before compression
}

// Usage sums system.parts over the active parts of the readings table on
// every host.
func (d *DB) Usage(ctx context.Context) (Usage, error) {
	var u Usage
	if err := d.checkOpen(); err != nil {
		return u, err
	}
	err := d.onEveryHost(ctx, func(conn driver.Conn) error {
		var rows, parts, bytes, disk, raw uint64
		err := conn.QueryRow(ctx, "SELECT sum(rows), count(), sum(data_compressed_bytes), sum(bytes_on_disk), sum(data_uncompressed_bytes)"+
			" FROM system.parts WHERE active AND database = ? AND table = ?", d.t.database, "readings"+d.local).
			Scan(&rows, &parts, &bytes, &disk, &raw)
		u.Rows += int64(rows)
		u.Parts += int64(parts)
		u.Bytes += int64(bytes)
		u.BytesOnDisk += int64(disk)
		u.UncompressedRaw += int64(raw)
		return err
	})
	if err != nil {
		return u, fmt.Errorf("clickhouse: usage: %w", err)
	}
	return u, nil
}

// onEveryHost runs fn on a connection to each host holding the tables.
func (d *DB) onEveryHost(ctx context.Context, fn func(driver.Conn) error) error {
	if d.t.cluster == "" {
		return fn(d.conn)
	}
	for _, h := range d.hosts {
		if err := d.onHost(ctx, h, fn); err != nil {
			return err
		}
	}
	return nil
}

// dropDatabase drops the store's database on every host, for tests and
// benchmarks that made it.
func (d *DB) dropDatabase(ctx context.Context) error {
	return d.onEveryHost(ctx, func(conn driver.Conn) error {
		return conn.Exec(ctx, "DROP DATABASE IF EXISTS "+quote(d.t.database))
	})
}
