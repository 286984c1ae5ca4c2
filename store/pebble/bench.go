package pebble

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/storetest"
)

// BenchConfig sizes the store benchmarks. The fleet is storetest.Fleet:
// AMPds household registers (A+, A−, R+, R−) for Meters meters.
type BenchConfig struct {
	House  *storetest.Household
	Meters int // 1000 if zero
	// BatchMeters is the fleet of IngestBenchmark, whose Appends each hold
	// one interval of it (BatchMeters × 4 readings); 10000 if zero.
	BatchMeters int
	// Appenders splits IngestBenchmark's fleet into that many ranges of
	// meters appended concurrently, as ingest workers consuming a bus
	// partitioned by meter do; 1 if zero.
	Appenders int
	Days      int           // days stored before month totals are timed; 35 if zero (at least 32)
	Interval  time.Duration // 15 min if zero
	Workers   int           // concurrent appenders for one-batch-per-meter-interval; 64 if zero
	Dir       string        // where databases go; a temporary directory if empty
	Progress  io.Writer     // progress of the ingest before month totals; nil: none

	errs *benchErrors // where Scenario collects failures; nil under go test
}

// benchErrors keeps the first failure of a benchmark that Scenario runs,
// since testing.Benchmark reports a failed benchmark only as an empty
// result.
type benchErrors struct {
	mu  sync.Mutex
	err error
}

// fatal stops b with err, keeping err for Scenario.
func (c BenchConfig) fatal(b *testing.B, err error) {
	if c.errs != nil {
		c.errs.mu.Lock()
		if c.errs.err == nil {
			c.errs.err = err
		}
		c.errs.mu.Unlock()
	}
	b.Fatal(err)
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
	if c.Workers == 0 {
		c.Workers = 64
	}
	if c.Appenders == 0 {
		c.Appenders = 1
	}
}

// Readings returns the number of readings the month-total benchmark stores.
func (c BenchConfig) Readings() int64 {
	c.defaults()
	return int64(c.Meters) * int64(len(storetest.FleetChannels)) * int64(c.Days) * int64(24*time.Hour/c.Interval)
}

// benchStart is where fleets start: 2024-01-01 00:00 UTC.
const benchStart = 1704067200000

func (c BenchConfig) openDB(b *testing.B, name string) (*DB, string) {
	parent := c.Dir
	if parent == "" {
		parent = b.TempDir()
	}
	dir, err := os.MkdirTemp(parent, name)
	if err != nil {
		c.fatal(b, err)
	}
	d, err := Open(context.Background(), dir, Options{})
	if err != nil {
		c.fatal(b, err)
	}
	b.Cleanup(func() {
		d.Close()
		os.RemoveAll(dir)
	})
	return d, dir
}

func (c BenchConfig) fleet(b *testing.B) *storetest.Fleet {
	f, err := storetest.NewFleet(c.House, c.Meters, c.Interval, benchStart, 1)
	if err != nil {
		c.fatal(b, err)
	}
	return f
}

// IngestBenchmark measures batched ingest: each iteration appends one
// interval of a BatchMeters fleet (BatchMeters × 4 readings) in durable
// Appends, one per Appenders range of meters, concurrently. It reports
// readings/s.
func IngestBenchmark(cfg BenchConfig) func(b *testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		d, _ := cfg.openDB(b, "ingest")
		fleetCfg := cfg
		fleetCfg.Meters = cfg.BatchMeters
		f := fleetCfg.fleet(b)
		ctx := context.Background()
		var batch []store.Reading
		readings := 0
		var cpu cpuMeter
		errs := make(chan error, cfg.Appenders)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			batch = f.AppendInterval(batch[:0])
			b.StartTimer()
			cpu.start()
			// Readings come meter by meter, so ranges of meters are ranges
			// of the batch.
			var wg sync.WaitGroup
			n := len(storetest.FleetChannels)
			for a := range cfg.Appenders {
				part := batch[len(batch)/n*a/cfg.Appenders*n : len(batch)/n*(a+1)/cfg.Appenders*n]
				wg.Go(func() {
					if _, err := d.Append(ctx, part); err != nil {
						errs <- err
					}
				})
			}
			wg.Wait()
			cpu.stop()
			select {
			case err := <-errs:
				cfg.fatal(b, err)
			default:
			}
			readings += len(batch)
		}
		b.ReportMetric(float64(readings)/b.Elapsed().Seconds(), "readings/s")
		cpu.report(b, readings)
	}
}

