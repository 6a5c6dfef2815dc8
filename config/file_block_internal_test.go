//go:build unix

package config

import (
	"errors"
	"os"
	"testing"
	"time"
)

// TestReadBounded_pollable: a read that would block on a pollable file (a
// pipe nobody writes to, as /proc/kmsg with nothing to say) is given up by
// its read deadline.
func TestReadBounded_pollable(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	defer r.Close()
	begin := time.Now()
	_, err = readBounded(r, 0, 1<<20, 200*time.Millisecond)
	if !errors.Is(err, errBlocked) {
		t.Errorf("readBounded = %v, want errBlocked", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("gave up after %s, want about 200ms", d)
	}
}

// blockingFile is a file that is not pollable (a FUSE mount whose server
// does not answer): it ignores the read deadline and blocks until released.
type blockingFile struct{ release chan struct{} }

func (f blockingFile) Read([]byte) (int, error)      { <-f.release; return 0, os.ErrClosed }
func (blockingFile) SetReadDeadline(time.Time) error { return os.ErrNoDeadline }

// TestReadBounded_notPollable: a read that blocks and ignores the deadline
// is no longer waited for after the bound.
func TestReadBounded_notPollable(t *testing.T) {
	f := blockingFile{release: make(chan struct{})}
	defer close(f.release) // the abandoned read ends, as it would once the file is closed
	begin := time.Now()
	_, err := readBounded(f, 0, 1<<20, 200*time.Millisecond)
	if !errors.Is(err, errBlocked) {
		t.Errorf("readBounded = %v, want errBlocked", err)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("gave up after %s, want about 220ms", d)
	}
}

// TestReadBounded_limit: a file that grows past the limit while read is
// refused, without its content.
func TestReadBounded_limit(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	go func() {
		defer w.Close()
		_, _ = w.Write(make([]byte, 2048))
	}()
	if _, err := readBounded(r, 0, 1024, 5*time.Second); !errors.Is(err, errTooLarge) {
		t.Errorf("readBounded = %v, want errTooLarge", err)
	}
}
