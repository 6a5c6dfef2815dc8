package processtest

import (
	"os"
	"time"
)

// KernelObserves reports whether the kit can observe binds, processes and
// file writes through the kernel here, by trying each: the tests expect
// observed results then, and checks that say they sampled otherwise.
func KernelObserves() bool {
	w, err := newBindWatch(0)
	if err != nil {
		return false
	}
	w.close()
	e, err := newProcEvents()
	if err != nil {
		return false
	}
	e.close()
	dir, err := os.MkdirTemp("", "processtest-probe-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	f, err := newFileEvents(dir, func(int) bool { return false })
	if err != nil {
		return false
	}
	_, err = f.finish()
	return err == nil
}

// DelayAfterSIGTERM makes the rolling stop wait d between sending SIGTERM
// and recording it as sent, until the returned function is called.
func DelayAfterSIGTERM(d time.Duration) (restore func()) {
	afterSIGTERM = func() { time.Sleep(d) }
	return func() { afterSIGTERM = nil }
}
