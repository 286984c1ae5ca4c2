package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// column is one column of a table: its name, type and, where the server
// has CODEC clauses, the codec that suits its data.
type column struct {
	name, typ, codec string
}

// The tables. Every version of a reading is a row; the row with the
// largest ver of a key is the reading (ReplacingMergeTree keeps it when
// parts merge, FINAL picks it before they do). Channel is the OBIS code
// packed big-endian into a UInt64, so that it sorts as the 6 bytes do.
var (
	readingColumns = []column{
		{"meter", "UInt64", ""},
		{"channel", "UInt64", ""},
		{"ts", "Int64", "DoubleDelta, LZ4"},
		{"value", "Int64", "Delta, ZSTD(1)"},
		{"quality", "UInt16", ""},
		{"ver", "UInt64", ""},
	}
	// A conflict is keyed by the incoming reading's key and value; a
	// resolved one is a row with deleted = 1 and a larger ver.
	conflictColumns = []column{
		{"meter", "UInt64", ""},
		{"channel", "UInt64", ""},
		{"ts", "Int64", ""},
		{"value", "Int64", ""},
		{"quality", "UInt16", ""},
		{"stored_value", "Int64", ""},
		{"stored_quality", "UInt16", ""},
		{"deleted", "UInt8", ""},
		{"ver", "UInt64", ""},
	}
)

// localSuffix ends the names of the tables that hold a cluster host's
// share of the data.
const localSuffix = "_local"

// monthPartition partitions readings by UTC month. DateTime ends in 2106;
// later times fall into partitions of earlier months, which changes where
// rows are kept, not what queries answer (every version of a reading has
// the same ts, so the same partition).
const monthPartition = "toYYYYMM(toDateTime(intDiv(ts, 1000), 'UTC'))"

// supportsCodecs reports whether a server of version (as SELECT version()
// gives it) takes the CODEC clauses above: column codecs arrived in 19.x
// and DoubleDelta later in 19.x; 20.1 and later have all of them.
func supportsCodecs(version string) bool {
	major, _, _ := strings.Cut(version, ".")
	n, err := strconv.Atoi(major)
	return err == nil && n >= 20
}

// createTables creates the database and the tables on one server if they
// do not exist, and checks the columns of those that do. With a cluster,
// the data lives in *_local tables and the Distributed tables of the
// plain names spread it over the cluster's shards by a hash of the meter.
func createTables(ctx context.Context, conn driver.Conn, database string, codecs bool, cluster string) error {
	db := quote(database)
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+db); err != nil {
		return fmt.Errorf("clickhouse: create database %s: %w", database, err)
	}
	suffix := ""
	if cluster != "" {
		suffix = localSuffix
	}
	tables := []struct {
		name, engine string
		cols         []column
	}{
		{"readings" + suffix, "ReplacingMergeTree(ver) PARTITION BY " + monthPartition + " ORDER BY (meter, channel, ts)", readingColumns},
		{"conflicts" + suffix, "ReplacingMergeTree(ver) ORDER BY (meter, channel, ts, value)", conflictColumns},
	}
	for _, t := range tables {
		if err := conn.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+db+"."+t.name+" ("+columnsDDL(t.cols, codecs)+") ENGINE = "+t.engine); err != nil {
			return fmt.Errorf("clickhouse: create table %s.%s: %w", database, t.name, err)
		}
		if err := checkColumns(ctx, conn, database, t.name, t.cols); err != nil {
			return err
		}
		if cluster == "" {
			continue
		}
		dist := strings.TrimSuffix(t.name, suffix)
		ddl := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s.%s AS %s.%s ENGINE = Distributed(%s, %s, %s, intHash64(meter))",
			db, dist, db, t.name, quote(cluster), db, t.name)
		if err := conn.Exec(ctx, ddl); err != nil {
			return fmt.Errorf("clickhouse: create table %s.%s: %w", database, dist, err)
		}
		if err := checkColumns(ctx, conn, database, dist, t.cols); err != nil {
			return err
		}
	}
	return nil
}

func columnsDDL(cols []column, codecs bool) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.name + " " + c.typ
		if codecs && c.codec != "" {
			parts[i] += " CODEC(" + c.codec + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// checkColumns refuses a table made by another program or version: its
// columns must be cols (in any order: every statement names its columns).
func checkColumns(ctx context.Context, conn driver.Conn, database, table string, cols []column) error {
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ?", database, table)
	if err != nil {
		return fmt.Errorf("clickhouse: columns of %s.%s: %w", database, table, err)
	}
	defer rows.Close()
	var have, want []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return fmt.Errorf("clickhouse: columns of %s.%s: %w", database, table, err)
		}
		have = append(have, name+" "+typ)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: columns of %s.%s: %w", database, table, err)
	}
	for _, c := range cols {
		want = append(want, c.name+" "+c.typ)
	}
	slices.Sort(have)
	slices.Sort(want)
	if strings.Join(have, ", ") != strings.Join(want, ", ") {
		return fmt.Errorf("clickhouse: table %s.%s has columns (%s), want (%s): not a table of this store", database, table,
			strings.Join(have, ", "), strings.Join(want, ", "))
	}
	return nil
}
