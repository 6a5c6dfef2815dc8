package benchmarks

import (
	"syscall"
	"time"
	"unsafe"
)

// cpuNow returns the CPU time the calling OS thread has used, from
// clock_gettime(CLOCK_THREAD_CPUTIME_ID): nanosecond resolution, where
// getrusage(RUSAGE_THREAD) moves in scheduler ticks (4 ms at HZ=250) and
// reads 0 for a turn of a few milliseconds.
func cpuNow() (time.Duration, bool) {
	const clockThreadCPUTimeID = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
