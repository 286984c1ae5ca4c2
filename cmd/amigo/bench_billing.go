package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/amigo-ami/amigo/mdm/billing"
)

// billingScenario is `amigo bench billing`: the billing engine alone, a
// month of meters billed from their 15-minute profiles in the readings
// store, the same from monthly TOU registers, and bills stored in SQLite.
// The default fleets are small; --billing-register-meters 1000000 and
// --billing-meters 1000000 are the full runs (the latter stores 3·10⁹
// readings, about 11 GB, first).
func billingScenario() scenario {
	var cfg billing.BenchConfig
	return scenario{
		doc: "TOU + ladder + demand bills of a month: engine bills/s, bills/s from the store (extrapolated to 1M meters), stored-bills/s into SQLite",
		flags: func(fs *pflag.FlagSet) {
			fs.IntVar(&cfg.Meters, "billing-meters", 2000, "meters billed from the store per run (1000000 for the full run)")
			fs.DurationVar(&cfg.Interval, "billing-interval", 15*time.Minute, "register profile interval of the stored month")
			fs.IntVar(&cfg.Stored, "billing-stored", 200, "meters billed into SQLite per run")
			fs.IntVar(&cfg.RegisterMeters, "billing-register-meters", 100_000, "meters billed from monthly TOU registers per run (1000000 for the full run)")
			fs.StringVar(&cfg.Dir, "billing-dir", "", "directory for the databases (default: a temporary directory)")
		},
		run: func(ctx context.Context) (map[string]float64, error) {
			if cfg.Meters <= 0 || cfg.Stored <= 0 || cfg.RegisterMeters <= 0 || cfg.Interval <= 0 || time.Hour%cfg.Interval != 0 {
				return nil, fmt.Errorf("--billing-meters %d --billing-stored %d --billing-register-meters %d --billing-interval %v: want positive counts and an interval dividing an hour",
					cfg.Meters, cfg.Stored, cfg.RegisterMeters, cfg.Interval)
			}
			if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				cfg.Progress = os.Stderr
			}
			out := map[string]float64{}
			runs := []struct {
				f     func(*testing.B)
				units map[string]string // reported unit → scenario unit
			}{
				{billing.BenchmarkRate, map[string]string{"bills/s": "engine-bills/s", "bills/cpu-s": "engine-bills/cpu-s"}},
				{billing.StoreBenchmark(cfg), map[string]string{"bills/s": "bills/s", "bills/cpu-s": "bills/cpu-s", "meters": "meters", "s/1M-meters": "s/1M-meters"}},
				{billing.RegistersBenchmark(cfg), map[string]string{"bills/s": "register-bills/s", "bills/cpu-s": "register-bills/cpu-s",
					"meters": "register-meters", "s/1M-meters": "register-s/1M-meters"}},
				{billing.StoredBenchmark(cfg), map[string]string{"stored-bills/s": "stored-bills/s", "stored-bills/cpu-s": "stored-bills/cpu-s"}},
			}
			for _, r := range runs {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				res := testing.Benchmark(r.f)
				if res.N == 0 {
					return nil, fmt.Errorf("billing benchmark failed before its first iteration")
				}
				for from, to := range r.units {
					if v, ok := res.Extra[from]; ok {
						out[to] = v
					}
				}
			}
			return out, nil
		},
	}
}
