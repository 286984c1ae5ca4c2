//go:build clickhouse

package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/pebble"
	"github.com/amigo-ami/amigo/store/storetest"
)

// These tests need a real server: .ci/suites/clickhouse starts two as the
// shards of a cluster and sets AMIGO_CLICKHOUSE_URL. Each store opened
// here gets a database of its own, dropped at the end of its test.

const urlEnv = "AMIGO_CLICKHOUSE_URL"

// serverURL returns the server's URL, skipping the test without one
// (failing it under CI, where .ci/suites/clickhouse provides one).
func serverURL(t testing.TB) string {
	t.Helper()
	return testenv.NeedServer(t, "ClickHouse servers", urlEnv, "clickhouse")
}

var databases atomic.Int64

// testURL returns the server's URL with database name, without its
// cluster if single (one server, no Distributed tables).
func testURL(t testing.TB, name string, single bool) string {
	t.Helper()
	u, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	if single {
		q := u.Query()
		q.Del("cluster")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openTest opens a store on a new database, dropped when the test ends.
func openTest(t testing.TB, single bool) *DB {
	t.Helper()
	name := fmt.Sprintf("amigo_test_%d_%d", os.Getpid(), databases.Add(1))
	cfg := Config{URL: testURL(t, name, single)}
	d, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// A store of its own: the test may have closed d.
		drop, err := Open(context.Background(), cfg)
		if err == nil {
			err = errors.Join(drop.dropDatabase(context.Background()), drop.Close())
		}
		if err != nil {
			t.Errorf("dropping database %s: %v", name, err)
		}
	})
	return d
}

