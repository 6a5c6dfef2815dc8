//go:build unix

package lifecycle_test

// Tests of the stop machine across the process boundary: the test binary
// re-executes itself as a service (TestStopChild) with the clients a real
// service has (streams, long polls, slow uploads, a hijacked connection), a
// serving actor whose stop fails, or a stdout nobody reads; the tests signal
// it and read its exit code, when it exited, stderr and its log.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// stopChildEnv names the variable that turns the test binary into the
// service of these tests.
const stopChildEnv = "LIFECYCLE_STOP_CHILD"

// TestStopChild is the service the stop machine's tests start; it is
// skipped in a normal run. It reads SHUTDOWN_TIMEOUT, SCENARIO, LOG_BUFFER
// and BLOCK_STDOUT, and says on stderr its address and Run's error.
func TestStopChild(t *testing.T) {
	if os.Getenv(stopChildEnv) == "" {
		t.Skip("the service run by the stop machine's tests")
	}
	os.Exit(stopChildMain())
}

func stopChildMain() int {
	buffer, _ := strconv.Atoi(os.Getenv("LOG_BUFFER"))
	log := logging.New(logging.Config{Buffer: buffer})
	timeout, err := time.ParseDuration(os.Getenv("SHUTDOWN_TIMEOUT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad SHUTDOWN_TIMEOUT")
		return 2
	}
	g := lifecycle.New(lifecycle.Config{ShutdownTimeout: timeout}, lifecycle.WithLogger(log))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		return 2
	}
	fmt.Fprintln(os.Stderr, "addr", ln.Addr())
	if os.Getenv("BLOCK_STDOUT") != "" {
		fillPipe(os.Stdout) // every later write to stdout blocks
	}

	var inFlight atomic.Int64
	count := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			inFlight.Add(1)
			defer inFlight.Add(-1)
			h(w, r)
		}
	}
	never := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/inflight", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strconv.FormatInt(inFlight.Load(), 10))
	})
	// A server-sent event stream: one event every 50 ms until the
	// request's context is done.
	mux.HandleFunc("/sse", count(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				io.WriteString(w, "data: tick\n\n")
				http.NewResponseController(w).Flush()
			}
		}
	}))
	// A long poll of 20 s that returns when its context is done.
	mux.HandleFunc("/poll", count(func(w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(20 * time.Second)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
			io.WriteString(w, "nothing new")
		}
	}))
	// An upload read to its end, however slowly the client sends it.
	mux.HandleFunc("/upload", count(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "got %d bytes", n)
	}))
	// A hijacked connection, as a websocket's: told to close by
	// ShuttingDown, it says goodbye (a close frame 1001) and returns.
	mux.HandleFunc("/ws", count(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\nopen\n")
		rw.Flush()
		select {
		case <-g.ShuttingDown():
			io.WriteString(conn, "close 1001 going away\n")
		case <-r.Context().Done():
			io.WriteString(conn, "context done\n")
		}
	}))
	// A handler that ignores its context.
	mux.HandleFunc("/hang", count(func(w http.ResponseWriter, r *http.Request) {
		<-never
	}))
	g.HTTP("web", mux, lifecycle.WithListener(ln))

	switch os.Getenv("SCENARIO") {
	case "cleanup-hangs":
		// A cleanup that ignores its context, and a worker that honours
		// its own: only the cleanup is stuck.
		g.Go("worker", func(ctx context.Context) error { <-ctx.Done(); return nil })
		g.Cleanup("pool", func(context.Context) error { <-never; return errors.New("pool: close failed") })
	case "serve-panics", "serve-fails":
		// A serving actor whose stop does not make serve return: it panics,
		// or returns an error. serve itself ignores its context.
		panics := os.Getenv("SCENARIO") == "serve-panics"
		g.Serve("rpc", func(ctx context.Context, ready func()) error {
			ready()
			<-never
			return nil
		}, func(ctx context.Context) error {
			if panics {
				panic("stop-boom-7")
			}
			return errors.New("stop-failed-9")
		})
	}
	err = g.Run(context.Background())
	fmt.Fprintf(os.Stderr, "run returned: %v\n", err)
	code := lifecycle.ExitCode(err)
	_ = log.Sync() // main's own Sync: it must not hold the process past the deadline
	return code
}

