//go:build unix

package lifecycle_test

// Tests across the process boundary: the test binary re-executes itself as a
// small service (TestChildProcess), which the tests signal for real, reading
// its JSON log on stdout and its exit code.

import (
	"bytes"
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

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// childEnv names the variable that turns the test binary into the service.
const childEnv = "LIFECYCLE_TEST_CHILD"

// patience bounds every wait on the child.
const patience = 20 * time.Second

// TestChildProcess is the service the process tests start; it is skipped in
// a normal run. It reads ADDR, SHUTDOWN_TIMEOUT, DRAIN_DELAY, STUCK and PANIC.
func TestChildProcess(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("the service run by the process tests")
	}
	os.Exit(childMain())
}

func childMain() int {
	enc := zap.NewProductionEncoderConfig()
	enc.EncodeTime = zapcore.RFC3339NanoTimeEncoder
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.Lock(os.Stdout), zapcore.DebugLevel))
	if os.Getenv("BLOCK_STDOUT") == "" {
		// With stdout stuck, Sync would wait for the lock its writer holds:
		// the test measures Run, which is lifecycle's.
		defer log.Sync()
	}
	dur := func(name string) time.Duration {
		d, err := time.ParseDuration(os.Getenv(name))
		if err != nil {
			log.Fatal("bad duration", zap.String("var", name))
		}
		return d
	}
	cfg := lifecycle.Config{ShutdownTimeout: dur("SHUTDOWN_TIMEOUT"), DrainDelay: dur("DRAIN_DELAY")}
	// A fixed drain unless DRAIN_MIN says otherwise.
	cfg.DrainMin = cfg.DrainDelay
	if os.Getenv("DRAIN_MIN") != "" {
		cfg.DrainMin = dur("DRAIN_MIN")
	}
	if os.Getenv("DRAIN_QUIET") != "" {
		cfg.DrainQuiet = dur("DRAIN_QUIET")
	}
	g := lifecycle.New(cfg, lifecycle.WithLogger(log))

	var inFlight atomic.Int64
	forever := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") })
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(r.URL.Query().Get("d"))
		inFlight.Add(1)
		defer inFlight.Add(-1)
		time.Sleep(d) // the work the request stands for
		io.WriteString(w, "slow done")
	})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		inFlight.Add(1)
		<-forever // a handler that never returns
	})
	mux.HandleFunc("/inflight", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strconv.FormatInt(inFlight.Load(), 10))
	})
	if os.Getenv("BLOCK_STDOUT") != "" {
		// Report the address on stderr, then fill stdout, a pipe nobody
		// reads: every later write to it blocks.
		ln, err := net.Listen("tcp", os.Getenv("ADDR"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "listen:", err)
			return 1
		}
		fmt.Fprintln(os.Stderr, "addr", ln.Addr())
		fillPipe(os.Stdout)
		g.HTTP("web", mux, lifecycle.WithListener(ln))
	} else {
		g.HTTP("web", mux, lifecycle.WithAddr(os.Getenv("ADDR")))
	}
	if os.Getenv("CHECK_HANGS") != "" {
		g.Check("slowdb", 100*time.Millisecond, func(context.Context) error {
			<-forever // a check that ignores its context
			return nil
		})
	}
	if os.Getenv("CLEANUP") != "" {
		g.Cleanup("pool", func(ctx context.Context) error {
			log.Info("cleanup ran")
			return nil
		})
	}
	if os.Getenv("PROBE_ACTOR") != "" {
		stop := make(chan struct{})
		g.Add("probe", func() error {
			log.Info("probe executed")
			<-stop
			return nil
		}, func(error) {
			log.Info("probe interrupted")
			close(stop)
		})
	}
	ctx := context.Background()
	if os.Getenv("CTX_DONE") != "" {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		ctx = cctx
	}
	if os.Getenv("STUCK") != "" {
		g.Add("stuck", func() error { <-forever; return nil }, func(error) {})
	}
	if os.Getenv("PANIC") != "" {
		g.Go("panicky", func(ctx context.Context) error {
			panic("boom-xyz-42")
		})
	}
	code := lifecycle.ExitCode(g.Run(ctx))
	if os.Getenv("BLOCK_STDOUT") != "" {
		fmt.Fprintln(os.Stderr, "run returned", code)
	}
	if os.Getenv("LINGER") != "" {
		// Run has released its signal handlers: a signal now must end the
		// process the default way, before this wait does.
		log.Info("run returned")
		time.Sleep(patience)
	}
	return code
}

