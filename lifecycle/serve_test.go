package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestGroup_Serve checks a serving actor that is not net/http: readiness
// waits for its ready, the probes get a server of their own on PORT, the
// drain applies, and stop is called after the drain.
func TestGroup_Serve(t *testing.T) {
	t.Parallel()
	const drain = 300 * time.Millisecond
	port := testkit.FreePort(t)
	h := newHarness(t, Config{Port: port, ShutdownTimeout: 5 * time.Second, DrainDelay: drain, DrainMin: drain})
	gate := make(chan struct{})
	stopped := make(chan struct{})
	var stopAt time.Time
	var signalled time.Time
	h.g.Serve("queue", func(ctx context.Context, ready func()) error {
		<-gate
		ready()
		ready() // harmless
		<-stopped
		return nil
	}, func(ctx context.Context) error {
		stopAt = time.Now()
		if _, ok := ctx.Deadline(); !ok {
			t.Error("stop's context has no deadline")
		}
		close(stopped)
		return nil
	})
	h.start(t)
	c := client(t)
	url := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	body := waitStatus(t, c, url, 503)
	if b := decodeReady(t, body); b.Status != "starting" || fmt.Sprint(b.Pending) != "[queue]" {
		t.Errorf("readyz before ready = %s, want starting, pending [queue]", body)
	}
	close(gate)
	waitStatus(t, c, url, 200)
	if code, _ := get(t, c, fmt.Sprintf("http://127.0.0.1:%d/livez", port)); code != 200 {
		t.Errorf("livez = %d, want 200", code)
	}
	signalled = time.Now()
	h.sigs <- syscall.SIGTERM
	// The signal reaches Run's loop through a channel: readiness fails
	// once it has, well inside the 300 ms drain.
	waitStatus(t, c, url, 503)
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if d := stopAt.Sub(signalled); d < drain {
		t.Errorf("stop called %s after SIGTERM, before the %s drain ended", d, drain)
	}
}

// TestGroup_Serve_stuckStop checks that a stop that does not return is named
// at the timeout, and that the serving actor's context is done then.
func TestGroup_Serve_stuckStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Port: testkit.FreePort(t), ShutdownTimeout: 300 * time.Millisecond})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	served := make(chan error, 1)
	h.g.Serve("grpc", func(ctx context.Context, ready func()) error {
		ready()
		<-ctx.Done()
		served <- ctx.Err()
		return nil
	}, func(ctx context.Context) error {
		<-release // ignores its context
		return nil
	})
	h.start(t)
	h.waitLog(t, "ready")
	h.sigs <- syscall.SIGTERM
	err := h.wait(t, waitFor)
	if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "still running: grpc") {
		t.Errorf("Run = %v, want a timeout naming grpc", err)
	}
	if err := recv(t, served, "serve's context"); !errors.Is(err, context.Canceled) {
		t.Errorf("serve's context ended with %v, want canceled", err)
	}
}

// TestGroup_Serve_returnsFirst checks that a serving actor returning an
// error stops the group and is Run's error; stop is still called once.
func TestGroup_Serve_returnsFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Port: testkit.FreePort(t)})
	stops := 0
	h.g.Serve("fiber", func(ctx context.Context, ready func()) error {
		return errors.New("bind: address in use")
	}, func(ctx context.Context) error { stops++; return nil })
	h.start(t)
	err := h.wait(t, waitFor)
	if err == nil || !strings.Contains(err.Error(), `actor "fiber" failed: bind: address in use`) {
		t.Errorf("Run = %v, want the serving actor's error", err)
	}
	if stops != 1 {
		t.Errorf("stop called %d times, want 1", stops)
	}
}

// TestGroup_Serve_invalid checks Serve's errors.
func TestGroup_Serve_invalid(t *testing.T) {
	t.Parallel()
	g := New(Config{})
	if err := g.Serve("x", nil, func(context.Context) error { return nil }); err == nil {
		t.Error("nil serve accepted")
	}
	if err := g.Serve("y", func(context.Context, func()) error { return nil }, nil); err == nil {
		t.Error("nil stop accepted")
	}
}