// stopChild is a running service of TestStopChild.
type stopChild struct {
	*testkit.Proc
	t    *testing.T
	addr string
}

// startStop starts the service with env. With blockStdout, its stdout is a
// pipe nobody reads (and the child fills it); otherwise it is read.
func startStop(t *testing.T, blockStdout bool, env ...string) *stopChild {
	t.Helper()
	cmd := testkit.Self(t, "^TestStopChild$")
	cmd.Env = append(cmd.Env, stopChildEnv+"=1", "GORACE=atexit_sleep_ms=0")
	cmd.Env = append(cmd.Env, env...)
	if blockStdout {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() }) // held open, never read
		cmd.Env = append(cmd.Env, "BLOCK_STDOUT=1")
		cmd.Stdout = w
		defer w.Close() // the child holds its own copy
	}
	c := &stopChild{Proc: testkit.Start(t, cmd), t: t}
	exited := false
	testkit.Eventually(t, patience, "the child says its address", func() bool {
		exited = c.HasExited() // read before stderr: all of it is in then
		for l := range strings.Lines(c.Stderr()) {
			if a, ok := strings.CutPrefix(l, "addr "); ok && strings.HasSuffix(a, "\n") {
				c.addr = strings.TrimSuffix(a, "\n")
				return true
			}
		}
		return exited
	})
	if c.addr == "" {
		t.Fatalf("child exited with %d before saying its address", c.Cmd.ProcessState.ExitCode())
	}
	return c
}

func (c *stopChild) errText() string { return c.Stderr() }

// logged returns the log lines with message msg.
func (c *stopChild) logged(msg string) []string {
	var out []string
	for l := range strings.Lines(c.Stdout()) {
		if strings.Contains(l, `"msg":"`+msg+`"`) {
			out = append(out, strings.TrimSuffix(l, "\n"))
		}
	}
	return out
}

func (c *stopChild) signal(s os.Signal) time.Time {
	c.t.Helper()
	if err := c.Signal(s); err != nil {
		c.t.Fatalf("signal %s: %v", s, err)
	}
	return time.Now()
}

// wantExit waits for the exit and fails the test unless the exit code is
// code and the child was gone at most within after since (the first
// signal); bound says what within stands for, such as "at once".
func (c *stopChild) wantExit(since time.Time, code int, within time.Duration, bound string) {
	c.t.Helper()
	got, ok := c.Wait(patience + 30*time.Second)
	if !ok {
		c.t.Fatal("child still running")
	}
	took := time.Since(since)
	if got != code {
		c.t.Errorf("exit code %d, want %d", got, code)
	}
	if took > within {
		c.t.Errorf("exited %s after SIGTERM, want %s (%s)", took, bound, within)
	}
}

// waitInFlight polls the child until n requests are in flight.
func (c *stopChild) waitInFlight(n int) {
	c.t.Helper()
	hc := httpClient(c.t)
	testkit.Eventually(c.t, patience, strconv.Itoa(n)+" requests in flight", func() bool {
		_, body, err := fetch(hc, "http://"+c.addr+"/inflight")
		return err == nil && body == strconv.Itoa(n)
	})
}

