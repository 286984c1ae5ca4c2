//go:build !unix

package bench

import "time"

// CPUTime falls back to the wall clock where the process's CPU time is
// not available; on an idle machine a single-goroutine benchmark sees the
// two agree.
func CPUTime() time.Duration { return time.Duration(time.Now().UnixNano()) }
