package hes

import "testing"

func BenchmarkReadScenario(b *testing.B) { BenchmarkReads(b) }