// clients starts the clients every test of streams has: an SSE stream, a
// long poll, a slow upload (a byte every 100 ms) and a hijacked connection.
// The channel it returns gets what the hijacked connection's client read
// once its connection ended.
func (c *stopChild) clients() <-chan string {
	c.t.Helper()
	hc := httpClient(c.t)
	ctx, cancel := context.WithCancel(context.Background())
	c.t.Cleanup(cancel)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+"/sse", nil)
		if resp, err := hc.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.addr+"/poll", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	go func() {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if _, err := conn.Write([]byte("x")); err != nil {
					return
				}
			}
		}
	}()
	ws := make(chan string, 1)
	go func() {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			ws <- err.Error()
			return
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: test\r\nConnection: Upgrade\r\n\r\n")
		_ = conn.SetReadDeadline(time.Now().Add(patience + 30*time.Second))
		b, _ := io.ReadAll(conn)
		ws <- string(b)
	}()
	return ws
}

// TestStop_clientsHonouringContextExit0: streams, long polls, a slow upload
// and a hijacked connection, every one of which honours its context or
// ShuttingDown, no longer hold the stop to SHUTDOWN_TIMEOUT: the process
// exits 0 well inside it, and the hijacked connection's client is told.
func TestStop_clientsHonouringContextExit0(t *testing.T) {
	t.Parallel()
	const timeout = 4 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String())
	ws := c.clients()
	c.waitInFlight(4)
	// The requests' grace is half of what is left: about 1.9 s here.
	c.wantExit(c.signal(syscall.SIGTERM), 0, timeout*3/4, "well inside SHUTDOWN_TIMEOUT")
	select {
	case got := <-ws:
		if !strings.Contains(got, "close 1001") {
			t.Errorf("the hijacked connection's client read %q, want the close it was told", got)
		}
	case <-time.After(patience):
		t.Error("the hijacked connection was never closed")
	}
}

// TestStop_onlyIgnoringHandlerNamed: beside the same clients, a handler
// that ignores its context makes the stop time out (124), and it alone is
// named, by its server and its request.
func TestStop_onlyIgnoringHandlerNamed(t *testing.T) {
	t.Parallel()
	const timeout = 3 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String())
	c.clients()
	go func() {
		if resp, err := httpClient(t).Get("http://" + c.addr + "/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	c.waitInFlight(5)
	c.wantExit(c.signal(syscall.SIGTERM), 124, timeout+time.Second, "within SHUTDOWN_TIMEOUT and a margin")
	lines := c.logged("stop timed out")
	if len(lines) != 1 || !strings.Contains(lines[0], `"running":["web (requests: GET /hang)"]`) {
		t.Errorf("timeout logged as %q, want running only web's GET /hang", lines)
	}
}

// TestStop_serveStopPanics: a serving actor's stop that panics (and so never
// makes serve return) gives the PanicError's exit code 1 at once, not 124
// after the whole timeout, and the error does not say the stop began with
// the panic: SIGTERM began it.
func TestStop_serveStopPanics(t *testing.T) {
	t.Parallel()
	const timeout = 10 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String(), "SCENARIO=serve-panics")
	c.waitInFlight(0)
	c.wantExit(c.signal(syscall.SIGTERM), 1, timeout/2, "at once, well before SHUTDOWN_TIMEOUT")
	e := c.errText()
	if !strings.Contains(e, "stop-boom-7") || strings.Contains(e, "began with") {
		t.Errorf("stderr %q, want the panic, and not that the stop began with it", e)
	}
	if len(c.logged("interrupt panicked")) != 1 {
		t.Errorf("want the panic logged once")
	}
}

// TestStop_serveStopFails: a serving actor's stop that returns an error
// without making serve return has its error logged, and the stop goes on
// at once: exit 0, not 124 after the whole timeout.
func TestStop_serveStopFails(t *testing.T) {
	t.Parallel()
	const timeout = 10 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String(), "SCENARIO=serve-fails")
	c.waitInFlight(0)
	c.wantExit(c.signal(syscall.SIGTERM), 0, timeout/2, "at once, well before SHUTDOWN_TIMEOUT")
	if l := c.logged("stop of a serving actor returned an error"); len(l) != 1 || !strings.Contains(l[0], "stop-failed-9") {
		t.Errorf("logged %q, want the stop's error", l)
	}
}

