//go:build unix

package logging_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// stallChildEnv switches the test binary into the child of the stalled and
// closed stdout tests: it serves stallRequests requests through Middleware,
// logging to its real stdout with LOG_BUFFER from its environment, and
// reports on stderr.
const stallChildEnv = "LOGGING_TEST_STALL_CHILD"

// stallRequests is enough request events (about 300 bytes each) to fill a
// pipe's buffer (64 KiB on Linux) several times over.
const stallRequests = 3000

func stallChild() {
	buffer, _ := strconv.Atoi(os.Getenv("LOG_BUFFER"))
	log := logging.New(logging.Config{Buffer: buffer})
	h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	r := httptest.NewRequest(http.MethodGet, "/orders/7", nil)
	for range stallRequests {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	fmt.Fprintln(os.Stderr, "served")
	err := log.Sync()
	fmt.Fprintln(os.Stderr, "synced", err)
	os.Exit(exitStopped)
}

// startStallChild starts the child of the stalled and closed stdout tests
// with LOG_BUFFER=buffer; see startPipedChild.
func startStallChild(t *testing.T, buffer string) (*os.File, *testkit.Proc) {
	t.Helper()
	return startPipedChild(t, "^TestStdout_", stallChildEnv+"=1", "LOG_BUFFER="+buffer)
}

// startPipedChild runs the test binary again (tests matching run) with
// env, its stdout a pipe that the test reads only when it chooses, and
// returns the pipe's reading end and the child. Reads from the pipe fail
// after 90s, so that a child that never ends cannot hold the test.
func startPipedChild(t *testing.T, run string, env ...string) (*os.File, *testkit.Proc) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	if err := r.SetReadDeadline(time.Now().Add(90 * time.Second)); err != nil {
		t.Fatal(err)
	}
	cmd := testkit.Self(t, run)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdout = w
	p := testkit.Start(t, cmd)
	_ = w.Close() // the child holds its own copy
	return r, p
}

// await returns the first stderr line of the child that starts with
// prefix, or "" when d passes, or the child exits, first.
func await(p *testkit.Proc, prefix string, d time.Duration) string {
	var found string
	testkit.Within(d, func() bool {
		exited := p.HasExited() // read before stderr: all of it is in then
		for l := range strings.Lines(p.Stderr()) {
			if strings.HasPrefix(l, prefix) && strings.HasSuffix(l, "\n") {
				found = strings.TrimSuffix(l, "\n")
				return true
			}
		}
		return exited
	})
	return found
}

// TestStdout_stalledBlocks shows the default: while nobody reads stdout, a
// logged request does not finish; once stdout is read again, every event
// is there.
func TestStdout_stalledBlocks(t *testing.T) {
	if os.Getenv(stallChildEnv) == "1" {
		stallChild()
		return
	}
	t.Parallel()
	stdout, child := startStallChild(t, "0")
	// The child needs well under a second for its requests; blocked on the
	// full pipe it does not get through them in 3 s.
	if l := await(child, "served", 3*time.Second); l != "" {
		t.Fatal("the child served every request while its stdout was not read; want it blocked")
	}
	n := countRequests(t, stdout)
	if l := await(child, "synced", 30*time.Second); l != "synced <nil>" {
		t.Fatalf("after draining stdout the child says %q, want synced <nil>", l)
	}
	if n.requests != stallRequests || n.dropped != 0 {
		t.Errorf("stdout had %d request events and %d dropped, want %d and 0", n.requests, n.dropped, stallRequests)
	}
	waitExit(t, child, exitStopped)
}

// TestStdout_stalledDropsWithBuffer shows LOG_BUFFER: while nobody reads
// stdout, requests go on, events beyond the bound are dropped, and once
// stdout is read again, one event reports how many.
func TestStdout_stalledDropsWithBuffer(t *testing.T) {
	if os.Getenv(stallChildEnv) == "1" {
		stallChild()
		return
	}
	t.Parallel()
	stdout, child := startStallChild(t, "100")
	if l := await(child, "served", 30*time.Second); l == "" {
		t.Fatal("the child did not say it served its requests (within 30s, while alive) while stdout was not read; want it not blocked")
	}
	n := countRequests(t, stdout)
	if l := await(child, "synced", 30*time.Second); l != "synced <nil>" {
		t.Fatalf("after draining stdout the child says %q, want synced <nil>", l)
	}
	// Events may also be dropped, and reported, before the pipe fills: a
	// queue of 100 is short beside a child that logs as fast as it can.
	if n.dropped == 0 || n.reports == 0 || n.requests+n.dropped != stallRequests {
		t.Errorf("stdout had %d request events, %d reports of %d dropped; want reports and %d in all",
			n.requests, n.reports, n.dropped, stallRequests)
	}
	waitExit(t, child, exitStopped)
}

// TestStdout_closedKillsBySIGPIPE documents a closed stdout: the first
// event written to a pipe whose reader has gone kills the process with
// SIGPIPE (exit status 141 in a shell), as Go does for writes to fd 1 and 2
// when the program does not handle SIGPIPE; with LOG_BUFFER as well.
func TestStdout_closedKillsBySIGPIPE(t *testing.T) {
	if os.Getenv(stallChildEnv) == "1" {
		stallChild()
		return
	}
	t.Parallel()
	for _, buffer := range []string{"0", "100"} {
		stdout, child := startStallChild(t, buffer)
		_ = stdout.Close() // the reader goes away
		if l := await(child, "synced", 30*time.Second); l != "" {
			t.Errorf("LOG_BUFFER=%s: the child went on to %q with its stdout closed", buffer, l)
		}
		if _, ok := child.Wait(30 * time.Second); !ok {
			t.Fatalf("LOG_BUFFER=%s: the child still runs 30s after its stdout closed, want killed by SIGPIPE", buffer)
		}
		state := child.Cmd.ProcessState // set once the child has exited
		ws, ok := state.Sys().(syscall.WaitStatus)
		if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGPIPE {
			t.Errorf("LOG_BUFFER=%s: child ended with %v, want killed by SIGPIPE", buffer, state)
		}
	}
}

type requestCount struct{ requests, reports, dropped int }

// countRequests reads stdout to its end.
func countRequests(t *testing.T, stdout io.Reader) requestCount {
	t.Helper()
	var n requestCount
	sc := bufio.NewScanner(stdout)
	defer func() {
		if err := sc.Err(); err != nil {
			t.Errorf("reading the child's stdout: %v", err)
		}
	}()
	for sc.Scan() {
		ev := decode(t, sc.Text())
		switch {
		case ev["msg"] == "request":
			n.requests++
		case ev["dropped"] != nil:
			n.reports++
			d, _ := strconv.Atoi(fmt.Sprint(ev["dropped"]))
			n.dropped += d
		}
	}
	return n
}

func waitExit(t *testing.T, p *testkit.Proc, code int) {
	t.Helper()
	got, ok := p.Wait(30 * time.Second)
	if !ok {
		t.Fatalf("the child did not exit within 30s, want code %d", code)
	}
	if got != code {
		t.Errorf("child exit code %d, want %d", got, code)
	}
}
