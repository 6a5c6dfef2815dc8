package lifecycle

import (
	"context"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestGroup_Run_requestsToldToFinish: when the servers stop accepting,
// ShuttingDown is closed; a request still running after its grace (half of
// what is left of the timeout) has its context cancelled, with the
// BaseContext of WithServer kept as its parent; the stop is clean and ends
// well before the timeout.
func TestGroup_Run_requestsToldToFinish(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	h := newHarness(t, Config{ShutdownTimeout: timeout})
	type key struct{}
	told := make(chan time.Time, 1)
	cancelled := make(chan time.Time, 1)
	entered := make(chan struct{})
	ln := localListener(t)
	h.g.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(key{}) != "kept" {
			t.Error("the request's context lost WithServer's BaseContext")
		}
		close(entered)
		<-h.g.ShuttingDown()
		told <- time.Now()
		<-r.Context().Done() // a stream that ends when its context does
		cancelled <- time.Now()
	}), WithListener(ln), WithServer(func(s *http.Server) {
		s.BaseContext = func(net.Listener) context.Context { return context.WithValue(context.Background(), key{}, "kept") }
	}))
	select {
	case <-h.g.ShuttingDown():
		t.Fatal("ShuttingDown closed before Run")
	default:
	}
	h.start(t)
	h.waitLog(t, "ready")
	go func() {
		if resp, err := client(t).Get("http://" + ln.Addr().String() + "/stream"); err == nil {
			resp.Body.Close()
		}
	}()
	recv(t, entered, "the request")
	signalled := time.Now()
	h.sigs <- syscall.SIGTERM
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	took := time.Since(signalled)
	at := recv(t, told, "ShuttingDown")
	end := recv(t, cancelled, "the request's context cancelled")
	// The grace is half of the 1.8 s left (the last 200 ms are the log's).
	if grace := end.Sub(at); grace < 300*time.Millisecond || grace > 1500*time.Millisecond {
		t.Errorf("the request's context was cancelled %s after ShuttingDown, want about 900ms", grace)
	}
	if took > timeout*3/4 {
		t.Errorf("Run returned %s after the signal, want well inside %s", took, timeout)
	}
}
