//go:build clickhouse

package clickhouse

import (
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store/storetest"
)

// With servers from `.ci/suites/clickhouse start`:
//
//	go test -tags clickhouse -run XXX -bench . -count 6 ./store/clickhouse | tee new.txt
//	benchstat old.txt new.txt
func benchConfig(b *testing.B) BenchConfig {
	h, err := storetest.LoadAMPds(testenv.SharedFile(b, storetest.AMPdsFile))
	if err != nil {
		b.Fatal(err)
	}
	return BenchConfig{URL: serverURL(b), House: h}
}

func BenchmarkIngest(b *testing.B) {
	cfg := benchConfig(b)
	cfg.BatchMeters = 10000
	b.Run("batch=interval/meters=10000", IngestBenchmark(cfg))
}

func BenchmarkMonthTotal(b *testing.B) {
	cfg := benchConfig(b)
	cfg.Meters = 1000
	b.Run("meters=1000", MonthTotalBenchmark(cfg))
}
