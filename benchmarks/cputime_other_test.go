//go:build !linux

package benchmarks

import "time"

// cpuNow reports that this system has no per-thread CPU clock the
// benchmarks read; paired then times turns by the wall clock.
func cpuNow() (time.Duration, bool) { return 0, false }
