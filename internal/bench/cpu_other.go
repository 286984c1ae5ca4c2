//go:build !unix

package bench

import "time"

// ProcessCPU is not measured here: it returns 0, and benchmarks omit
// per-CPU figures.
func ProcessCPU() time.Duration { return 0 }
