package pebble

import (
	"path/filepath"
	"testing"

	"github.com/amigo-ami/amigo/store/storetest"
)

// Compare runs with benchstat over -count 6:
//
//	go test -run XXX -bench . -count 6 ./store/pebble | tee new.txt
//	benchstat old.txt new.txt
func benchHouse(b *testing.B) *storetest.Household {
	path := filepath.Join(storetest.SharedData(), storetest.AMPdsFile)
	h, err := storetest.LoadAMPds(path)
	if err != nil {
		b.Skipf("household data %s: %v", path, err)
	}
	return h
}

func BenchmarkIngest(b *testing.B) {
	h := benchHouse(b)
	b.Run("batch=interval/meters=10000", IngestBenchmark(BenchConfig{House: h, BatchMeters: 10000}))
	b.Run("batch=meter-interval/meters=1000", MeterIntervalBenchmark(BenchConfig{House: h, Meters: 1000}))
}

func BenchmarkMonthTotal(b *testing.B) {
	b.Run("meters=1000", MonthTotalBenchmark(BenchConfig{House: benchHouse(b), Meters: 1000}))
}
