//go:build unix

package pebble

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used,
// so benchmarks on a shared machine can report work per CPU-second
// besides per wall-second.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
