package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestGroup_Check(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))

	// Both checks wait for each other: run one after the other, the first
	// would time out and readiness would fail.
	var arrived atomic.Int32
	both := make(chan struct{})
	meet := func(ctx context.Context) error {
		if arrived.Add(1) == 2 {
			close(both)
		}
		select {
		case <-both:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	h.g.Check("a", 2*time.Second, meet)
	h.g.Check("b", 2*time.Second, meet)
	h.start(t)
	h.waitLog(t, "ready")
	code, body := get(t, client(t), "http://"+ln.Addr().String()+"/readyz")
	rb := decodeReady(t, body)
	if code != 200 {
		t.Errorf("first readyz = %d, want 200", code)
	}
	if rb.Status != "ready" || len(rb.Checks) != 2 || rb.Checks[0].Status != "ok" || rb.Checks[1].Status != "ok" {
		t.Errorf("readyz = %s, want both checks ok", body)
	}
}

func TestGroup_Check_failing(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))
	h.g.Check("ok", time.Second, func(context.Context) error { return nil })
	h.g.Check("db", time.Second, func(context.Context) error { return errors.New("connection refused") })
	h.g.Check("slow", 100*time.Millisecond, func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	unstick := make(chan struct{})
	h.g.Check("deaf", 100*time.Millisecond, func(context.Context) error { <-unstick; return nil })
	h.g.Check("panics", time.Second, func(context.Context) error { panic("check bug") })
	h.start(t)
	h.waitLog(t, "ready")
	c := client(t)
	begin := time.Now()
	code, body := get(t, c, "http://"+ln.Addr().String()+"/readyz")
	took := time.Since(begin)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("readyz = %d %s, want 503", code, body)
	}
	rb := decodeReady(t, body)
	want := []string{"db", "slow", "deaf", "panics"}
	if rb.Status != "failing" || !slices.Equal(rb.Failing, want) {
		t.Errorf("readyz status %q failing %v, want failing %v", rb.Status, rb.Failing, want)
	}
	byName := map[string]checkResult{}
	for _, r := range rb.Checks {
		byName[r.Name] = r
	}
	for name, w := range map[string]struct{ status, err string }{
		"ok":     {"ok", ""},
		"db":     {"failed", "connection refused"},
		"slow":   {"timeout", ""},
		"deaf":   {"timeout", "no answer within 100ms"},
		"panics": {"failed", "check bug"},
	} {
		got := byName[name]
		if got.Status != w.status || !strings.Contains(got.Error, w.err) {
			t.Errorf("check %s = %+v, want status %s, error containing %q", name, got, w.status, w.err)
		}
	}
	if d := byName["slow"].DurationMS; d < 100 || d > 1000 {
		t.Errorf("slow check took %vms, want about 100ms", d)
	}
	if took > time.Second {
		t.Errorf("readyz took %s: checks did not run concurrently within their timeouts", took)
	}
	// A check that ignores its context cannot hold the stop: Run gives it
	// checkGrace, then abandons it, saying so, and returns.
	h.sigs <- syscall.SIGTERM
	err := h.wait(t, waitFor)
	close(unstick)
	if err != nil {
		t.Fatalf("Run = %v", err)
	}
	if e := h.waitLog(t, "readiness checks ignore their context; abandoned"); !strings.Contains(fmt.Sprint(e.ContextMap()["checks"]), "deaf") {
		t.Errorf("abandoned checks = %v, want deaf named", e.ContextMap()["checks"])
	}
}

func TestGroup_Startup_holdsReadiness(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))
	release := make(chan struct{})
	h.g.Startup("migrate", func(ctx context.Context) error {
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	h.g.Startup("warm", func(context.Context) error { return nil })
	h.start(t)
	c := client(t)
	url := "http://" + ln.Addr().String()
	h.waitLog(t, "startup done")
	code, body := get(t, c, url+"/readyz")
	rb := decodeReady(t, body)
	if code != 503 || rb.Status != "starting" || !slices.Equal(rb.Pending, []string{"migrate"}) {
		t.Fatalf("readyz during startup = %d %s, want 503 starting, pending [migrate]", code, body)
	}
	if code, _ := get(t, c, url+"/livez"); code != 200 {
		t.Errorf("livez during startup = %d, want 200", code)
	}
	close(release)
	waitStatus(t, c, url+"/readyz", 200)
	if n := h.count("ready"); n != 1 {
		t.Errorf("ready logged %d times, want 1", n)
	}
	h.sigs <- syscall.SIGTERM
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil: finished startup work does not stop the group", err)
	}
}

func TestGroup_Startup_fails(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	boom := errors.New("migration 7 failed")
	h.g.Startup("migrate", func(context.Context) error { return boom })
	p := newPair()
	h.g.Add("pair", p.execute, p.interrupt)
	h.start(t)
	if err := h.wait(t, waitFor); !errors.Is(err, boom) || !strings.Contains(err.Error(), `"migrate"`) {
		t.Fatalf("Run = %v, want the startup error naming migrate", err)
	}
	if p.interrupts.Load() != 1 {
		t.Errorf("pair interrupted %d times", p.interrupts.Load())
	}
	if n := h.count("ready"); n != 0 {
		t.Error("ready logged although startup failed")
	}
}