// cpuMeter adds up the process CPU time spent in timed sections.
type cpuMeter struct {
	at, spent time.Duration
}

func (c *cpuMeter) start() { c.at = bench.CPUTime() }
func (c *cpuMeter) stop()  { c.spent += bench.CPUTime() - c.at }

// report adds readings/cpu-s: readings per second of CPU the whole
// process (Pebble's compactions included) spent in the timed sections.
func (c *cpuMeter) report(b *testing.B, readings int) {
	if c.spent > 0 {
		b.ReportMetric(float64(readings)/c.spent.Seconds(), "readings/cpu-s")
	}
}

// MeterIntervalBenchmark measures ingest one batch per meter-interval:
// each iteration appends one interval of the fleet as one durable Append
// per meter (4 readings), from Workers goroutines. It reports readings/s.
func MeterIntervalBenchmark(cfg BenchConfig) func(b *testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		d, _ := cfg.openDB(b, "meter-interval")
		f := cfg.fleet(b)
		ctx := context.Background()
		var batch []store.Reading
		readings := 0
		var cpu cpuMeter
		n := len(storetest.FleetChannels)
		b.ReportAllocs()
		for b.Loop() {
			b.StopTimer()
			batch = f.AppendInterval(batch[:0])
			b.StartTimer()
			cpu.start()
			var wg sync.WaitGroup
			errs := make(chan error, cfg.Workers)
			for w := range cfg.Workers {
				wg.Go(func() {
					for m := w; m*n < len(batch); m += cfg.Workers {
						if _, err := d.Append(ctx, batch[m*n:(m+1)*n]); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			cpu.stop()
			close(errs)
			if err := <-errs; err != nil {
				cfg.fatal(b, err)
			}
			readings += len(batch)
		}
		b.ReportMetric(float64(readings)/b.Elapsed().Seconds(), "readings/s")
		cpu.report(b, readings)
	}
}

// MonthTotalBenchmark stores Days of the fleet (reporting the ingest rate
// and the bytes per reading after a full compaction), then times the total
// of A+ over the whole fleet for January: one Aggregate with StepMonth
// over Meters meters. It reports readings/s, B/reading, B/4ch-reading and
// month-total-s (seconds per total, warm).
func MonthTotalBenchmark(cfg BenchConfig) func(b *testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		d, dir := cfg.openDB(b, "month-total")
		ctx := context.Background()
		rate, perCPU, err := cfg.ingest(ctx, d, cfg.fleet(b))
		if err == nil {
			err = d.Flush(ctx)
		}
		if err == nil {
			err = d.kv.Compact(ctx, []byte{0}, []byte{0xff}, true)
		}
		if err != nil {
			cfg.fatal(b, err)
		}
		var tables int64
		for _, l := range d.kv.Metrics().Levels {
			tables += l.TablesSize
		}
		perReading := float64(tables) / float64(cfg.Readings())
		meters := make([]store.MeterID, cfg.Meters)
		for i := range meters {
			meters[i] = store.MeterID(i + 1)
		}
		q := store.AggregateQuery{Meters: meters, Channel: store.ActiveImport, Step: store.StepMonth,
			Range: store.RangeOf(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))}
		if _, err := d.Aggregate(ctx, q); err != nil { // warm the cache
			cfg.fatal(b, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			got, err := d.Aggregate(ctx, q)
			if err == nil && (len(got) != 1 || got[0].Count != int64(cfg.Meters)*31*int64(24*time.Hour/cfg.Interval)) {
				err = fmt.Errorf("month total %+v over %s: wrong count", got, filepath.Base(dir))
			}
			if err != nil {
				cfg.fatal(b, err)
			}
		}
		b.ReportMetric(rate, "readings/s")
		if perCPU > 0 {
			b.ReportMetric(perCPU, "readings/cpu-s")
		}
		b.ReportMetric(float64(cfg.Readings()), "readings")
		b.ReportMetric(perReading, "B/reading")
		b.ReportMetric(perReading*float64(len(storetest.FleetChannels)), "B/4ch-reading")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "month-total-s")
	}
}

// ingest appends Days of the fleet interval by interval and returns the
// rate of the Appends alone (generating readings is not timed), per
// second and per CPU-second.
func (c BenchConfig) ingest(ctx context.Context, d *DB, f *storetest.Fleet) (rate, perCPU float64, err error) {
	intervals := c.Days * int(24*time.Hour/c.Interval)
	var bar *progressbar.ProgressBar
	if c.Progress != nil {
		bar = progressbar.NewOptions64(c.Readings(),
			progressbar.OptionSetWriter(c.Progress),
			progressbar.OptionSetDescription("storing readings"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("readings"),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(c.Progress) }))
	}
	var batch []store.Reading
	var spent time.Duration
	var cpu cpuMeter
	readings := 0
	for range intervals {
		batch = f.AppendInterval(batch[:0])
		start := time.Now()
		cpu.start()
		if _, err := d.Append(ctx, batch); err != nil {
			return 0, 0, err
		}
		cpu.stop()
		spent += time.Since(start)
		readings += len(batch)
		if bar != nil {
			bar.Add(len(batch))
		}
	}
	if bar != nil {
		bar.Finish()
	}
	if cpu.spent > 0 {
		perCPU = float64(readings) / cpu.spent.Seconds()
	}
	return float64(readings) / spent.Seconds(), perCPU, nil
}

