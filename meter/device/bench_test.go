package device

import "testing"

func BenchmarkFleetStep(b *testing.B) { BenchmarkFleet(b) }
