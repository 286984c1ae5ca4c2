package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/storetest"
)

// BenchConfig sizes the ClickHouse benchmarks, which run on the fleet of
// store/pebble's (storetest.Fleet: AMPds household registers A+, A−, R+,
// R−) so that the figures compare.
type BenchConfig struct {
	// URL is the server (Config.URL); each benchmark makes a database of
	// its own on it and drops it at the end.
	URL   string
	House *storetest.Household
	// Meters is the fleet whose Days are stored before month totals are
	// timed; 1000 if zero.
	Meters int
	// BatchMeters is the fleet of IngestBenchmark, whose Appends each
	// hold one interval of it (BatchMeters × 4 readings); 10000 if zero.
	BatchMeters int
	Days        int           // 35 if zero (at least 32)
	Interval    time.Duration // 15 min if zero
	Progress    io.Writer     // progress of the load before month totals; nil: none
}

func (c *BenchConfig) defaults() {
	if c.Meters == 0 {
		c.Meters = 1000
	}
	if c.BatchMeters == 0 {
		c.BatchMeters = 10000
	}
	if c.Days == 0 {
		c.Days = 35
	}
	c.Days = max(c.Days, 32)
	if c.Interval == 0 {
		c.Interval = 15 * time.Minute
	}
}

// Readings returns the number of readings the month-total benchmark stores.
func (c BenchConfig) Readings() int64 {
	c.defaults()
	return int64(c.Meters) * int64(len(storetest.FleetChannels)) * int64(c.Days) * int64(24*time.Hour/c.Interval)
}

var benchDatabases atomic.Int64

// openDatabase opens a store on a new database of the server; the caller
// drops it.
func (c BenchConfig) openDatabase(ctx context.Context, name string) (*DB, error) {
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("bench URL: %w", redact(err))
	}
	u.Path = fmt.Sprintf("/amigo_bench_%s_%d_%d", name, os.Getpid(), benchDatabases.Add(1))
	return Open(ctx, Config{URL: u.String()})
}

// open opens a store on a new database of the server, dropped when b ends.
func (c BenchConfig) open(b *testing.B, name string) *DB {
	ctx := context.Background()
	d, err := c.openDatabase(ctx, name)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := errors.Join(d.dropDatabase(ctx), d.Close()); err != nil {
			b.Errorf("dropping the benchmark's database: %v", err)
		}
	})
	return d
}

// benchStart is where fleets start: 2024-01-01 00:00 UTC.
const benchStart = 1704067200000

func (c BenchConfig) fleet(b *testing.B, meters int) *storetest.Fleet {
	f, err := storetest.NewFleet(c.House, meters, c.Interval, benchStart, 1)
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// IngestBenchmark measures batched ingest: each iteration appends one
// interval of a BatchMeters fleet (BatchMeters × 4 new readings) in one
// Append, read of the stored keys and insert included. It reports
// readings/s.
func IngestBenchmark(cfg BenchConfig) func(b *testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		d := cfg.open(b, "ingest")
		f := cfg.fleet(b, cfg.BatchMeters)
		ctx := context.Background()
		var batch []store.Reading
		readings := 0
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			batch = f.AppendInterval(batch[:0])
			b.StartTimer()
			if _, err := d.Append(ctx, batch); err != nil {
				b.Fatal(err)
			}
			readings += len(batch)
		}
		b.ReportMetric(float64(readings)/b.Elapsed().Seconds(), "readings/s")
	}
}

