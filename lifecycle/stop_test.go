//go:build unix

package lifecycle_test

// Process tests of the stops that must stay bounded whatever the checks, the
// clients or stdout do, and of a context already done.

import (
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestProcess_checkIgnoringContext checks that a readiness check that ignores
// its context is abandoned at the stop, not waited for: the stop ends at
// once with code 0.
func TestProcess_checkIgnoringContext(t *testing.T) {
	t.Parallel()
	const timeout = 3 * time.Second
	c := startChild(t, "CHECK_HANGS=1", "SHUTDOWN_TIMEOUT="+timeout.String())
	hc := httpClient(t)
	if code, body, err := fetch(hc, c.url("/readyz")); code != 503 || !strings.Contains(body, `"timeout"`) {
		t.Fatalf("readyz = %d %q %v, want 503 with the check timed out", code, body, err)
	}
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0: nothing of the service was stuck", code)
	}
	if d := time.Since(signalled); d > timeout/2 {
		t.Errorf("exited %s after SIGTERM, want at once (the check must not be waited for)", d)
	}
	if e := c.waitLog("readiness checks ignore their context; abandoned"); fmt.Sprint(e["checks"]) != "[slowdb]" {
		t.Errorf("abandoned log = %v, want checks [slowdb]", e)
	}
}

// TestProcess_checkNamedAtTimeout checks that a check still running when the
// stop times out is named beside the stuck actor.
func TestProcess_checkNamedAtTimeout(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	c := startChild(t, "CHECK_HANGS=1", "STUCK=1", "SHUTDOWN_TIMEOUT="+timeout.String())
	hc := httpClient(t)
	if code, _, _ := fetch(hc, c.url("/readyz")); code != 503 {
		t.Fatalf("readyz = %d, want 503", code)
	}
	c.signal(syscall.SIGTERM)
	if code := c.wait(patience); code != 124 {
		t.Errorf("exit code %d, want 124", code)
	}
	if e := c.waitLog("stop timed out"); fmt.Sprint(e["running"]) != "[stuck check slowdb]" {
		t.Errorf("timeout log = %v, want running [stuck check slowdb]", e)
	}
}

// TestProcess_unusedConnection checks that a client that connected and sent
// nothing just before SIGTERM (a preconnect, a TCP check) does not hold the
// stop: net/http's Shutdown would wait 5 s for it, past this timeout.
func TestProcess_unusedConnection(t *testing.T) {
	t.Parallel()
	const timeout = 4 * time.Second
	c := startChild(t, "DRAIN_DELAY=1s", "DRAIN_MIN=1s", "SHUTDOWN_TIMEOUT="+timeout.String())
	conn, err := net.DialTimeout("tcp", c.addr, patience)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if d := time.Since(signalled); d > 2500*time.Millisecond {
		t.Errorf("exited %s after SIGTERM, want soon after the 1s drain", d)
	}
	if e := c.waitLog("servers stop accepting; waiting for requests in flight"); e["closed_unused_connections"] != float64(1) {
		t.Errorf("stop log = %v, want closed_unused_connections 1", e)
	}
	_ = conn.SetReadDeadline(time.Now().Add(patience))
	if n, err := conn.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Errorf("the unused connection read %d bytes, %v; want it closed", n, err)
	}
}

// TestProcess_contextDone checks that Run with a context already done binds
// nothing (the port is held by the test: binding would fail with code 1),
// starts nothing and still runs every interrupt and cleanup once.
func TestProcess_contextDone(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c := spawn(t, "CTX_DONE=1", "PROBE_ACTOR=1", "CLEANUP=1", "ADDR="+ln.Addr().String())
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	for msg, want := range map[string]int{"probe executed": 0, "probe interrupted": 1, "cleanup ran": 1, "start failed": 0, "listening": 0, "ready": 0} {
		if got := len(c.logs(msg)); got != want {
			t.Errorf("%q logged %d times, want %d", msg, got, want)
		}
	}
}

// TestProcess_stdoutBlocked checks that a stdout nobody reads (a stalled log
// collector) cannot keep the process past SHUTDOWN_TIMEOUT: the group's own
// log lines are written off the stop path.
func TestProcess_stdoutBlocked(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close() // held open, never read: writes block instead of failing
	cmd := testkit.Self(t, "^TestChildProcess$")
	cmd.Env = append(cmd.Env, childEnv+"=1", "ADDR=127.0.0.1:0", "DRAIN_DELAY=0s",
		"SHUTDOWN_TIMEOUT="+timeout.String(), "BLOCK_STDOUT=1",
		"GORACE=atexit_sleep_ms=0") // under -race, exit would sleep 1s
	cmd.Stdout = w
	p := testkit.Start(t, cmd)
	w.Close()
	var addr string
	testkit.Eventually(t, patience, "the child says its address on stderr", func() bool {
		for _, line := range strings.SplitAfter(p.Stderr(), "\n") {
			if a, ok := strings.CutPrefix(line, "addr "); ok && strings.HasSuffix(a, "\n") {
				addr = strings.TrimSuffix(a, "\n")
				return true
			}
		}
		return false
	})
	hc := httpClient(t)
	testkit.Eventually(t, patience, "the child serves /livez", func() bool {
		code, _, _ := fetch(hc, "http://"+addr+"/livez")
		return code == 200
	})
	signalled := time.Now()
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, ok := p.Wait(timeout + 3*time.Second)
	if !ok {
		t.Fatalf("still running %s after SIGTERM with SHUTDOWN_TIMEOUT=%s: a log line held the stop", timeout+3*time.Second, timeout)
	}
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if d := time.Since(signalled); d > timeout+500*time.Millisecond {
		t.Errorf("exited %s after SIGTERM, want within SHUTDOWN_TIMEOUT (%s)", d, timeout)
	}
}
