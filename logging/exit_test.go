//go:build unix

package logging_test

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

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
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestNew_lastEventSurvivesSIGTERM$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", "RELEASE=child-release", "DYNO=child.1")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := false
	t.Cleanup(func() { // when the test stops early, stop the child too
		if !waited {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})

	var lines []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	signalled := false
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !signalled && decode(t, sc.Text())["msg"] == "ready" {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatalf("sending SIGTERM: %v", err)
			}
			signalled = true
		}
	}
	err = cmd.Wait()
	waited = true
	if ctx.Err() != nil {
		t.Fatalf("the child did not exit within 30s; it wrote %d lines", len(lines))
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitStopped {
		t.Fatalf("child exit = %v, want code %d", err, exitStopped)
	}
	if !signalled {
		t.Fatalf("the child never logged ready; stdout:\n%v", lines)
	}

	// ready, the signal event, burst events, stopped: in that order, nothing
	// lost, nothing after.
	if want := burst + 3; len(lines) != want {
		t.Fatalf("got %d lines, want %d", len(lines), want)
	}
	for i, l := range lines {
		ev := decode(t, l)
		var want string
		switch {
		case i == 0:
			want = "ready"
		case i == 1:
			want = "signal received"
		case i == len(lines)-1:
			want = "stopped"
		default:
			want = "draining"
			if ev["n"] != num(strconv.Itoa(i-2)) {
				t.Fatalf("line %d: n = %v, want %d", i, ev["n"], i-2)
			}
		}
		if ev["msg"] != want || ev["release"] != "child-release" || ev["instance"] != "child.1" {
			t.Fatalf("line %d = %s; want msg %q with release and instance", i, l, want)
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