// MonthTotalBenchmark stores Days of a Meters fleet, one Append per
// interval (reporting that rate, and the bytes per reading of the
// readings table in system.parts after OPTIMIZE … FINAL), then times the
// total of A+ over the whole fleet for January: one Aggregate with
// StepMonth over Meters meters. It reports load-readings/s, B/reading,
// B/4ch-reading, disk-B/reading, parts (active parts of the readings
// table, one per partition and shard after the OPTIMIZE) and
// month-total-s (seconds per total, warm).
func MonthTotalBenchmark(cfg BenchConfig) func(b *testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		d := cfg.open(b, "month")
		ctx := context.Background()
		rate, err := cfg.load(ctx, d, cfg.fleet(b, cfg.Meters))
		if err == nil {
			err = d.Optimize(ctx)
		}
		var u Usage
		if err == nil {
			u, err = d.Usage(ctx)
		}
		if err != nil {
			b.Fatal(err)
		}
		if u.Rows != cfg.Readings() {
			b.Fatalf("%d rows after loading %d readings", u.Rows, cfg.Readings())
		}
		meters := make([]store.MeterID, cfg.Meters)
		for i := range meters {
			meters[i] = store.MeterID(i + 1)
		}
		q := store.AggregateQuery{Meters: meters, Channel: store.ActiveImport, Step: store.StepMonth,
			Range: store.RangeOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))}
		want := int64(cfg.Meters) * 31 * int64(24*time.Hour/cfg.Interval)
		if _, err := d.Aggregate(ctx, q); err != nil { // warm the caches
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			got, err := d.Aggregate(ctx, q)
			if err == nil && (len(got) != 1 || got[0].Count != want) {
				err = fmt.Errorf("month total %+v: want one bucket of %d readings", got, want)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		perReading := float64(u.Bytes) / float64(u.Rows)
		b.ReportMetric(rate, "readings/s")
		b.ReportMetric(float64(u.Rows), "readings")
		b.ReportMetric(perReading, "B/reading")
		b.ReportMetric(perReading*float64(len(storetest.FleetChannels)), "B/4ch-reading")
		b.ReportMetric(float64(u.BytesOnDisk)/float64(u.Rows), "disk-B/reading")
		b.ReportMetric(float64(u.Parts), "parts")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "month-total-s")
	}
}

// load appends Days of the fleet interval by interval and returns the
// rate of the Appends alone (generating readings is not timed).
func (c BenchConfig) load(ctx context.Context, d *DB, f *storetest.Fleet) (float64, error) {
	intervals := c.Days * int(24*time.Hour/c.Interval)
	bar := bench.Progress(c.Progress, "storing readings in ClickHouse", "readings")
	var batch []store.Reading
	var spent time.Duration
	readings := 0
	for range intervals {
		batch = f.AppendInterval(batch[:0])
		start := time.Now()
		if _, err := d.Append(ctx, batch); err != nil {
			return 0, err
		}
		spent += time.Since(start)
		readings += len(batch)
		if bar != nil {
			bar.Add(len(batch))
		}
	}
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(c.Progress)
	}
	return float64(readings) / spent.Seconds(), nil
}

// Scenario is `amigo bench clickhouse`: batched ingest (IngestBenchmark)
// and month totals over cfg.Readings() stored readings
// (MonthTotalBenchmark). Metrics: readings/s (batched), load-readings/s,
// readings, B/reading, B/4ch-reading, disk-B/reading, parts and
// month-total-s.
// It first checks that it can make a database on the server, since a
// benchmark that fails reports no reason to testing.Benchmark's caller.
func Scenario(ctx context.Context, cfg BenchConfig) (map[string]float64, error) {
	cfg.defaults()
	d, err := cfg.openDatabase(ctx, "check")
	if err != nil {
		return nil, err
	}
	if err := errors.Join(d.dropDatabase(ctx), d.Close()); err != nil {
		return nil, err
	}
	quiet := cfg
	quiet.Progress = nil
	out := map[string]float64{}
	runs := []struct {
		name  string
		f     func(*testing.B)
		units map[string]string // reported unit → scenario unit
	}{
		{"ingest", IngestBenchmark(quiet), map[string]string{"readings/s": "readings/s"}},
		{"month-total", MonthTotalBenchmark(cfg), map[string]string{"readings/s": "load-readings/s", "readings": "readings",
			"B/reading": "B/reading", "B/4ch-reading": "B/4ch-reading", "disk-B/reading": "disk-B/reading", "parts": "parts", "month-total-s": "month-total-s"}},
	}
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := testing.Benchmark(r.f)
		if res.N == 0 {
			return nil, fmt.Errorf("%s: benchmark failed (go test -tags clickhouse -bench . ./store/clickhouse shows why)", r.name)
		}
		for from, to := range r.units {
			out[to] = res.Extra[from]
		}
	}
	return out, nil
}
