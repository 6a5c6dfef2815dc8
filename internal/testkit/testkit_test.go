package testkit_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		fmt.Printf("child GOCOVERDIR=%v\n", os.Getenv("GOCOVERDIR") != "")
		os.Exit(7)
	}
	goleak.VerifyTestMain(m)
}

func TestFreePort(t *testing.T) {
	port := testkit.FreePort(t)
	ln, err := net.Listen("tcp", testkit.Addr(port))
	if err != nil {
		t.Fatalf("the free port %d cannot be bound: %v", port, err)
	}
	ln.Close()
}

func TestRun(t *testing.T) {
	out, errOut, code := testkit.Run(t, 10*time.Second, exec.Command("sh", "-c", "echo out; echo err >&2; exit 3"))
	if out != "out\n" || errOut != "err\n" || code != 3 {
		t.Errorf("Run = %q %q %d, want out, err, 3", out, errOut, code)
	}
}

// A process that outlives the test is killed with what it started.
func TestStart_killsTheGroup(t *testing.T) {
	var child int
	t.Run("inner", func(t *testing.T) {
		p := testkit.Start(t, exec.Command("sh", "-c", "sleep 60 & echo $!; wait"))
		testkit.Eventually(t, 10*time.Second, "the child's pid printed", func() bool { return len(p.Stdout()) > 1 })
		var err error
		if _, err = fmtSscan(p.Stdout(), &child); err != nil {
			t.Fatal(err)
		}
	})
	testkit.Eventually(t, 10*time.Second, "the grandchild killed", func() bool {
		return syscall.Kill(child, 0) != nil
	})
}

func TestProc_signalAndWait(t *testing.T) {
	p := testkit.Start(t, exec.Command("sh", "-c", "trap 'echo bye; exit 0' TERM; echo up; while :; do sleep 0.05; done"))
	if !p.WaitOutput("up", 10*time.Second) {
		t.Fatal("no up")
	}
	if err := p.Signal(os.Signal(syscall.SIGTERM)); err != nil {
		t.Fatal(err)
	}
	code, ok := p.Wait(10 * time.Second)
	if !ok || code != 0 || !p.WaitOutput("bye", time.Second) {
		t.Errorf("Wait = %d %v, stdout %q", code, ok, p.Stdout())
	}
}

// WaitEvent finds a JSON line by its msg, and stops waiting when the
// process exits without one; HasExited turns true with the exit.
func TestProc_waitEvent(t *testing.T) {
	p := testkit.Start(t, exec.Command("sh", "-c", `echo '{"msg":"a"}'; sleep 60`))
	if ev := p.WaitEvent("a", 10*time.Second); ev == nil || p.HasExited() {
		t.Fatalf("WaitEvent(a) = %v, exited %v; want the event, still running", ev, p.HasExited())
	}
	start := time.Now()
	if ev := p.WaitEvent("b", 200*time.Millisecond); ev != nil || time.Since(start) < 200*time.Millisecond {
		t.Errorf("WaitEvent(b) = %v after %v, want nil after the timeout: b is never written", ev, time.Since(start))
	}
	q := testkit.Start(t, exec.Command("sh", "-c", `echo '{"msg":"b","n":2}'; echo '{"msg":"c"}'`))
	if ev := q.WaitEvent("b", 10*time.Second); ev == nil || ev["n"] != 2.0 {
		t.Errorf("WaitEvent(b) = %v, want the line with n 2", ev)
	}
	start = time.Now()
	if ev := q.WaitEvent("never", 20*time.Second); ev != nil || time.Since(start) > 10*time.Second || !q.HasExited() {
		t.Errorf("WaitEvent(never) = %v after %v, exited %v; want nil as soon as the process exited", ev, time.Since(start), q.HasExited())
	}
}

