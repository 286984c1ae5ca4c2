package push

import "testing"

func BenchmarkPushScenario(b *testing.B) { BenchmarkPush(b) }
