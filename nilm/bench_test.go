package nilm

import "testing"

func BenchmarkClassifyScenario(b *testing.B) { BenchmarkClassify(b) }

func BenchmarkDetectScenario(b *testing.B) { BenchmarkDetect(b) }