func TestWithin(t *testing.T) {
	start := time.Now()
	if testkit.Within(50*time.Millisecond, func() bool { return false }) {
		t.Error("Within reported a false condition true")
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 5*time.Second {
		t.Errorf("Within took %v for a 50ms timeout", d)
	}
	var n atomic.Int32
	if !testkit.Within(5*time.Second, func() bool { return n.Add(1) == 3 }) {
		t.Error("Within missed a condition that became true")
	}
}

func TestLoad(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	l := testkit.StartLoad(t, srv.URL, 4, 0)
	l.WaitSent(t, 200, 10*time.Second)
	res := l.Stop()
	if again := l.Stop(); again != res {
		t.Errorf("a second Stop = %+v, want %+v", again, res)
	}
	// Stop lets the requests in flight finish: every one is counted.
	if n := hits.Load(); res.Sent() < 200 || res.Sent() != n {
		t.Errorf("Load = %+v (sent %d), server saw %d: want at least 200, as many as the server saw", res, res.Sent(), n)
	}
	if want := res.Sent() / 10; res.Failed < want-1 || res.Failed > want+1 || res.First != "503 Service Unavailable" {
		t.Errorf("Load = %+v, want about %d failed, the first with 503", res, want)
	}
}

// A POST load sends each worker's body, and Stop waits for the request in
// flight, which is counted.
func TestLoad_postAndStopWaitsForTheRequestInFlight(t *testing.T) {
	entered := make(chan string, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case entered <- r.Method + " " + r.Header.Get("Content-Type") + " " + string(b):
			<-release // the first request stays in flight until released
		default:
		}
	}))
	defer srv.Close()
	l := testkit.StartLoad(t, srv.URL, 1, 0, testkit.Post("application/json", func(worker int) string {
		return fmt.Sprintf(`{"worker":%d}`, worker)
	}))
	select {
	case got := <-entered:
		if got != `POST application/json {"worker":0}` {
			t.Errorf("request = %q, want POST application/json {\"worker\":0}", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no request within 10s")
	}
	stopped := make(chan testkit.LoadResult, 1)
	go func() { stopped <- l.Stop() }()
	if testkit.Within(100*time.Millisecond, func() bool { return len(stopped) > 0 }) {
		t.Error("Stop returned with a request in flight")
	}
	close(release)
	select {
	case res := <-stopped:
		if res.OK != 1 || res.Failed != 0 {
			t.Errorf("Load = %+v, want the one request in flight answered", res)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Stop did not return within 10s of the request's answer")
	}
}

// A paced load sends about one request per interval per worker.
func TestLoad_paced(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	start := time.Now()
	l := testkit.StartLoad(t, srv.URL, 2, 20*time.Millisecond)
	l.WaitSent(t, 20, 10*time.Second)
	res := l.Stop()
	// 2 workers at 20 ms need 200 ms for 20 requests.
	if d := time.Since(start); d < 180*time.Millisecond || res.Failed != 0 {
		t.Errorf("20 requests at 2 x 1/20ms took %v (%+v), want at least 180ms and no failure", d, res)
	}
}

func TestLoad_refused(t *testing.T) {
	l := testkit.StartLoad(t, "http://"+testkit.Addr(testkit.FreePort(t))+"/", 1, 0)
	l.WaitSent(t, 3, 10*time.Second)
	if res := l.Stop(); res.OK != 0 || res.First == "" {
		t.Errorf("Load of a closed port = %+v, want only failures, with the first one's reason", res)
	}
}

func TestPoll(t *testing.T) {
	var calls atomic.Int32
	start := time.Now()
	testkit.Poll(t, 10*time.Second, 30*time.Millisecond, "the third call", func() bool { return calls.Add(1) == 3 })
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("3 calls 30ms apart took %v, want at least 60ms", d)
	}
	var inner testing.T
	done := make(chan struct{})
	go func() { // Fatalf ends the goroutine it runs on
		defer close(done)
		testkit.Poll(&inner, 50*time.Millisecond, 10*time.Millisecond, "never", func() bool { return false })
	}()
	<-done
	if !inner.Failed() {
		t.Error("Poll of a condition that stays false did not fail the test")
	}
}

// TestMain's child mode for TestSelf: print and exit 7.
const childEnv = "TESTKIT_TEST_CHILD"

func TestSelf(t *testing.T) {
	cmd := testkit.Self(t, "^$")
	cmd.Env = append(cmd.Env, childEnv+"=1")
	out, errOut, code := testkit.Run(t, 30*time.Second, cmd)
	if out != "child GOCOVERDIR=true\n" || code != 7 {
		t.Errorf("the child printed %q (stderr %q) and exited %d, want child GOCOVERDIR=true and 7", out, errOut, code)
	}
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }

func TestBuffer(t *testing.T) {
	var b testkit.Buffer
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_, _ = b.Write([]byte("ab"))
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := len(b.String()); got != 800 {
		t.Errorf("4 x 100 writes of 2 bytes left %d bytes, want 800", got)
	}
}

func TestEvents(t *testing.T) {
	got := testkit.Events(t, "{\"msg\":\"a\",\"n\":1}\n\n{\"msg\":\"b\"}\n{\"msg\":\"par")
	want := []map[string]any{{"msg": "a", "n": float64(1)}, {"msg": "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Events = %v, want %v (the partial last line left out)", got, want)
	}
	for _, bad := range []string{"not json\n", "[1]\n", "null\n"} {
		var inner testing.T
		done := make(chan struct{})
		go func() {
			defer close(done)
			testkit.Events(&inner, bad)
		}()
		<-done
		if !inner.Failed() {
			t.Errorf("Events(%q) did not fail the test", bad)
		}
	}
}

func TestBuild(t *testing.T) {
	bin := testkit.Build(t, "testdata/echo")
	if out, _, code := testkit.Run(t, 30*time.Second, exec.Command(bin, "a", "b")); out != "[a b]\n" || code != 0 {
		t.Errorf("the built echo printed %q and exited %d, want [a b] and 0", out, code)
	}
}

func TestBuildMain(t *testing.T) {
	bin, remove, err := testkit.BuildMain("testdata/echo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("BuildMain's binary: %v", err)
	}
	remove()
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Errorf("the binary is still there after remove: %v", err)
	}
	if _, _, err := testkit.BuildMain("testdata/none"); err == nil || !strings.Contains(err.Error(), "testdata/none") {
		t.Errorf("BuildMain of a missing directory: %v, want an error naming it", err)
	}
}

