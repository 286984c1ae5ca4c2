package pebble

import (
	"fmt"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/storetest"
)

// Compare runs with benchstat over -count 6:
//
//	go test -run XXX -bench . -count 6 ./store/pebble | tee new.txt
//	benchstat old.txt new.txt
func benchHouse(b *testing.B) *storetest.Household {
	h, err := storetest.LoadAMPds(testenv.SharedFile(b, storetest.AMPdsFile))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func BenchmarkIngest(b *testing.B) {
	h := benchHouse(b)
	for _, appenders := range []int{1, 2} {
		b.Run(fmt.Sprintf("batch=interval/meters=10000/appenders=%d", appenders), IngestBenchmark(BenchConfig{House: h, BatchMeters: 10000, Appenders: appenders}))
	}
	b.Run("batch=meter-interval/meters=1000", MeterIntervalBenchmark(BenchConfig{House: h, Meters: 1000}))
}

func BenchmarkMonthTotal(b *testing.B) {
	b.Run("meters=1000", MonthTotalBenchmark(BenchConfig{House: benchHouse(b), Meters: 1000}))
}

// BenchmarkBlock encodes and decodes day blocks of the fleet's A+ register
// (the largest of its channels) and reports B/reading.
func BenchmarkBlock(b *testing.B) {
	h := benchHouse(b)
	for _, iv := range []time.Duration{15 * time.Minute, time.Minute} {
		f, err := storetest.NewFleet(h, 1, iv, benchStart, 1)
		if err != nil {
			b.Fatal(err)
		}
		var day []sample
		var batch []store.Reading
		for range int(24 * time.Hour / iv) {
			batch = f.AppendInterval(batch[:0])
			day = append(day, sample{Time: batch[0].Time, Value: batch[0].Value})
		}
		var enc blockEncoder
		block := enc.encode(nil, benchStart, day)
		name := fmt.Sprintf("interval=%v", iv)
		b.Run("op=encode/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(day)) * 24)
			buf := make([]byte, 0, 2*len(block))
			for b.Loop() {
				buf = enc.encode(buf[:0], benchStart, day)
			}
			b.ReportMetric(float64(len(block))/float64(len(day)), "B/reading")
		})
		b.Run("op=decode/"+name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(block)))
			out := make([]sample, 0, len(day))
			for b.Loop() {
				var err error
				if out, err = decodeBlock(out[:0], block, benchStart); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(day)), "ns/reading")
		})
	}
}
