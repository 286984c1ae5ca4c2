package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store/clickhouse"
	"github.com/amigo-ami/amigo/store/storetest"
)

// clickhouseScenario is `amigo bench clickhouse`: ingest rate, bytes per
// reading and month totals of store/clickhouse on a running server, on the
// fleet `amigo bench store` uses.
func clickhouseScenario() scenario {
	var (
		url    string
		meters int
		days   int
		data   string
	)
	return scenario{
		doc: "readings on ClickHouse: ingest rate, bytes per reading (system.parts), month total",
		flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&url, "clickhouse-url", "", "server, clickhouse://HOST:PORT/DB[?cluster=NAME] (default: $AMIGO_CLICKHOUSE_URL); the benchmark makes and drops databases of its own")
			fs.IntVar(&meters, "clickhouse-meters", 1000, "meters in the month-total fleet")
			fs.IntVar(&days, "clickhouse-days", 35, "days of readings stored before month totals (at least 32)")
			fs.StringVar(&data, "clickhouse-data", "", "shared data directory holding "+storetest.AMPdsFile+" (default: $AMIGO_SHARED_DATA or ../shared/data)")
		},
		run: func(ctx context.Context) (map[string]float64, error) {
			if url == "" {
				url = os.Getenv("AMIGO_CLICKHOUSE_URL")
			}
			if url == "" {
				return nil, fmt.Errorf("no server: give --clickhouse-url or set AMIGO_CLICKHOUSE_URL (.ci/suites/clickhouse start runs two)")
			}
			if meters <= 0 || days < 32 {
				return nil, fmt.Errorf("--clickhouse-meters %d --clickhouse-days %d: want a positive fleet and at least 32 days", meters, days)
			}
			if data == "" {
				data = testenv.SharedData()
			}
			house, err := storetest.LoadAMPds(filepath.Join(data, storetest.AMPdsFile))
			if err != nil {
				return nil, fmt.Errorf("household data: %w", err)
			}
			cfg := clickhouse.BenchConfig{URL: url, House: house, Meters: meters, Days: days}
			if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				cfg.Progress = os.Stderr
			}
			return clickhouse.Scenario(ctx, cfg)
		},
	}
}
