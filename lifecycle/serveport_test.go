package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// waitReady polls g.Ready until it returns an error for which ok is true.
func waitReady(t *testing.T, g *Group, ok func(error) bool) error {
	t.Helper()
	var err error
	if !testkit.Within(waitFor, func() bool {
		err = g.Ready(context.Background())
		return ok(err)
	}) {
		t.Fatalf("Ready = %v after %s", err, waitFor)
	}
	return err
}

// TestGroup_ServeOnPort checks that the actor gets a listener on PORT, that
// the group starts no probe server there, that Ready follows readiness,
// checks included, and turns to stopping at the first moment of a stop.
func TestGroup_ServeOnPort(t *testing.T) {
	t.Parallel()
	port := testkit.FreePort(t)
	h := newHarness(t, Config{Port: port, ShutdownTimeout: 5 * time.Second, DrainDelay: 200 * time.Millisecond})
	gate := make(chan struct{})
	stopped := make(chan struct{})
	got := make(chan net.Addr, 1)
	healthy := make(chan error, 1)
	healthy <- errors.New("down")
	h.g.Check("db", time.Second, func(context.Context) error {
		err := <-healthy
		healthy <- err
		return err
	})
	if err := h.g.ServeOnPort("grpc", func(ctx context.Context, ln net.Listener, ready func()) error {
		got <- ln.Addr()
		<-gate
		ready()
		<-stopped
		return ln.Close()
	}, func(context.Context) error {
		close(stopped)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.g.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "starting") {
		t.Errorf("Ready before Run = %v, want starting", err)
	}
	h.start(t)
	addr := recv(t, got, "the listener")
	if p := addr.(*net.TCPAddr).Port; p != port {
		t.Errorf("listener on port %d, want PORT %d", p, port)
	}
	if err := h.g.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "waiting for grpc") {
		t.Errorf("Ready before ready() = %v, want starting, waiting for grpc", err)
	}
	close(gate)
	err := waitReady(t, h.g, func(err error) bool { return err == nil || !strings.Contains(err.Error(), "starting") })
	if err == nil || !strings.Contains(err.Error(), "failing checks db") {
		t.Errorf("Ready with a failing check = %v, want failing checks db", err)
	}
	<-healthy
	healthy <- nil
	waitReady(t, h.g, func(err error) bool { return err == nil })
	for _, e := range h.logs.FilterMessage("listening").All() {
		if e.ContextMap()["actor"] != "grpc" {
			t.Errorf("the group listens for %v too, want only the actor on PORT", e.ContextMap())
		}
	}
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "stopping: signal received")
	if err := h.g.Ready(context.Background()); err == nil || !strings.Contains(err.Error(), "stopping") {
		t.Errorf("Ready during the stop = %v, want stopping", err)
	}
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	if h.logs.FilterMessage("listening").Len() != 1 {
		t.Errorf("listening logged %d times, want once, for the actor", h.logs.FilterMessage("listening").Len())
	}
}

// TestGroup_ServeOnPort_management checks that the probes stay on
// MANAGEMENT_PORT beside an actor on PORT.
func TestGroup_ServeOnPort_management(t *testing.T) {
	t.Parallel()
	port, mport := testkit.FreePort(t), testkit.FreePort(t)
	h := newHarness(t, Config{Port: port, ManagementPort: mport, ShutdownTimeout: 5 * time.Second})
	stopped := make(chan struct{})
	h.g.ServeOnPort("grpc", func(ctx context.Context, ln net.Listener, ready func()) error {
		ready()
		<-stopped
		return ln.Close()
	}, func(context.Context) error {
		close(stopped)
		return nil
	})
	h.start(t)
	waitStatus(t, client(t), fmt.Sprintf("http://127.0.0.1:%d/readyz", mport), 200)
	h.cancel()
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

// TestGroup_ServeOnPort_errors checks the misuses and a port already taken.
func TestGroup_ServeOnPort_errors(t *testing.T) {
	t.Parallel()
	serve := func(ctx context.Context, ln net.Listener, ready func()) error { <-ctx.Done(); return nil }
	stop := func(context.Context) error { return nil }

	g := New(Config{})
	if err := g.ServeOnPort("a", nil, stop); err == nil {
		t.Error("nil serve accepted")
	}
	if err := g.ServeOnPort("a", serve, stop); err != nil {
		t.Fatal(err)
	}
	if err := g.ServeOnPort("b", serve, stop); err == nil || !strings.Contains(err.Error(), `"a" already serves on PORT`) {
		t.Errorf("second ServeOnPort = %v, want an error naming the first", err)
	}

	taken := localListener(t)
	defer taken.Close()
	h := newHarness(t, Config{Port: taken.Addr().(*net.TCPAddr).Port, ShutdownTimeout: 2 * time.Second})
	h.g.ServeOnPort("grpc", serve, stop)
	h.start(t)
	err := h.wait(t, waitFor)
	if err == nil || !strings.Contains(err.Error(), `"grpc" cannot listen on PORT`) {
		t.Errorf("Run with PORT taken = %v, want an error naming the actor", err)
	}
}
