package bench

import (
	"testing"
	"time"
)

func TestMetricsCarriesReportedUnits(t *testing.T) {
	r := testing.BenchmarkResult{
		N:         4,
		T:         8 * time.Microsecond,
		MemAllocs: 8,
		MemBytes:  400,
		Extra:     map[string]float64{"readings/s": 1.5e6},
	}
	m := Metrics(r)
	want := map[string]float64{"ns/op": 2000, "B/op": 100, "allocs/op": 2, "readings/s": 1.5e6}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("Metrics()[%q] = %v, want %v", k, m[k], v)
		}
	}
	if len(m) != len(want) {
		t.Errorf("Metrics() = %v, want exactly %v", m, want)
	}
}

func TestThisMachineIsDescribed(t *testing.T) {
	m := ThisMachine()
	if m.Cores < 1 || m.CPU == "" || m.GoVersion == "" {
		t.Errorf("ThisMachine() = %+v: missing fields", m)
	}
}
