package lifecycle

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGroup_Cleanup checks that cleanups run after every actor has stopped,
// last added first, with the stop's deadline in their context.
func TestGroup_Cleanup(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, s)
	}
	h := newHarness(t, Config{ShutdownTimeout: 5 * time.Second})
	h.g.Go("worker", func(ctx context.Context) error {
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // a slow stop that cleanups must wait for
		note("worker stopped")
		return nil
	})
	for _, name := range []string{"db", "cache"} {
		if err := h.g.Cleanup(name, func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				t.Errorf("cleanup %s: context without a deadline", name)
			}
			note("cleanup " + name)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	h.start(t)
	h.waitLog(t, "ready")
	h.cancel()
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	want := []string{"worker stopped", "cleanup cache", "cleanup db"}
	if !slices.Equal(order, want) {
		t.Errorf("order = %v, want %v", order, want)
	}
}

// TestGroup_Cleanup_failures checks a failing and a panicking cleanup: both
// are reported, the others still run, and Run returns the first.
func TestGroup_Cleanup_failures(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ran := false
	h.g.Cleanup("first", func(context.Context) error { ran = true; return nil })
	h.g.Cleanup("panicky", func(context.Context) error { panic("boom") })
	h.g.Cleanup("failing", func(context.Context) error { return errors.New("close failed") })
	h.g.Go("job", func(context.Context) error { return nil })
	h.start(t)
	err := h.wait(t, waitFor)
	if err == nil || err.Error() != `lifecycle: cleanup "failing" failed: close failed` {
		t.Errorf("Run = %v, want the failing cleanup's error", err)
	}
	if !ran {
		t.Error("the cleanup after the failures did not run")
	}
	if h.count("cleanup panicked") != 1 || h.count("cleanup failed") != 1 {
		t.Errorf("logs = %v, want one cleanup panicked and one cleanup failed", messages(h.logs))
	}
}

// TestGroup_Cleanup_timeout checks that a cleanup past the timeout is named
// and the ones after it are skipped.
func TestGroup_Cleanup_timeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ShutdownTimeout: 200 * time.Millisecond})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	skipped := false
	h.g.Cleanup("late", func(context.Context) error { skipped = true; return nil })
	h.g.Cleanup("stuck", func(context.Context) error { <-release; return nil })
	h.g.Go("job", func(context.Context) error { return nil })
	h.start(t)
	err := h.wait(t, waitFor)
	if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "still running: cleanup stuck") {
		t.Errorf("Run = %v, want a timeout naming cleanup stuck", err)
	}
	if skipped {
		t.Error("a cleanup ran after the timeout")
	}
	if h.count("cleanups not run: the stop ran out of time") != 1 {
		t.Errorf("logs = %v, want the skipped cleanups logged", messages(h.logs))
	}
}

// TestGroup_Cleanup_startFailed checks that cleanups also run when Run fails
// before starting, and with nothing to run.
func TestGroup_Cleanup_startFailed(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{"bad config": {DrainDelay: -1}, "no actors": {}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			g := New(cfg)
			n := 0
			g.Cleanup("pool", func(context.Context) error { n++; return nil })
			_ = g.Run(context.Background())
			if n != 1 {
				t.Errorf("cleanup ran %d times, want 1", n)
			}
		})
	}
}

// TestGroup_Cleanup_invalid checks the errors of Cleanup.
func TestGroup_Cleanup_invalid(t *testing.T) {
	t.Parallel()
	g := New(Config{})
	fn := func(context.Context) error { return nil }
	if err := g.Cleanup("", fn); err == nil {
		t.Error("empty name accepted")
	}
	if err := g.Cleanup("x", nil); err == nil {
		t.Error("nil function accepted")
	}
	if err := g.Cleanup("x", fn); err != nil {
		t.Fatal(err)
	}
	if err := g.Cleanup("x", fn); err == nil {
		t.Error("duplicate name accepted")
	}
	if err := g.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "empty name") {
		t.Errorf("Run = %v, want the first misuse", err)
	}
	if err := g.Cleanup("y", fn); err == nil {
		t.Error("Cleanup after Run accepted")
	}
}
