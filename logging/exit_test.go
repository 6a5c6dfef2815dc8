//go:build unix

package logging_test

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// childEnv switches the test binary, run again by
// TestNew_lastEventSurvivesSIGTERM, into the child that logs and is stopped.
const childEnv = "LOGGING_TEST_SIGTERM_CHILD"

// burst is how many events the child writes between SIGTERM and its exit.
const burst = 2000

// exitStopped is the child's exit code after a clean stop: os.Exit(0) panics
// inside a test, and a distinct code shows the child got as far as exiting.
const exitStopped = 3

// TestNew_lastEventSurvivesSIGTERM runs the test binary again as a child
// process that logs to its real stdout (a pipe), sends it a real SIGTERM,
// and checks that every event it logged after the signal, up to the last one
// before os.Exit, reached the parent.
func TestNew_lastEventSurvivesSIGTERM(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		sigtermChild()
		return
	}
	t.Parallel()
	cmd := testkit.Self(t, "^TestNew_lastEventSurvivesSIGTERM$")
	cmd.Env = append(cmd.Env, childEnv+"=1", "RELEASE=child-release", "DYNO=child.1")
	child := testkit.Start(t, cmd)
	if !child.WaitOutput(`"msg":"ready"`, 20*time.Second) {
		t.Fatalf("the child never logged ready; stdout:\n%s", child.Stdout())
	}
	if err := child.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("sending SIGTERM: %v", err)
	}
	code, ok := child.Wait(30 * time.Second)
	if !ok {
		t.Fatal("the child did not exit within 30s of SIGTERM")
	}
	if code != exitStopped {
		t.Fatalf("child exit code %d, want %d", code, exitStopped)
	}
	// ready, the signal event, burst events, stopped: in that order, nothing
	// lost, nothing after (a last line cut short is not counted).
	events := testkit.Events(t, child.Stdout())
	if want := burst + 3; len(events) != want {
		t.Fatalf("got %d events, want %d", len(events), want)
	}
	for i, ev := range events {
		var want string
		switch {
		case i == 0:
			want = "ready"
		case i == 1:
			want = "signal received"
		case i == len(events)-1:
			want = "stopped"
		default:
			want = "draining"
			if ev["n"] != float64(i-2) {
				t.Fatalf("line %d: n = %v, want %d", i, ev["n"], i-2)
			}
		}
		if ev["msg"] != want || ev["release"] != "child-release" || ev["instance"] != "child.1" {
			t.Fatalf("line %d = %v; want msg %q with release and instance", i, ev, want)
		}
	}
}

// sigtermChild is the child: it logs to stdout, waits for SIGTERM, logs a
// burst, syncs and exits the way a service's main does.
func sigtermChild() {
	log := logging.New(logging.Config{Service: "child"})
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	log.Info("ready")
	timeout := time.NewTimer(20 * time.Second)
	select {
	case <-ctx.Done():
	case <-timeout.C:
		log.Error("no SIGTERM within 20s")
		os.Exit(1)
	}
	timeout.Stop()
	log.Info("signal received", zap.String("signal", "SIGTERM"))
	for i := range burst {
		log.Info("draining", zap.Int("n", i))
	}
	log.Info("stopped")
	if err := log.Sync(); err != nil {
		log.Error("sync failed", zap.Error(err))
		os.Exit(2)
	}
	os.Exit(exitStopped)
}
