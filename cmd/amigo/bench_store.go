package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store/pebble"
	"github.com/amigo-ami/amigo/store/storetest"
)

// storeScenario is `amigo bench store`: ingest rates, bytes per reading and
// month totals of store/pebble on AMPds-derived household registers.
func storeScenario() scenario {
	var (
		readings float64
		meters   int
		interval time.Duration
		dir      string
		data     string
	)
	return scenario{
		doc: "readings store: ingest rates, bytes per reading, month total",
		flags: func(fs *pflag.FlagSet) {
			fs.Float64Var(&readings, "readings", 0, "readings to store before timing month totals, e.g. 1e9 (default: meters × 4 channels × 35 days)")
			fs.IntVar(&meters, "meters", 1000, "meters in the month-total fleet and the per-meter-interval fleet")
			fs.DurationVar(&interval, "interval", 15*time.Minute, "register reading interval (divides an hour)")
			fs.StringVar(&dir, "dir", "", "directory for the databases (default: a temporary directory)")
			fs.StringVar(&data, "data", "", "shared data directory holding "+storetest.AMPdsFile+" (default: $AMIGO_SHARED_DATA or ../shared/data)")
		},
		run: func(ctx context.Context) (map[string]float64, error) {
			if data == "" {
				data = testenv.SharedData()
			}
			path := filepath.Join(data, storetest.AMPdsFile)
			house, err := storetest.LoadAMPds(path)
			if err != nil {
				return nil, fmt.Errorf("household data: %w", err)
			}
			if meters <= 0 || interval <= 0 || time.Hour%interval != 0 {
				return nil, fmt.Errorf("--meters %d --interval %v: want a positive fleet and an interval dividing an hour", meters, interval)
			}
			cfg := pebble.BenchConfig{House: house, Meters: meters, Interval: interval, Dir: dir}
			if readings > 0 {
				perDay := float64(meters) * float64(len(storetest.FleetChannels)) * float64(24*time.Hour/interval)
				cfg.Days = int(math.Ceil(readings / perDay))
			}
			if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				cfg.Progress = os.Stderr
			}
			return pebble.Scenario(ctx, cfg)
		},
	}
}
