package nilm

import "testing"

func BenchmarkClassifyScenario(b *testing.B) { BenchmarkClassify(b) }
