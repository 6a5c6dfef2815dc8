//go:build unix

package stop

import (
	"os"
	"syscall"
	"testing"
	"time"
)

// TestNotify: a SIGTERM sent to the process reaches the channel, and after
// the release the channel gets no more.
func TestNotify(t *testing.T) {
	c, release := Notify()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case sig := <-c:
		if sig != syscall.SIGTERM {
			t.Errorf("got %v, want SIGTERM", sig)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM not delivered within 5s")
	}
	release()
}