func TestBuildMains(t *testing.T) {
	bins, remove, err := testkit.BuildMains("testdata/echo", "testdata/echo")
	if err != nil {
		t.Fatal(err)
	}
	if len(bins) != 2 || bins[0] == bins[1] {
		t.Fatalf("BuildMains of two programs: %q, want two paths", bins)
	}
	remove()
	for _, bin := range bins {
		if _, err := os.Stat(bin); !os.IsNotExist(err) {
			t.Errorf("%s is still there after remove: %v", bin, err)
		}
	}
	// A temporary directory of its own: other test binaries build in the
	// system's at the same time.
	t.Setenv("TMPDIR", t.TempDir())
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "testkit-*"))
	if _, _, err := testkit.BuildMains("testdata/echo", "testdata/none"); err == nil || !strings.Contains(err.Error(), "testdata/none") {
		t.Errorf("BuildMains with a missing directory: %v, want an error naming it", err)
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "testkit-*"))
	if len(after) > len(before) {
		t.Errorf("a failed BuildMains left %d directories behind", len(after)-len(before))
	}
}

func TestServeTCP(t *testing.T) {
	addr := testkit.ServeTCP(t, nil, func(c net.Conn) {
		buf := make([]byte, 4)
		if _, err := io.ReadFull(c, buf); err == nil {
			_, _ = c.Write(append([]byte("re:"), buf...))
		}
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 7)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "re:ping" {
		t.Errorf("read %q, %v; want re:ping", got, err)
	}
}

// TestBuild_settings: an upper-case NAME=value argument is set in the go
// command's environment, anything else is passed as a flag.
func TestBuild_settings(t *testing.T) {
	bin := testkit.Build(t, "testdata/echo", "GOFLAGS=-ldflags=-X=main.prefix=set", "-buildvcs=false")
	out, err := exec.Command(bin, "a").Output()
	if err != nil || string(out) != "[set a]\n" {
		t.Errorf("echo built with GOFLAGS set: %q, %v; want [set a]", out, err)
	}
}

// TestBuild_overlay: a program whose directory exists only in an -overlay
// is built from the nearest directory above it that exists.
func TestBuild_overlay(t *testing.T) {
	src := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"ghost\") }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target, err := filepath.Abs("testdata/ghost/main.go")
	if err != nil {
		t.Fatal(err)
	}
	overlay := filepath.Join(t.TempDir(), "overlay.json")
	if err := os.WriteFile(overlay, []byte(`{"Replace":{"`+target+`":"`+src+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := testkit.Build(t, "testdata/ghost", "-overlay", overlay)
	if out, err := exec.Command(bin).CombinedOutput(); err != nil || string(out) != "ghost\n" {
		t.Errorf("the overlay's program: %q, %v; want ghost", out, err)
	}
}
