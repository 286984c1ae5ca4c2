package billing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/amigo-ami/amigo/internal/bench"
	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

// benchTariff is the benchmarks' tariff: a Shanghai residential ladder
// with peak and valley periods, a standing charge and a demand charge, so
// that every determinant is computed.
const benchTariff = `{"zone": "Asia/Shanghai",
 "periods": [{"name": "peak", "price": "0.617"}, {"name": "valley", "price": "0.307"}],
 "seasons": [{"from": "01-01", "days": {"weekday": [
   {"at": "00:00", "period": "valley"}, {"at": "06:00", "period": "peak"}, {"at": "22:00", "period": "valley"}]}}],
 "ladder": [{"up_to_kwh": 230}, {"up_to_kwh": 400, "prices": {"peak": "0.677", "valley": "0.337"}}, {"prices": {"peak": "0.977", "valley": "0.487"}}],
 "standing": {"per_day": "0.10"},
 "demand": {"per_kw": "2", "window_minutes": 15, "periods": ["peak"]}}`

// benchRegisterTariff bills a four-period TOU meter's own registers
// (frozen at 00:00 on the 1st) on the same ladder.
const benchRegisterTariff = `{"zone": "Asia/Shanghai",
 "periods": [{"name": "sharp", "price": "0.90"}, {"name": "peak", "price": "0.60"}, {"name": "flat", "price": "0.50"}, {"name": "valley", "price": "0.30"}],
 "registers": {"1.0.1.8.1.255": "sharp", "1.0.1.8.2.255": "peak", "1.0.1.8.3.255": "flat", "1.0.1.8.4.255": "valley"},
 "ladder": [{"up_to_kwh": 230}, {"up_to_kwh": 400, "adder": "0.05"}, {"adder": "0.30"}],
 "standing": {"per_day": "0.10"}}`

// BenchConfig sizes the billing benchmarks.
type BenchConfig struct {
	// Meters billed from the store per iteration; 2000 if zero. A month of
	// readings of each is stored before timing.
	Meters int
	// Interval of the register profile; 15 min if zero.
	Interval time.Duration
	// Stored is how many meters the store-and-persist benchmark bills into
	// SQLite per iteration; 200 if zero.
	Stored int
	// RegisterMeters are billed from their monthly TOU registers per
	// iteration; 100 000 if zero.
	RegisterMeters int
	Dir            string    // where the databases go; a temporary directory if empty
	Progress       io.Writer // progress of loading the store; nil: none
}

func (c *BenchConfig) defaults() {
	if c.Meters == 0 {
		c.Meters = 2000
	}
	if c.Interval == 0 {
		c.Interval = 15 * time.Minute
	}
	if c.Stored == 0 {
		c.Stored = 200
	}
	if c.RegisterMeters == 0 {
		c.RegisterMeters = 100_000
	}
	c.Stored = min(c.Stored, c.Meters)
}

// benchCycle is the billed month: March 2024 in Shanghai.
func benchCycle(t *tariff.Tariff) (time.Time, time.Time) {
	return t.Cycle(time.Date(2024, 3, 15, 0, 0, 0, 0, t.Location()))
}

func mustTariff() *tariff.Tariff { return mustParse(benchTariff) }

func mustParse(def string) *tariff.Tariff {
	t, err := tariff.Parse([]byte(def))
	if err != nil {
		panic(err) // the constant above is wrong
	}
	return t
}

// household is a synthetic meter: a daily shape (low at night, a morning
// and an evening peak) scaled per meter so that months range from about
// 100 to 600 kWh, with per-interval noise from a hash of meter and time,
// so any interval can be generated without state.
type household struct {
	meter store.MeterID
	scale int64 // Wh an hour at shape 1000: 200…1200, so a month is ≈ 100…600 kWh
}

func newHousehold(m store.MeterID) household {
	return household{meter: m, scale: 200 + int64(mix(uint64(m))%1000)}
}