func TestGroup_Startup_cancelledAtStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	cancelled := make(chan error, 1)
	h.g.Startup("migrate", func(ctx context.Context) error {
		<-ctx.Done()
		cancelled <- ctx.Err()
		return ctx.Err()
	})
	h.start(t)
	h.sigs <- syscall.SIGTERM
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil: cancelled startup work is a clean stop", err)
	}
	if err := recv(t, cancelled, "startup context"); !errors.Is(err, context.Canceled) {
		t.Errorf("startup context ended with %v", err)
	}
}

// TestGroup_Run_drainOrder checks the stop order in one process: readiness
// fails at once, servers serve during the drain, then refuse connections
// while requests in flight finish, and actors are interrupted after that.
func TestGroup_Run_drainOrder(t *testing.T) {
	t.Parallel()
	const drain = 500 * time.Millisecond
	h := newHarness(t, Config{DrainDelay: drain, ShutdownTimeout: waitFor})
	ln := localListener(t)
	url := "http://" + ln.Addr().String()
	inFlight := make(chan struct{})
	finish := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(inFlight)
		<-finish
		w.Write([]byte("done"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("hello")) })
	h.g.HTTP("web", mux, WithListener(ln))
	serversDone := make(chan time.Time, 1)
	workerStopped := make(chan time.Time, 1)
	h.g.Go("worker", func(ctx context.Context) error {
		<-ctx.Done()
		workerStopped <- time.Now()
		return nil
	})
	h.start(t)
	c := client(t)
	waitStatus(t, c, url+"/readyz", 200)

	slow := make(chan string, 1)
	go func() {
		code, body := getNoFatal(c, url+"/slow")
		slow <- strconv.Itoa(code) + " " + body
		serversDone <- time.Now()
	}()
	recv(t, inFlight, "slow request in flight")
	begin := time.Now()
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "stopping: signal received")
	if code, body := get(t, c, url+"/readyz"); code != 503 || decodeReady(t, body).Status != "stopping" {
		t.Errorf("readyz during drain = %d %s, want 503 stopping", code, body)
	}
	if code, body := get(t, c, url+"/"); code != 200 || body != "hello" {
		t.Errorf("GET / during drain = %d %q, want 200 hello", code, body)
	}
	if code, _ := get(t, c, url+"/livez"); code != 200 {
		t.Errorf("livez during drain = %d, want 200", code)
	}
	h.waitLog(t, "servers stop accepting; waiting for requests in flight")
	if d := time.Since(begin); d < drain {
		t.Errorf("servers stopped accepting %s after the signal, before the %s drain", d, drain)
	}
	if _, err := c.Get(url + "/"); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("GET after the drain: %v, want connection refused", err)
	}
	select {
	case <-workerStopped:
		t.Error("worker interrupted while a request was in flight")
	default:
	}
	close(finish)
	if got := recv(t, slow, "slow response"); got != "200 done" {
		t.Errorf("in-flight request = %s, want 200 done", got)
	}
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if w, s := recv(t, workerStopped, "worker"), recv(t, serversDone, "servers"); w.Before(s.Add(-50 * time.Millisecond)) {
		t.Errorf("worker stopped at %s, before the request finished at %s", w, s)
	}
}

func getNoFatal(c *http.Client, url string) (int, string) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, err = io.Copy(&b, resp.Body)
	if err != nil {
		return resp.StatusCode, err.Error()
	}
	return resp.StatusCode, b.String()
}

func TestGroup_ManagementPort(t *testing.T) {
	t.Parallel()
	port := testkit.FreePort(t)
	h := newHarness(t, Config{ManagementPort: port, DrainDelay: 300 * time.Millisecond, ShutdownTimeout: waitFor})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))
	h.g.Manage("/debug/level", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("info")) }))
	stopWorker := make(chan struct{})
	h.g.Add("worker", func() error { <-stopWorker; return nil }, func(error) {})
	h.start(t)
	c := client(t)
	mgmt := "http://127.0.0.1:" + strconv.Itoa(port)
	waitStatus(t, c, mgmt+"/readyz", 200)
	if code, body := get(t, c, mgmt+"/debug/level"); code != 200 || body != "info" {
		t.Errorf("management handler = %d %q", code, body)
	}
	if code, _ := get(t, c, "http://"+ln.Addr().String()+"/readyz"); code != 404 {
		t.Errorf("readyz on the main port = %d, want 404 when MANAGEMENT_PORT is set", code)
	}
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "servers stop accepting; waiting for requests in flight")
	// The worker still runs: liveness must answer, readiness must fail.
	if code, _ := get(t, c, mgmt+"/livez"); code != 200 {
		t.Errorf("livez during the stop = %d, want 200", code)
	}
	if code, _ := get(t, c, mgmt+"/readyz"); code != 503 {
		t.Errorf("readyz during the stop = %d, want 503", code)
	}
	close(stopWorker)
	if err := h.wait(t, waitFor); err != nil {
		t.Fatal(err)
	}
}

func TestGroup_Manage_withoutPort(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))
	h.g.Manage("/debug/level", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("info")) }))
	h.start(t)
	h.waitLog(t, "management handlers not served: MANAGEMENT_PORT is not set")
	c := client(t)
	waitStatus(t, c, "http://"+ln.Addr().String()+"/readyz", 200)
	if code, _ := get(t, c, "http://"+ln.Addr().String()+"/debug/level"); code != 404 {
		t.Errorf("management handler on the public port = %d, want 404", code)
	}
}
