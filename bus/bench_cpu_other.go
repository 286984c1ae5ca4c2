//go:build !unix

package bus

import "time"

// processCPU is not measured here; the msgs/cpu-s metric is then left out.
func processCPU() time.Duration { return 0 }
