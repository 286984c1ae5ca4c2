package wave

import "testing"

// go test -run - -bench Home -count 6 ./sim/wave | benchstat -
func BenchmarkHomeScenario(b *testing.B) {
	b.Run("nilm=off", BenchmarkHome)
	b.Run("nilm=on", BenchmarkHomeNILM)
}