func engine(single bool) storetest.Engine {
	return storetest.Engine{
		Open: func(t *testing.T) store.Store { return openTest(t, single) },
		Reopen: func(t *testing.T, s store.Store) store.Store {
			d := s.(*DB)
			cfg := Config{URL: testURL(t, d.t.database, single)}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			d, err := Open(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		Maintain: func(t *testing.T, s store.Store) {
			if err := s.(*DB).Optimize(context.Background()); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// pebbleEngine is store/pebble as the conformance suite of store/pebble
// runs it, without syncs: the peer this store must answer like.
func pebbleEngine() storetest.Engine {
	dirs := map[store.Store]string{}
	open := func(t *testing.T, dir string) store.Store {
		d, err := pebble.Open(context.Background(), dir, pebble.Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		dirs[d] = dir
		return d
	}
	return storetest.Engine{
		Open: func(t *testing.T) store.Store { return open(t, t.TempDir()) },
		Reopen: func(t *testing.T, s store.Store) store.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			return open(t, dirs[s])
		},
		Maintain: func(t *testing.T, s store.Store) {
			if err := s.(*pebble.DB).Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// TestConformance runs the conformance suite on the cluster; its
// metamorphic histories run on this store, store/pebble and the Model at
// once. On one server without a cluster the store runs the same queries
// on plain tables: the hand-computed cases cover that.
func TestConformance(t *testing.T) {
	t.Run("cluster", func(t *testing.T) {
		storetest.Run(t, engine(false), storetest.NamedEngine{Name: "pebble", Engine: pebbleEngine()})
	})
	t.Run("single", func(t *testing.T) { storetest.Cases(t, engine(true)) })
}

// TestSharding checks that a cluster store finds every shard, creates its
// tables on each, and that the Distributed tables keep each meter's
// readings and conflicts on one shard and spread meters over all of them.
func TestSharding(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, false)
	if want := os.Getenv("AMIGO_CLICKHOUSE_SHARDS"); want != "" && strings.Join(d.hosts, ",") != want {
		t.Errorf("hosts %v, want %s (AMIGO_CLICKHOUSE_SHARDS)", d.hosts, want)
	}
	if len(d.hosts) < 2 {
		t.Skipf("cluster of %d hosts: nothing to spread over", len(d.hosts))
	}
	const meters = 200
	var batch []store.Reading
	for m := range store.MeterID(meters) {
		batch = append(batch, store.Reading{Meter: m + 1, Channel: store.ActiveImport, Time: 1000, Value: 1},
			store.Reading{Meter: m + 1, Channel: store.ActiveExport, Time: 1000, Value: 2})
	}
	if _, err := d.Append(ctx, batch); err != nil {
		t.Fatal(err)
	}
	for i := range batch { // every reading conflicts
		batch[i].Value += 10
	}
	if res, err := d.Append(ctx, batch); err != nil || res.Conflicted != len(batch) {
		t.Fatalf("conflicting append: %+v, %v", res, err)
	}
	for _, table := range []string{"readings", "conflicts"} {
		shardOf := map[uint64]string{}
		for _, h := range d.hosts {
			err := d.onHost(ctx, h, func(conn driver.Conn) error {
				rows, err := conn.Query(ctx, "SELECT meter, count() FROM "+d.table(table+localSuffix)+" GROUP BY meter")
				if err != nil {
					return err
				}
				defer rows.Close()
				n := 0
				for rows.Next() {
					var meter, count uint64
					if err := rows.Scan(&meter, &count); err != nil {
						return err
					}
					if other, ok := shardOf[meter]; ok {
						t.Errorf("%s of meter %d on %s and %s", table, meter, other, h)
					}
					shardOf[meter] = h
					if count != 2 {
						t.Errorf("%s: meter %d has %d rows on %s, want 2", table, meter, count, h)
					}
					n++
				}
				if n == 0 {
					t.Errorf("%s: no meter on %s", table, h)
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(shardOf) != meters {
			t.Errorf("%s: %d meters over the shards, want %d", table, len(shardOf), meters)
		}
	}
}

// TestMonthKey checks the month numbers the server computes for groups
// against the calendar, on every fifth day from 1970 to the end of 9999.
func TestMonthKey(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, false)
	const dayMs = 86400000
	q := groupKeySQL(store.StepMonth, zonePiece{starts: []int64{0}, offsets: []int64{0}}) +
		" SELECT ts, zk FROM (SELECT toInt64(number) * " + itoa(5*dayMs) + " AS ts FROM system.numbers LIMIT " +
		itoa(store.MaxTime/(5*dayMs)+1) + " UNION ALL SELECT toInt64(" + itoa(store.MaxTime) + ") AS ts)"
	rows, err := d.conn.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var ts, key int64
		if err := rows.Scan(&ts, &key); err != nil {
			t.Fatal(err)
		}
		y, m, _ := time.UnixMilli(ts).UTC().Date()
		if want := int64(y)*12 + int64(m) - 3; key != want {
			t.Fatalf("month key of %s: %d, want %d", time.UnixMilli(ts).UTC(), key, want)
		}
		n++
	}
	if err := rows.Err(); err != nil || n < 580000 {
		t.Fatalf("%d days checked (%v)", n, err)
	}
}

// TestAppendManyKeys appends a batch with more distinct keys than one
// read-before-write query sends, twice: the second time every key is
// found stored.
func TestAppendManyKeys(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, false)
	n := keysPerQuery + keysPerQuery/4
	batch := make([]store.Reading, n)
	for i := range batch {
		batch[i] = store.Reading{Meter: store.MeterID(1 + i%500), Channel: store.ActiveImport, Time: int64(i/500) * 900_000, Value: int64(i)}
	}
	if res, err := d.Append(ctx, batch); err != nil || res != (store.AppendResult{Added: n}) {
		t.Fatalf("first append: %+v, %v", res, err)
	}
	if res, err := d.Append(ctx, batch); err != nil || res != (store.AppendResult{Unchanged: n}) {
		t.Fatalf("second append: %+v, %v", res, err)
	}
	if u, err := d.Usage(ctx); err != nil || u.Rows != int64(n) {
		t.Errorf("%d rows stored (%v), want %d", u.Rows, err, n)
	}
}

// TestConcurrentAppends: Appends of one meter from many goroutines take
// turns, so that each key is added once and every other actual value is
// a conflict with it, as if the Appends had come one after another.
func TestConcurrentAppends(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, false)
	const writers, keys = 8, 20
	results := make([]store.AppendResult, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			batch := make([]store.Reading, keys)
			for k := range batch {
				batch[k] = store.Reading{Meter: 7, Channel: store.ActiveImport, Time: int64(k) * 900_000, Value: int64(100*w + k)}
			}
			results[w], errs[w] = d.Append(ctx, batch)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	var total store.AppendResult
	for _, r := range results {
		total.Added += r.Added
		total.Conflicted += r.Conflicted
		total.Unchanged += r.Unchanged
		total.Replaced += r.Replaced
	}
	if want := (store.AppendResult{Added: keys, Conflicted: (writers - 1) * keys}); total != want {
		t.Errorf("outcomes %+v, want %+v", total, want)
	}
	cs, err := d.Conflicts(ctx, store.ConflictQuery{Meter: 7})
	if err != nil || len(cs) != (writers-1)*keys {
		t.Fatalf("%d conflicts (%v), want %d", len(cs), err, (writers-1)*keys)
	}
	stored, err := d.Scan(ctx, store.ScanQuery{Meter: 7, Channel: store.ActiveImport, Range: store.Range{From: 0, To: keys * 900_000}}, nil)
	if err != nil || len(stored) != keys {
		t.Fatalf("%d readings stored (%v), want %d", len(stored), err, keys)
	}
	for _, c := range cs {
		if s := stored[c.Incoming.Time/900_000]; c.Stored != s || c.Incoming.Value == s.Value {
			t.Errorf("conflict %v against %v, but %v is stored", c.Incoming, c.Stored, s)
		}
	}
}
