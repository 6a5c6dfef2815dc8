package admin_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// stopsConfig is the configuration of the stops program.
type stopsConfig struct {
	Lifecycle lifecycle.Config
	Logging   logging.Config
}

// stopsMain is a program whose stops meet what ignores its context: a
// setup that fails after registering a cleanup that hangs and then fails, a
// worker that never returns beside a management server, a task whose
// cleanup hangs after the task returned.
func stopsMain(args []string) int {
	var cfg stopsConfig
	app := admin.New("stops", &cfg)
	never := make(chan struct{})
	app.Process("setupfails", "setup fails after registering a cleanup that hangs", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		if err := c.Cleanup("pool", func(context.Context) error {
			<-never // ignores its context
			return errors.New("pool: close failed")
		}); err != nil {
			return err
		}
		return errors.New("setup: the queue is unreachable")
	})
	app.Process("stuckworker", "a worker that ignores its context", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		return g.Go("stuck-worker", func(context.Context) error {
			c.Log.Info("worker started")
			<-never
			return nil
		})
	})
	app.Task("cleanuphangs", "returns at once; its cleanup hangs", func(ctx context.Context, c *admin.Call) error {
		return c.Cleanup("lock", func(context.Context) error {
			<-never
			return nil
		})
	}, admin.WithTimeout(time.Second))
	app.Task("cleanupstuck", "returns at once; its cleanup ignores its context; no timeout", func(ctx context.Context, c *admin.Call) error {
		return c.Cleanup("lock", func(context.Context) error {
			c.Log.Info("cleanup started")
			<-never
			return nil
		})
	})
	app.Task("ignorer", "ignores its context; no timeout", func(ctx context.Context, c *admin.Call) error {
		c.Log.Info("task started")
		<-never
		return nil
	})
	return app.Run(context.Background(), args)
}

// exitIn waits for c and returns its exit code and how long after since it
// exited.
func exitIn(t *testing.T, c *child, since time.Time) (int, time.Duration) {
	t.Helper()
	code := c.wait(t)
	return code, time.Since(since)
}

// TestProcess_setupCleanupBounded: a process type whose setup fails after
// registering a cleanup that ignores its context (and then fails) ends at
// SHUTDOWN_TIMEOUT with 124, naming the cleanup, as the group's own cleanups
// do; it used to hang for ever.
func TestProcess_setupCleanupBounded(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	begin := time.Now()
	c := startProgram(t, "stops", map[string]string{"SHUTDOWN_TIMEOUT": timeout.String(), "DRAIN_DELAY": "0"}, "setupfails")
	code, took := exitIn(t, c, begin)
	if code != lifecycle.ExitTimeout {
		t.Errorf("exit %d, want 124; stderr:\n%s", code, c.errText())
	}
	if took > timeout+3*time.Second {
		t.Errorf("exited %s after start, want about %s", took, timeout)
	}
	if e := c.errText(); !strings.Contains(e, "still running: cleanup pool") || !strings.Contains(e, "the queue is unreachable") {
		t.Errorf("stderr %q, want the stuck cleanup and the setup's error named", e)
	}
}

// TestProcess_taskCleanupNamed: a task that returned while its cleanup hangs
// past WithTimeout exits 124 and the report names the cleanup, not the task.
func TestProcess_taskCleanupNamed(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	c := startProgram(t, "stops", nil, "cleanuphangs")
	code, took := exitIn(t, c, begin)
	if code != lifecycle.ExitTimeout {
		t.Errorf("exit %d, want 124", code)
	}
	if took > 4*time.Second {
		t.Errorf("exited %s after start, want about 1s", took)
	}
	lines := c.errLines()
	if len(lines) != 1 || !strings.Contains(lines[0], "the task returned, but its cleanup lock ran past its timeout") {
		t.Errorf("stderr %q, want the cleanup named", lines)
	}
	evs := c.events(t, "task timed out")
	if len(evs) != 1 || evs[0]["running"] != "cleanup lock" {
		t.Errorf("want one \"task timed out\" event with running \"cleanup lock\":\n%s", c.outText())
	}
}

// TestProcess_timeoutNamesOnlyStuck: the timeout's report names the worker
// that ignores its context, not the management server waiting its turn.
func TestProcess_timeoutNamesOnlyStuck(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	c := startProgram(t, "stops", map[string]string{
		"SHUTDOWN_TIMEOUT": timeout.String(), "DRAIN_DELAY": "0", "MANAGEMENT_PORT": strconv.Itoa(testkit.FreePort(t)),
	}, "stuckworker")
	c.waitLine(t, "worker started")
	signalled := time.Now()
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, took := exitIn(t, c, signalled)
	if code != lifecycle.ExitTimeout {
		t.Errorf("exit %d, want 124", code)
	}
	if took > timeout+time.Second {
		t.Errorf("exited %s after SIGTERM, want within %s plus a margin", took, timeout)
	}
	evs := c.events(t, "stop timed out")
	if len(evs) != 1 || fmt.Sprint(evs[0]["running"]) != "[stuck-worker]" {
		t.Errorf("want one \"stop timed out\" event naming only stuck-worker:\n%s", c.outText())
	}
}

// TestProcess_taskForcedInCleanup: a SIGINT that forces the stop of a task
// whose cleanup ignores its context exits 130 and names the cleanup.
func TestProcess_taskForcedInCleanup(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "stops", nil, "cleanupstuck")
	c.waitLine(t, "cleanup started")
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.waitLine(t, "stopping: signal received")
	c.forceWithSIGINTs(t)
	if code := c.wait(t); code != lifecycle.ExitForced {
		t.Errorf("exit %d, want 130", code)
	}
	if lines := c.errLines(); len(lines) != 1 || !strings.Contains(lines[0], "the task returned, but its cleanup lock had not") {
		t.Errorf("stderr %q, want the cleanup named", lines)
	}
}

// TestProcess_taskStopBounded: a task without WithTimeout that ignores its
// context, once a SIGTERM cancelled it, gets SHUTDOWN_TIMEOUT to return, as
// a process type's stop: then 124, naming the task.
func TestProcess_taskStopBounded(t *testing.T) {
	t.Parallel()
	const timeout = time.Second
	c := startProgram(t, "stops", map[string]string{"SHUTDOWN_TIMEOUT": timeout.String(), "PORT": "not a port"}, "ignorer")
	c.waitLine(t, "task started")
	signalled := time.Now()
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, took := exitIn(t, c, signalled)
	if code != lifecycle.ExitTimeout {
		t.Errorf("exit %d, want 124", code)
	}
	if took > timeout+2*time.Second {
		t.Errorf("exited %s after SIGTERM, want about %s", took, timeout)
	}
	if lines := c.errLines(); len(lines) != 1 || !strings.Contains(lines[0], "the task ran past SHUTDOWN_TIMEOUT (1s) after the signal") {
		t.Errorf("stderr %q, want the task named with SHUTDOWN_TIMEOUT", lines)
	}
}
