package testkit_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := testkit.Load(ctx, srv.URL, 4, 100, 0)
	if res.OK != 90 || res.Failed != 10 {
		t.Errorf("Load = %+v, want 90 ok and 10 failed of 100", res)
	}
}

func fmtSscan(s string, v *int) (int, error) { return fmt.Sscan(s, v) }
