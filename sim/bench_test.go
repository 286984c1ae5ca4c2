package sim

import "testing"

func BenchmarkFleetScenario(b *testing.B) { BenchmarkFleet(b) }