// fillPipe writes to f, a pipe, until it holds no more, without blocking.
func fillPipe(f *os.File) {
	fd := int(f.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		fmt.Fprintln(os.Stderr, "nonblock:", err)
		return
	}
	junk := bytes.Repeat([]byte("x"), 4096)
	for {
		if _, err := syscall.Write(fd, junk); err != nil {
			break // EAGAIN: full
		}
	}
	for {
		if _, err := syscall.Write(fd, junk[:1]); err != nil {
			break
		}
	}
	_ = syscall.SetNonblock(fd, false)
}

// child is a running service: its stdout is its JSON log.
type child struct {
	*testkit.Proc
	t    *testing.T
	addr string
}

// startChild starts the service with env and waits until it is ready.
func startChild(t *testing.T, env ...string) *child {
	t.Helper()
	c := spawn(t, env...)
	c.addr = c.waitLog("listening")["addr"].(string)
	c.waitLog("ready")
	return c
}

// spawn starts the service with env (later values win over the defaults).
func spawn(t *testing.T, env ...string) *child {
	t.Helper()
	cmd := testkit.Self(t, "^TestChildProcess$")
	cmd.Env = append(cmd.Env, childEnv+"=1", "ADDR=127.0.0.1:0", "SHUTDOWN_TIMEOUT=10s", "DRAIN_DELAY=0s")
	cmd.Env = append(cmd.Env, env...)
	return &child{Proc: testkit.Start(t, cmd), t: t}
}

// logs returns the entries with message msg.
func (c *child) logs(msg string) []map[string]any {
	c.t.Helper()
	var out []map[string]any
	for _, l := range testkit.Events(c.t, c.Stdout()) {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// waitLog waits for a log entry, failing the test now if none comes before
// patience runs out or the child exits.
func (c *child) waitLog(msg string) map[string]any {
	c.t.Helper()
	e := c.WaitEvent(msg, patience)
	if e == nil {
		c.t.Fatalf("the child did not log %q within %s (exited: %v)", msg, patience, c.HasExited())
	}
	return e
}

// waitNthLog waits until msg has been logged n times, failing the test now
// if that does not happen before patience runs out or the child exits.
func (c *child) waitNthLog(msg string, n int) {
	c.t.Helper()
	got, gone := 0, false
	testkit.Eventually(c.t, patience, fmt.Sprintf("the child logs %q %d times", msg, n), func() bool {
		gone = c.HasExited()
		got = len(c.logs(msg))
		return got >= n || gone
	})
	if got < n {
		c.t.Fatalf("child exited having logged %q %d times, want %d", msg, got, n)
	}
}

func (c *child) signal(s os.Signal) {
	c.t.Helper()
	if err := c.Signal(s); err != nil {
		c.t.Fatalf("signal %s: %v", s, err)
	}
}

// wait waits at most d for the exit and returns its code.
func (c *child) wait(d time.Duration) int {
	c.t.Helper()
	code, ok := c.Wait(d)
	if !ok {
		c.t.Fatalf("child still running %s later", d)
	}
	return code
}

func (c *child) url(path string) string { return "http://" + c.addr + path }

// httpClient returns a client with fresh connections, bounded in time.
func httpClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: patience}
}

