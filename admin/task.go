package admin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/twelvekit/twelvekit/lifecycle"
	"go.uber.org/zap"
)

// forceGap is how long after the first signal a SIGINT must arrive to force
// a task's stop: lifecycle's rule for process types.
const forceGap = 500 * time.Millisecond

// errTimeout is the cause of a task's context cancelled by WithTimeout.
var errTimeout = errors.New("admin: task timed out")

// defaultShutdownTimeout is lifecycle's, for a ShutdownTimeout of 0.
const defaultShutdownTimeout = 25 * time.Second

func (r *run) runProcess(ctx context.Context, c *command, call *Call) int {
	lc := *r.rd.lifecycle
	g := lifecycle.New(lc, lifecycle.WithLogger(r.log.With(zap.String("process", c.name))))
	call.mu.Lock()
	call.g = g
	call.mu.Unlock()
	err := c.process(ctx, call, g)
	if err != nil {
		// The group is not run: nothing it holds has started, and nothing
		// is bound. The cleanups registered so far run here instead.
		fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
		d := lc.ShutdownTimeout
		if d <= 0 {
			d = defaultShutdownTimeout
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d)
		defer cancel()
		_ = call.runCleanups(cctx)
		return lifecycle.ExitCode(err)
	}
	return lifecycle.ExitCode(g.Run(ctx))
}

func (r *run) runTask(ctx context.Context, c *command, call *Call) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if c.timeout > 0 {
		var stop context.CancelFunc
		tctx, stop = context.WithTimeoutCause(tctx, c.timeout, errTimeout)
		defer stop()
	}
	taskName := zap.String("task", c.name)
	done := make(chan error, 1)
	go func() {
		err := callTask(tctx, c, call)
		if err != nil {
			r.logPanic(c, err)
		}
		// The cleanups get a context the task's cancellation does not end,
		// with the task's deadline.
		cctx := context.WithoutCancel(ctx)
		if dl, ok := tctx.Deadline(); ok {
			var stop context.CancelFunc
			cctx, stop = context.WithDeadline(cctx, dl)
			defer stop()
		}
		if cerr := call.runCleanups(cctx); err == nil {
			err = cerr
		}
		done <- err
	}()

	var first os.Signal
	var firstAt time.Time
	ctxDone := tctx.Done()
	for {
		select {
		case err := <-done:
			if err != nil && context.Cause(tctx) == errTimeout {
				return r.timedOut(c, true)
			}
			return r.taskResult(c, err, first)
		case s := <-sigs:
			name := signalName(s)
			switch {
			case first == nil:
				first, firstAt = s, time.Now()
				r.log.Info("stopping: signal received; the task's context is cancelled", zap.String("signal", name), taskName)
				cancel()
			case s == os.Interrupt && time.Since(firstAt) >= forceGap:
				r.log.Warn("stop forced by a second signal", zap.String("signal", name), taskName,
					zap.Duration("took", time.Since(firstAt)))
				fmt.Fprintf(r.stderr, "%s %s: stop forced by a second signal; the task had not returned %s after its context was cancelled\n",
					r.app.name, c.name, time.Since(firstAt).Round(time.Millisecond))
				return 130
			default:
				r.log.Info("signal ignored; the task goes on", zap.String("signal", name), taskName,
					zap.String("to_force", fmt.Sprintf("send SIGINT at least %s after the first signal", forceGap)))
			}
		case <-ctxDone:
			ctxDone = nil
			if context.Cause(tctx) != errTimeout {
				continue // a signal or the caller's ctx: the task should return
			}
			select {
			case err := <-done: // it returned at the deadline
				if err == nil {
					return 0
				}
				return r.timedOut(c, true)
			default:
			}
			return r.timedOut(c, false)
		}
	}
}

// timedOut logs and prints that task c ran past its timeout, and returns
// 124. returned says whether it returned (with an error) at the deadline,
// rather than being left behind.
func (r *run) timedOut(c *command, returned bool) int {
	r.log.Error("task timed out", zap.String("task", c.name), zap.Duration("timeout", c.timeout), zap.Bool("returned", returned))
	what := "its context is cancelled and it is left behind"
	if returned {
		what = "its context was cancelled and it returned an error"
	}
	fmt.Fprintf(r.stderr, "%s %s: the task ran past its timeout of %s; %s; make it return sooner, or raise the timeout\n",
		r.app.name, c.name, c.timeout, what)
	return 124
}

// callTask runs the task, turning a panic into a *lifecycle.PanicError.
func callTask(ctx context.Context, c *command, call *Call) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &lifecycle.PanicError{Actor: c.name, Value: v, Stack: debug.Stack()}
		}
	}()
	return c.task(ctx, call)
}

// taskResult prints a task's error once and returns its exit code: 128 plus
// the signal's number after a signal, 1 for a panic, lifecycle.ExitCode's
// otherwise.
func (r *run) taskResult(c *command, err error, sig os.Signal) int {
	if err == nil {
		return 0
	}
	var perr *lifecycle.PanicError
	panicked := errors.As(err, &perr)
	fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
	switch {
	case panicked:
		return 1
	case sig != nil:
		if n, ok := sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
	}
	return lifecycle.ExitCode(err)
}

// logPanic logs a task's panic, once, with its stack.
func (r *run) logPanic(c *command, err error) {
	var perr *lifecycle.PanicError
	if errors.As(err, &perr) {
		r.log.Error("task panicked", zap.String("task", c.name), zap.String("panic", fmt.Sprint(perr.Value)),
			zap.ByteString("stack", perr.Stack))
	}
}

func signalName(s os.Signal) string {
	if n, ok := s.(syscall.Signal); ok {
		switch n {
		case syscall.SIGINT:
			return "SIGINT"
		case syscall.SIGTERM:
			return "SIGTERM"
		}
	}
	return s.String()
}