// TestStop_finalFlushBounded: with a stdout nobody reads, the process is
// gone within SHUTDOWN_TIMEOUT, main's own Sync after Run included, with and
// without LOG_BUFFER; the stop itself was clean, so it exits 0.
func TestStop_finalFlushBounded(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	for _, buffer := range []string{"0", "100"} {
		t.Run("LOG_BUFFER="+buffer, func(t *testing.T) {
			t.Parallel()
			c := startStop(t, true, "SHUTDOWN_TIMEOUT="+timeout.String(), "LOG_BUFFER="+buffer)
			c.waitInFlight(0)
			c.wantExit(c.signal(syscall.SIGTERM), 0, timeout+time.Second, "within SHUTDOWN_TIMEOUT and a margin")
		})
	}
}

// TestStop_signalDuringFinalFlush: a second SIGTERM while the final flush
// waits for a stdout nobody reads does not turn the clean stop into 143.
func TestStop_signalDuringFinalFlush(t *testing.T) {
	t.Parallel()
	const timeout = 3 * time.Second
	c := startStop(t, true, "SHUTDOWN_TIMEOUT="+timeout.String())
	c.waitInFlight(0)
	first := c.signal(syscall.SIGTERM)
	// The stop has nothing to wait for; the flush holds until the deadline.
	// The second signal comes half way, as a platform repeats SIGTERM.
	select {
	case <-c.Exited():
		t.Fatalf("exited with %d before the second signal", c.Cmd.ProcessState.ExitCode())
	case <-time.After(timeout / 2):
	}
	c.signal(syscall.SIGTERM)
	c.wantExit(first, 0, timeout+time.Second, "within SHUTDOWN_TIMEOUT and a margin")
}

// TestStop_cleanupIgnoringContextNamed: a cleanup that ignores its context
// ends the stop at SHUTDOWN_TIMEOUT with 124, and it alone is named.
func TestStop_cleanupIgnoringContextNamed(t *testing.T) {
	t.Parallel()
	const timeout = 2 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String(), "SCENARIO=cleanup-hangs")
	c.waitInFlight(0)
	c.wantExit(c.signal(syscall.SIGTERM), 124, timeout+time.Second, "within SHUTDOWN_TIMEOUT and a margin")
	if l := c.logged("stop timed out"); len(l) != 1 || !strings.Contains(l[0], `"running":["cleanup pool"]`) {
		t.Errorf("timeout logged as %q, want running only cleanup pool", l)
	}
}

// TestStop_forcedNamesStuckRequest: a SIGINT that forces the stop while the
// servers wait for their requests exits 130 and names the request that
// ignores its context, not the streams that were told to finish.
func TestStop_forcedNamesStuckRequest(t *testing.T) {
	t.Parallel()
	const timeout = 20 * time.Second
	c := startStop(t, false, "SHUTDOWN_TIMEOUT="+timeout.String())
	c.clients()
	go func() {
		if resp, err := httpClient(t).Get("http://" + c.addr + "/hang"); err == nil {
			resp.Body.Close()
		}
	}()
	c.waitInFlight(5)
	first := c.signal(syscall.SIGTERM)
	// The grace is about 9.9 s; the SIGINT comes once it has passed.
	testkit.Eventually(t, patience, "the requests' grace ended", func() bool {
		return len(c.logged("requests still running after their grace: contexts cancelled, connections closed")) > 0
	})
	c.signal(syscall.SIGINT)
	c.wantExit(first, 130, timeout, "before SHUTDOWN_TIMEOUT")
	if l := c.logged("stop forced by a second signal"); len(l) != 1 || !strings.Contains(l[0], `"running":["web (requests: GET /hang)"]`) {
		t.Errorf("forced stop logged as %q, want running only web's GET /hang", l)
	}
}
