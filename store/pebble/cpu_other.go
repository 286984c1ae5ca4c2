//go:build !unix

package pebble

import "time"

// processCPU is not measured here; benchmarks then omit per-CPU figures.
func processCPU() time.Duration { return 0 }
