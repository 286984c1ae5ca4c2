package web

import "testing"

func BenchmarkHub(b *testing.B) { BenchmarkHubPublish(b) }