func fetch(c *http.Client, url string) (int, string, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// waitInFlight polls the child until n requests are in flight.
func waitInFlight(t *testing.T, hc *http.Client, c *child, n int) {
	t.Helper()
	testkit.Eventually(t, patience, strconv.Itoa(n)+" requests in flight", func() bool {
		_, body, err := fetch(hc, c.url("/inflight"))
		return err == nil && body == strconv.Itoa(n)
	})
}

// TestProcess_inFlightRequestsComplete sends 200 requests of 1 s each, then
// SIGTERM while all are in flight: every one must complete with 200.
func TestProcess_inFlightRequestsComplete(t *testing.T) {
	t.Parallel()
	c := startChild(t, "DRAIN_DELAY=100ms")
	hc := httpClient(t)
	const n = 200
	type result struct {
		code int
		body string
		err  error
	}
	results := make(chan result, n)
	for range n {
		go func() {
			code, body, err := fetch(hc, c.url("/slow?d=1s"))
			results <- result{code, body, err}
		}()
	}
	waitInFlight(t, hc, c, n)
	c.signal(syscall.SIGTERM)
	for i := range n {
		select {
		case r := <-results:
			if r.err != nil || r.code != 200 || r.body != "slow done" {
				t.Errorf("request %d: %d %q %v, want 200 \"slow done\"", i, r.code, r.body, r.err)
			}
		case <-time.After(patience):
			t.Fatalf("only %d of %d requests answered", i, n)
		}
	}
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if got := len(c.logs("stopping: signal received")); got != 1 {
		t.Errorf("signal logged %d times, want 1", got)
	}
}

// TestProcess_drain checks the drain from outside: readiness fails at once
// while ordinary requests still succeed, and after the drain new connections
// are refused while a request in flight finishes.
func TestProcess_drain(t *testing.T) {
	t.Parallel()
	const drain = 1500 * time.Millisecond
	c := startChild(t, "DRAIN_DELAY="+drain.String())
	hc := httpClient(t)
	if code, _, err := fetch(hc, c.url("/readyz")); code != 200 {
		t.Fatalf("readyz before the stop = %d %v, want 200", code, err)
	}
	long := make(chan string, 1)
	go func() {
		code, body, err := fetch(hc, c.url("/slow?d=3s"))
		long <- fmt.Sprint(code, " ", body, " ", err)
	}()
	waitInFlight(t, hc, c, 1)
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	c.waitLog("stopping: signal received")
	code, body, err := fetch(hc, c.url("/readyz"))
	if code != 503 || !strings.Contains(body, `"stopping"`) {
		t.Errorf("readyz during the drain = %d %q %v, want 503 stopping", code, body, err)
	}
	if code, body, err := fetch(hc, c.url("/")); code != 200 || body != "hello" {
		t.Errorf("GET / during the drain = %d %q %v, want 200 hello", code, body, err)
	}
	if code, _, _ := fetch(hc, c.url("/livez")); code != 200 {
		t.Errorf("livez during the drain = %d, want 200", code)
	}
	c.waitLog("servers stop accepting; waiting for requests in flight")
	if d := time.Since(signalled); d < drain {
		t.Errorf("servers stopped accepting %s after SIGTERM, before the %s drain", d, drain)
	}
	conn, err := net.DialTimeout("tcp", c.addr, patience)
	if err == nil {
		conn.Close()
		t.Error("a new connection was accepted after the drain")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial after the drain: %v, want connection refused", err)
	}
	if c.HasExited() {
		t.Error("the child exited before its request in flight finished")
	}
	if got := <-long; got != "200 slow done <nil>" {
		t.Errorf("request in flight = %s, want 200", got)
	}
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}

// TestProcess_repeatedSIGTERM checks that SIGTERM sent again, at once and
// later, never cuts the drain short.
func TestProcess_repeatedSIGTERM(t *testing.T) {
	t.Parallel()
	const drain = time.Second
	c := startChild(t, "DRAIN_DELAY="+drain.String())
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	c.waitLog("stopping: signal received")
	c.signal(syscall.SIGTERM)
	c.waitNthLog("signal ignored; the stop goes on", 1)
	// A late duplicate too: past the gap after which a SIGINT would force.
	<-time.After(time.Until(signalled.Add(700 * time.Millisecond))) // the rule needs real time to pass
	c.signal(syscall.SIGTERM)
	c.waitNthLog("signal ignored; the stop goes on", 2)
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if d := time.Since(signalled); d < drain {
		t.Errorf("exited %s after the first SIGTERM, before the %s drain ended", d, drain)
	}
	if n := len(c.logs("stop forced by a second signal")); n != 0 {
		t.Error("a repeated SIGTERM forced the stop")
	}
}

// TestProcess_SIGINTForces checks that a SIGINT 500 ms or more after the first
// signal ends the process at once with code 130.
func TestProcess_SIGINTForces(t *testing.T) {
	t.Parallel()
	c := startChild(t, "DRAIN_DELAY=15s", "SHUTDOWN_TIMEOUT=18s")
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	c.waitLog("stopping: signal received")
	<-time.After(time.Until(signalled.Add(700 * time.Millisecond))) // the rule needs real time to pass
	forced := time.Now()
	c.signal(syscall.SIGINT)
	if code := c.wait(patience); code != 130 {
		t.Errorf("exit code %d, want 130", code)
	}
	if d := time.Since(forced); d > 3*time.Second {
		t.Errorf("exited %s after the forcing SIGINT, want at once", d)
	}
	e := c.waitLog("stop forced by a second signal")
	if fmt.Sprint(e["running"]) != "[web]" || e["signal"] != "SIGINT" {
		t.Errorf("forced log = %v, want running [web] and signal SIGINT", e)
	}
}

// TestProcess_quickSecondSIGINT checks that a SIGINT right after the first
// (a duplicate from a wrapper, say) does not force.
func TestProcess_quickSecondSIGINT(t *testing.T) {
	t.Parallel()
	const drain = time.Second
	c := startChild(t, "DRAIN_DELAY="+drain.String())
	signalled := time.Now()
	c.signal(syscall.SIGINT)
	c.waitLog("stopping: signal received")
	c.signal(syscall.SIGINT)
	c.waitLog("signal ignored; the stop goes on")
	if code := c.wait(patience); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if d := time.Since(signalled); d < drain {
		t.Errorf("exited %s after SIGINT, before the %s drain ended", d, drain)
	}
}

// TestProcess_stuckActorTimesOut checks that an actor that ignores its
// interrupt makes the process exit with 124 within the timeout plus a margin,
// naming it.
func TestProcess_stuckActorTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	c := startChild(t, "STUCK=1", "SHUTDOWN_TIMEOUT="+timeout.String())
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	if code := c.wait(patience); code != 124 {
		t.Errorf("exit code %d, want 124", code)
	}
	if d := time.Since(signalled); d < timeout*4/5 || d > timeout+time.Second {
		t.Errorf("exited %s after SIGTERM, want about %s (its last tenth is kept for the log), plus a small margin", d, timeout)
	}
	if e := c.waitLog("stop timed out"); fmt.Sprint(e["running"]) != "[stuck]" {
		t.Errorf("timeout log = %v, want running [stuck]", e)
	}
}