// Scenario is `amigo bench store`: batched ingest (IngestBenchmark, from
// one appender and from two), one batch per meter-interval
// (MeterIntervalBenchmark) and month totals over cfg.Readings() stored
// readings (MonthTotalBenchmark). Metrics: readings/s (batched, two
// appenders), one-appender-readings/s, meter-interval-readings/s,
// load-readings/s (one appender, while storing the month-total data set),
// readings, B/reading, B/4ch-reading and month-total-s.
func Scenario(ctx context.Context, cfg BenchConfig) (map[string]float64, error) {
	cfg.defaults()
	cfg.errs = &benchErrors{}
	quiet := cfg
	quiet.Progress = nil
	one, two := quiet, quiet
	one.Appenders, two.Appenders = 1, 2
	out := map[string]float64{}
	runs := []struct {
		name  string
		f     func(*testing.B)
		units map[string]string // reported unit → scenario unit
	}{
		{"ingest", IngestBenchmark(two), map[string]string{"readings/s": "readings/s", "readings/cpu-s": "readings/cpu-s"}},
		{"ingest, one appender", IngestBenchmark(one), map[string]string{"readings/s": "one-appender-readings/s"}},
		{"meter-interval", MeterIntervalBenchmark(quiet), map[string]string{"readings/s": "meter-interval-readings/s",
			"readings/cpu-s": "meter-interval-readings/cpu-s"}},
		{"month-total", MonthTotalBenchmark(cfg), map[string]string{"readings/s": "load-readings/s", "readings/cpu-s": "load-readings/cpu-s", "readings": "readings",
			"B/reading": "B/reading", "B/4ch-reading": "B/4ch-reading", "month-total-s": "month-total-s"}},
	}
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		res := testing.Benchmark(r.f)
		if cfg.errs.err != nil {
			return nil, fmt.Errorf("%s: %w", r.name, cfg.errs.err)
		}
		if res.N == 0 {
			return nil, fmt.Errorf("%s: benchmark failed", r.name)
		}
		for from, to := range r.units {
			if v, ok := res.Extra[from]; ok {
				out[to] = v
			}
		}
	}
	return out, nil
}
