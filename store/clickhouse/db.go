package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/amigo-ami/amigo/store"
)

// DB is a readings store on ClickHouse. It is safe for concurrent use.
type DB struct {
	conn    driver.Conn // the entry server; queries and inserts go through it
	t       target
	hosts   []string // every host:port of the cluster; the entry server alone if none
	log     *slog.Logger
	version string
	codecs  bool

	// Qualified names of the tables queries and inserts use (Distributed
	// tables on a cluster); local is the suffix of the tables that hold
	// the data on each host.
	readings, conflicts string
	local               string

	// stripes serialise the read-merge-write of Appends (and conflict
	// resolutions) by meter, so that two Appends of one meter in this
	// process cannot both read the same stored state.
	stripes [nStripes]sync.Mutex
	closed  atomic.Bool

	refolds atomic.Int64 // meters whose buckets Aggregate folded from readings
}

var _ store.Store = (*DB)(nil)

// Open connects to the server cfg.URL names, creates the database and the
// tables (on every host of the cluster, if the URL names one) and checks
// that existing tables have the expected columns.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	t, err := parseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	conn, err := connect(ctx, t.opts, "")
	if err != nil {
		return nil, err
	}
	d := &DB{conn: conn, t: t, log: cfg.Logger}
	if err := d.init(ctx, cfg); err != nil {
		return nil, errors.Join(err, conn.Close())
	}
	d.log.Info("clickhouse store open", "version", d.version, "database", t.database, "cluster", t.cluster, "hosts", len(d.hosts), "codecs", d.codecs)
	return d, nil
}

// connect opens a connection to opts' servers, or to addr alone if set,
// and checks that it answers.
func connect(ctx context.Context, opts *ch.Options, addr string) (driver.Conn, error) {
	o := *opts
	if addr != "" {
		o.Addr = []string{addr}
	}
	conn, err := ch.Open(&o)
	if err == nil {
		err = conn.Ping(ctx)
		if err != nil {
			err = errors.Join(err, conn.Close())
		}
	}
	if err != nil {
		return nil, fmt.Errorf("clickhouse %s: %w", strings.Join(o.Addr, ","), err)
	}
	return conn, nil
}

func (d *DB) init(ctx context.Context, cfg Config) error {
	if err := d.conn.QueryRow(ctx, "SELECT version()").Scan(&d.version); err != nil {
		return fmt.Errorf("clickhouse: server version: %w", err)
	}
	d.codecs = supportsCodecs(d.version)
	if cfg.Codecs != nil {
		d.codecs = *cfg.Codecs
	}
	d.readings, d.conflicts = d.table("readings"), d.table("conflicts")
	if d.t.cluster == "" {
		d.hosts = d.t.opts.Addr[:1]
		return d.onHost(ctx, "", func(conn driver.Conn) error { return createTables(ctx, conn, d.t.database, d.codecs, "") })
	}
	d.local = localSuffix
	hosts, err := d.clusterHosts(ctx)
	if err != nil {
		return err
	}
	d.hosts = hosts
	for _, h := range hosts {
		if err := d.onHost(ctx, h, func(conn driver.Conn) error {
			return createTables(ctx, conn, d.t.database, d.codecs, d.t.cluster)
		}); err != nil {
			return err
		}
	}
	return nil
}

// clusterHosts lists every host:port of the URL's cluster, as the entry
// server's remote_servers configuration names them.
func (d *DB) clusterHosts(ctx context.Context) ([]string, error) {
	rows, err := d.conn.Query(ctx, "SELECT host_address, port FROM system.clusters WHERE cluster = ? ORDER BY shard_num, replica_num", d.t.cluster)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: cluster %s: %w", d.t.cluster, err)
	}
	defer rows.Close()
	var hosts []string
	for rows.Next() {
		var host string
		var port uint16
		if err := rows.Scan(&host, &port); err != nil {
			return nil, fmt.Errorf("clickhouse: cluster %s: %w", d.t.cluster, err)
		}
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		hosts = append(hosts, host+":"+strconv.Itoa(int(port)))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: cluster %s: %w", d.t.cluster, err)
	}
	if len(hosts) == 0 {
		return nil, fmt.Errorf("clickhouse: cluster %s is not in the server's remote_servers (system.clusters)", d.t.cluster)
	}
	return hosts, nil
}

// onHost runs fn on a connection of its own to host ("": the URL's
// servers).
func (d *DB) onHost(ctx context.Context, host string, fn func(driver.Conn) error) error {
	conn, err := connect(ctx, d.t.opts, host)
	if err != nil {
		return err
	}
	err = fn(conn)
	if err != nil && host != "" {
		err = fmt.Errorf("host %s: %w", host, err)
	}
	return errors.Join(err, conn.Close())
}

// Version returns the server's version, as SELECT version() gives it.
func (d *DB) Version() string { return d.version }

// Close closes the connection. Appends that returned are on the servers
// already: there is nothing to flush.
func (d *DB) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	return d.conn.Close()
}

func (d *DB) checkOpen() error {
	if d.closed.Load() {
		return store.ErrClosed
	}
	return nil
}

// nStripes is the number of locks Appends of different meters spread
// over.
const nStripes = 256

// stripe spreads meter ids (often consecutive) over the stripes.
func stripe(m store.MeterID) int { return int(uint64(m) * 0x9e3779b97f4a7c15 >> 56) }

// table returns the qualified name of a table of the store's database.
func (d *DB) table(name string) string { return quote(d.t.database) + "." + name }

// quote makes a checked identifier (see parseURL) safe in SQL.
func quote(id string) string { return "`" + id + "`" }