// TestProcess_hangingHandlerTimesOut checks that a handler that never returns
// makes the process exit with 124 within the timeout plus a margin, naming
// the server, which is closed rather than waited for.
func TestProcess_hangingHandlerTimesOut(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	c := startChild(t, "SHUTDOWN_TIMEOUT="+timeout.String())
	hc := httpClient(t)
	hung := make(chan error, 1)
	go func() {
		_, _, err := fetch(hc, c.url("/hang"))
		hung <- err
	}()
	waitInFlight(t, hc, c, 1)
	signalled := time.Now()
	c.signal(syscall.SIGTERM)
	if code := c.wait(patience); code != 124 {
		t.Errorf("exit code %d, want 124", code)
	}
	if d := time.Since(signalled); d < timeout*4/5 || d > timeout+time.Second {
		t.Errorf("exited %s after SIGTERM, want about %s (its last tenth is kept for the log), plus a small margin", d, timeout)
	}
	if e := c.waitLog("stop timed out"); fmt.Sprint(e["running"]) != "[web (requests: GET /hang)]" {
		t.Errorf("timeout log = %v, want running [web (requests: GET /hang)]", e)
	}
	select {
	case err := <-hung:
		if err == nil {
			t.Error("the hanging request got an answer")
		}
	case <-time.After(patience):
		t.Error("the hanging request's connection was not closed")
	}
}

// TestProcess_portTaken checks that a taken port fails at once with the
// address in the error.
func TestProcess_portTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	begin := time.Now()
	c := spawn(t, "ADDR="+ln.Addr().String())
	if code := c.wait(patience); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if d := time.Since(begin); d > 5*time.Second {
		t.Errorf("took %s to fail, want at once", d)
	}
	e := c.waitLog("start failed")
	if msg := fmt.Sprint(e["error"]); !strings.Contains(msg, ln.Addr().String()) || !strings.Contains(msg, "address already in use") {
		t.Errorf("start failed error = %q, want the address %s", msg, ln.Addr())
	}
}

// TestProcess_panic checks that a panicking actor stops the group with code 1
// and that the panic's message, the actor and the stack reach the log.
func TestProcess_panic(t *testing.T) {
	t.Parallel()
	c := startChild(t, "PANIC=1")
	if code := c.wait(patience); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	e := c.waitLog("stopping: actor panicked")
	if e["actor"] != "panicky" || e["panic"] != "boom-xyz-42" || !strings.Contains(fmt.Sprint(e["stack"]), "childMain") {
		t.Errorf("panic log = %v, want actor panicky, panic boom-xyz-42 and a stack", e)
	}
	c.waitLog("stopped") // the group still stopped in order
}

// TestProcess_lateSignal checks that Run releases its signal handlers: a
// SIGTERM after Run returned ends the process the default way, with no panic.
func TestProcess_lateSignal(t *testing.T) {
	t.Parallel()
	c := startChild(t, "LINGER=1")
	c.signal(syscall.SIGTERM)
	c.waitLog("run returned")
	c.signal(syscall.SIGTERM)
	c.wait(5 * time.Second)
	state := c.Cmd.ProcessState // set once the child has exited
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("child ended with %v, want killed by SIGTERM: the handlers were not released", state)
	}
	if strings.Contains(c.Stderr(), "panic") {
		t.Errorf("child panicked:\n%s", c.Stderr())
	}
}