// shape is the relative load of an hour of the local day (×1000).
var shape = [24]int64{300, 250, 220, 200, 200, 250, 500, 900, 800, 600, 550, 600, 700, 600, 550, 600, 800, 1200, 1500, 1400, 1200, 900, 600, 400}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// energy is the Wh of the interval of length step starting at t (UTC ms),
// at a fixed +8 h offset (Shanghai has no DST).
func (h household) energy(t, step int64) int64 {
	hour := (t/3_600_000 + 8) % 24
	noise := 500 + int64(mix(uint64(h.meter)<<40^uint64(t))%1000) // ×1000: 0.5…1.5
	return h.scale * shape[hour] * noise * step / (1000 * 1000 * 3_600_000)
}

// appendMonth appends the register readings of [from, to] every step.
func (h household) appendMonth(dst []store.Reading, from, to, step int64) []store.Reading {
	v := int64(mix(uint64(h.meter)) % 50_000_000)
	for t := from; t <= to; t += step {
		dst = append(dst, store.Reading{Meter: h.meter, Channel: store.ActiveImport, Time: t, Value: v})
		v += h.energy(t, step)
	}
	return dst
}

// BenchmarkRate measures the billing engine alone: Intervals, Measure and
// Price of a month of 15-minute register readings held in memory, on
// GOMAXPROCS goroutines. It reports bills/s.
func BenchmarkRate(b *testing.B) {
	t := mustTariff()
	from, to := benchCycle(t)
	f, e := from.UnixMilli(), to.UnixMilli()
	tl := t.Timeline(f, e)
	const step = 15 * 60_000
	months := make([][]store.Sample, 64)
	for i := range months {
		months[i] = store.AppendSamples(nil, newHousehold(store.MeterID(i+1)).appendMonth(nil, f, e, step))
	}
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	cpu := bench.CPUTime()
	b.RunParallel(func(pb *testing.PB) {
		m := NewMeter(t, &tl)
		var iv []Interval
		var lines []Line
		for pb.Next() {
			regs := months[next.Add(1)%int64(len(months))]
			var err error
			if iv, err = Intervals(regs, f, e, step, iv[:0]); err != nil {
				b.Error(err)
				return
			}
			lines = Price(t, m.Measure(from, to, iv), lines[:0])
			if Total(lines) <= 0 {
				b.Error("a bill of nothing")
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "bills/s")
	reportPerCPU(b, float64(b.N), bench.CPUTime()-cpu, "bills/cpu-s")
}

// reportPerCPU reports n per CPU-second used, where the platform says.
// On a shared machine it is the steadier figure.
func reportPerCPU(b *testing.B, n float64, cpu time.Duration, unit string) {
	if cpu > 0 {
		b.ReportMetric(n/cpu.Seconds(), unit)
	}
}

// benchStore is a Pebble store holding a month of every bench meter.
type benchStore struct {
	db  *pebble.DB
	dir string
}

// loadStore stores a month of cfg.Meters meters, a hundred meters (300 000
// readings) per write. (Writes of 3 million readings stalled store/pebble
// for minutes once the head held about 12 million.)
func loadStore(b *testing.B, cfg BenchConfig, t *tariff.Tariff) *benchStore {
	parent := cfg.Dir
	if parent == "" {
		parent = b.TempDir()
	}
	dir, err := os.MkdirTemp(parent, "billing")
	if err != nil {
		b.Fatal(err)
	}
	db, err := pebble.Open(context.Background(), filepath.Join(dir, "readings"), pebble.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	s := &benchStore{db: db, dir: dir}
	b.Cleanup(func() {
		s.db.Close()
		os.RemoveAll(dir)
	})
	from, to := benchCycle(t)
	step := cfg.Interval.Milliseconds()
	var bar *progressbar.ProgressBar
	if cfg.Progress != nil {
		bar = progressbar.NewOptions64(int64(cfg.Meters), progressbar.OptionSetWriter(cfg.Progress),
			progressbar.OptionSetDescription("storing a month of meters"), progressbar.OptionShowCount(), progressbar.OptionThrottle(200*time.Millisecond))
	}
	var batch []store.Reading
	const perWrite = 100
	for first := 1; first <= cfg.Meters; first += perWrite {
		batch = batch[:0]
		for m := first; m < first+perWrite && m <= cfg.Meters; m++ {
			batch = newHousehold(store.MeterID(m)).appendMonth(batch, from.UnixMilli(), to.UnixMilli(), step)
		}
		if _, err := db.Append(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
		if bar != nil {
			bar.Add(min(perWrite, cfg.Meters-first+1))
		}
	}
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(cfg.Progress)
	}
	// Billing reads stored blocks, as it would a day after the month
	// ended, not the head of recent appends: close and reopen.
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	if s.db, err = pebble.Open(context.Background(), filepath.Join(dir, "readings"), pebble.Options{NoSync: true}); err != nil {
		b.Fatal(err)
	}
	return s
}

// billAll bills meters 1…n from the store on GOMAXPROCS workers.
func billAll(ctx context.Context, bl *Biller, t *tariff.Tariff, n int) error {
	from, to := benchCycle(t)
	workers := runtime.GOMAXPROCS(0)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Go(func() {
			for {
				m := next.Add(1)
				if m > int64(n) {
					return
				}
				bill, err := bl.Compute(ctx, t, store.MeterID(m), from, to)
				if err == nil && bill.Total <= 0 {
					err = errors.New("a bill of nothing")
				}
				if err != nil {
					errs[w] = fmt.Errorf("meter %d: %w", m, err)
					return
				}
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// StoreBenchmark measures billing from the readings store: each iteration
// bills cfg.Meters meters for a month (scan of the register profile,
// determinants, lines) on GOMAXPROCS workers, without storing the bills.
// It reports bills/s, the meters and the seconds a million meters would
// take at that rate.
func StoreBenchmark(cfg BenchConfig) func(*testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		t := mustTariff()
		s := loadStore(b, cfg, t)
		bl, err := NewBiller(Config{Readings: s.db, Records: noRecords{}, Interval: cfg.Interval})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		timeBilling(b, bl, t, cfg.Meters)
	}
}

// RegistersBenchmark measures billing from monthly TOU registers: each
// meter's four registers (1.0.1.8.1–4.255) are stored at the start and
// end of the month (the meter's billing freeze), and each iteration bills
// cfg.RegisterMeters meters from them on GOMAXPROCS workers. It reports
// bills/s, bills/cpu-s, the meters and the seconds a million would take.
func RegistersBenchmark(cfg BenchConfig) func(*testing.B) {
	cfg.defaults()
	return func(b *testing.B) {
		t := mustParse(benchRegisterTariff)
		from, to := benchCycle(t)
		dir := cfg.Dir
		if dir == "" {
			dir = b.TempDir()
		}
		dir, err := os.MkdirTemp(dir, "registers")
		if err != nil {
			b.Fatal(err)
		}
		// Two readings per meter-channel are two sparse day blocks: keep the
		// head small (each open block costs far more than its readings).
		db, err := pebble.Open(b.Context(), filepath.Join(dir, "readings"), pebble.Options{NoSync: true, FlushReadings: 300_000, HeadReadings: 300_000})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			db.Close()
			os.RemoveAll(dir)
		})
		var batch []store.Reading
		for m := 1; m <= cfg.RegisterMeters; m++ {
			h := newHousehold(store.MeterID(m))
			for _, r := range t.Registers() {
				start := int64(mix(uint64(m)<<8|uint64(r.Channel[4])) % 10_000_000)
				month := h.scale * 744 * int64(1+r.Channel[4]) / 28 // the four: ≈ 75…450 kWh
				batch = append(batch,
					store.Reading{Meter: store.MeterID(m), Channel: r.Channel, Time: from.UnixMilli(), Value: start},
					store.Reading{Meter: store.MeterID(m), Channel: r.Channel, Time: to.UnixMilli(), Value: start + month})
			}
			if len(batch) >= 300_000 || m == cfg.RegisterMeters {
				if _, err := db.Append(b.Context(), batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
		bl, err := NewBiller(Config{Readings: db, Records: noRecords{}})
		if err != nil {
			b.Fatal(err)
		}
		timeBilling(b, bl, t, cfg.RegisterMeters)
	}
}

// timeBilling bills meters 1…n per iteration and reports bills/s,
// bills/cpu-s, the meters and the seconds a million would take.
func timeBilling(b *testing.B, bl *Biller, t *tariff.Tariff, n int) {
	var cpu time.Duration
	for b.Loop() {
		start := bench.CPUTime()
		if err := billAll(b.Context(), bl, t, n); err != nil {
			b.Fatal(err)
		}
		cpu += bench.CPUTime() - start
	}
	rate := float64(b.N) * float64(n) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "bills/s")
	reportPerCPU(b, float64(b.N)*float64(n), cpu, "bills/cpu-s")
	b.ReportMetric(float64(n), "meters")
	b.ReportMetric(1e6/rate, "s/1M-meters")
}

// noRecords is the Records of a Biller that only computes.
type noRecords struct{}

var errNoRecords = errors.New("billing bench: no metadata store")

func (noRecords) Meter(context.Context, store.MeterID) (meta.Meter, error) {
	return meta.Meter{}, errNoRecords
}
func (noRecords) Tariff(context.Context, int64) (meta.Tariff, error) {
	return meta.Tariff{}, errNoRecords
}
func (noRecords) Bills(context.Context, store.MeterID, time.Time, time.Time) ([]meta.Bill, error) {
	return nil, errNoRecords
}
func (noRecords) CreateBills(context.Context, []meta.Bill) ([]int64, error) {
	return nil, errNoRecords
}

// storedBatch is how many meters StoredBenchmark bills per RunMany, so
// per transaction of store/meta.
const storedBatch = 1000

// StoredBenchmark measures the whole run into store/meta (SQLite): each
// iteration changes the tariff's prices and re-bills cfg.Stored meters with
// Biller.RunMany, storedBatch meters a transaction, so every bill is a new
// version. It reports stored-bills/s and stored-bills/cpu-s.
func StoredBenchmark(cfg BenchConfig) func(*testing.B) {
	cfg.defaults()
	cfg.Meters = cfg.Stored
	return func(b *testing.B) {
		ctx := b.Context()
		t := mustTariff()
		s := loadStore(b, cfg, t)
		md, err := meta.OpenSQLite(ctx, filepath.Join(s.dir, "meta.db"), meta.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer md.Close()
		tr := meta.Tariff{Name: "bench", Currency: "CNY", Definition: []byte(benchTariff)}
		if tr.ID, err = md.CreateTariff(ctx, tr); err != nil {
			b.Fatal(err)
		}
		for m := 1; m <= cfg.Stored; m++ {
			if _, err := md.CreateMeter(ctx, meta.Meter{Serial: fmt.Sprintf("B%07d", m), TariffID: tr.ID}); err != nil {
				b.Fatal(err)
			}
		}
		bl, err := NewBiller(Config{Readings: s.db, Records: md, Interval: cfg.Interval})
		if err != nil {
			b.Fatal(err)
		}
		at, _ := benchCycle(t)
		var meters []store.MeterID
		version := 0
		var cpu time.Duration
		for b.Loop() {
			b.StopTimer()
			version++
			// A standing charge of 0.10 + version/1000 changes every bill.
			price := tariff.Money(100_000 + int64(version)*1000).Decimal()
			tr.Definition = []byte(strings.Replace(benchTariff, `"per_day": "0.10"`, `"per_day": "`+price+`"`, 1))
			if err := md.UpdateTariff(ctx, tr); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			start := bench.CPUTime()
			for first := 1; first <= cfg.Stored; first += storedBatch {
				meters = meters[:0]
				for m := first; m < first+storedBatch && m <= cfg.Stored; m++ {
					meters = append(meters, store.MeterID(m))
				}
				results, err := bl.RunMany(ctx, meters, at)
				if err != nil {
					b.Fatal(err)
				}
				for _, res := range results {
					if res.Err != nil || res.Outcome == Unchanged {
						b.Fatalf("meter %d: %v (%v) after a price change", res.Bill.Meter, res.Outcome, res.Err)
					}
				}
			}
			cpu += bench.CPUTime() - start
		}
		b.ReportMetric(float64(b.N)*float64(cfg.Stored)/b.Elapsed().Seconds(), "stored-bills/s")
		reportPerCPU(b, float64(b.N)*float64(cfg.Stored), cpu, "stored-bills/cpu-s")
	}
}
