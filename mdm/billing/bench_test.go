package billing

import (
	"testing"

	"github.com/amigo-ami/amigo/store"
)

func BenchmarkBillingRate(b *testing.B) { BenchmarkRate(b) }

func BenchmarkBillingFromStore(b *testing.B) {
	b.Run("meters=2000", StoreBenchmark(BenchConfig{Meters: 2000}))
	b.Run("meters=20000", StoreBenchmark(BenchConfig{Meters: 20_000}))
}

func BenchmarkBillingRegisters(b *testing.B) {
	b.Run("meters=100000", RegistersBenchmark(BenchConfig{RegisterMeters: 100_000}))
}

func BenchmarkBillingStored(b *testing.B) {
	b.Run("meters=200", StoredBenchmark(BenchConfig{Stored: 200}))
}

// The synthetic households use what the benchmark claims: about 100 to
// 600 kWh a month, so bills cross the ladder's tiers.
func TestBenchHouseholds(t *testing.T) {
	tf := mustTariff()
	from, to := benchCycle(tf)
	lo, hi := int64(1<<62), int64(0)
	for m := 1; m <= 200; m++ {
		rs := newHousehold(store.MeterID(m)).appendMonth(nil, from.UnixMilli(), to.UnixMilli(), 15*60_000)
		wh := rs[len(rs)-1].Value - rs[0].Value
		lo, hi = min(lo, wh), max(hi, wh)
	}
	if lo < 80_000 || hi > 700_000 || hi < 400_000 {
		t.Errorf("monthly energy from %d to %d Wh, want about 100 to 600 kWh", lo, hi)
	}
}
