package admin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/twelvekit/twelvekit/internal/stop"
	"github.com/twelvekit/twelvekit/lifecycle"
	"go.uber.org/zap"
)

// errTimeout is the cause of a task's context cancelled by WithTimeout.
var errTimeout = errors.New("admin: task timed out")

// defaultShutdownTimeout is lifecycle's, for a ShutdownTimeout of 0.
const defaultShutdownTimeout = 25 * time.Second

// flushReserve is the part of a deadline kept, at its end, for the final
// flush of the log, as lifecycle keeps it (at most a tenth of it).
const flushReserve = 200 * time.Millisecond

// stopper is the stop machine of one command that lifecycle does not run:
// a task, or the cleanups of a process type whose setup failed. It handles
// the signals by lifecycle's rule and owns the one deadline every wait of
// the command takes its bound from.
type stopper struct {
	r       *run
	field   zap.Field // names the command in the log
	sigs    <-chan os.Signal
	release func() // stops the delivery of sigs
	rule    stop.Signals
	first   os.Signal
	at      time.Time // when the first signal came
	dl      stop.Deadline
	// bySignal says the deadline was started by the first signal (a task
	// without WithTimeout), not by WithTimeout.
	bySignal bool
	// onFirst runs at the first signal: it cancels the task's context.
	onFirst func()
}

// newStopper starts handling SIGINT and SIGTERM; the caller must call
// done.
func (r *run) newStopper(field zap.Field) *stopper {
	s := &stopper{r: r, field: field}
	s.sigs, s.release = stop.Notify()
	return s
}

// done flushes the log inside the deadline, then stops handling the
// signals: a signal during the final flush is still the stop machine's, and
// cannot change the command's exit code.
func (s *stopper) done() {
	syncLog(s.r.log, s.dl)
	s.release()
	s.dl.Stop()
}

// syncLog flushes log before the end of dl when it has begun, through the
// logger's SyncBy when it has one (the loggers of twelvekit's logging do),
// so that the program's own Sync afterwards has nothing left to wait for.
func syncLog(log *zap.Logger, dl stop.Deadline) {
	if !dl.Started() {
		_ = log.Sync()
		return
	}
	if s, ok := log.Core().(interface{ SyncBy(time.Time) error }); ok {
		_ = s.SyncBy(dl.End())
	}
}

// wait returns nil once fin is closed, or stop.ErrForced when a SIGINT
// forces the stop, or stop.ErrTimeout when the deadline passes. It logs
// every signal.
func (s *stopper) wait(fin <-chan struct{}) error {
	for {
		select {
		case <-fin:
			return nil
		case sig := <-s.sigs:
			name := zap.String("signal", stop.SignalName(sig))
			switch s.rule.On(sig, time.Now(), false) {
			case stop.Begin:
				s.first, s.at = sig, time.Now()
				if s.onFirst == nil {
					s.r.log.Info("signal received while stopping; the stop goes on", name, s.field,
						zap.String("to_force", "send SIGINT again"))
					break
				}
				s.r.log.Info("stopping: signal received; the task's context is cancelled", name, s.field)
				s.onFirst()
			case stop.Force:
				return stop.ErrForced
			default:
				s.r.log.Info("signal ignored; the task goes on", name, s.field,
					zap.String("to_force", fmt.Sprintf("send SIGINT at least %s after the first signal", s.rule.ForceGap())))
			}
		case <-s.dl.Done():
			select {
			case <-fin: // it returned at the deadline
				return nil
			default:
			}
			return stop.ErrTimeout
		}
	}
}

func (r *run) runProcess(ctx context.Context, c *command, call *Call) int {
	lc := *r.rd.lifecycle
	g := lifecycle.New(lc, lifecycle.WithLogger(r.log.With(zap.String("process", c.name))))
	call.mu.Lock()
	call.g = g
	call.mu.Unlock()
	err := c.process(ctx, call, g)
	if err == nil {
		return lifecycle.ExitCode(g.Run(ctx))
	}
	// The group is not run: nothing it holds has started, and nothing is
	// bound. The cleanups registered so far run here instead, inside
	// SHUTDOWN_TIMEOUT as the group's would.
	fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
	s := r.newStopper(zap.String("process", c.name))
	defer s.done()
	d := lc.ShutdownTimeout
	if d <= 0 {
		d = defaultShutdownTimeout
	}
	s.dl.Start(time.Now(), d, flushReserve)
	if cerr := call.runCleanups(s.dl.Context(), s); cerr != nil {
		var serr *stop.Error
		if errors.As(cerr, &serr) {
			serr.Timeout, serr.Cause, serr.Began = d, err, true
			r.log.Error("cleanups of a failed setup cut short", zap.String("process", c.name), zap.Strings("running", serr.Stuck))
			fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, cerr)
			return lifecycle.ExitCode(cerr)
		}
	}
	return lifecycle.ExitCode(err)
}

// stopTimeout is how long a task without WithTimeout may take, once a
// signal has cancelled it, to return and run its cleanups: SHUTDOWN_TIMEOUT
// of the environment when it reads as a positive duration, lifecycle's
// default otherwise (a task does not fail on lifecycle's variables).
func (r *run) stopTimeout() time.Duration {
	if d, err := time.ParseDuration(r.lookup("SHUTDOWN_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return defaultShutdownTimeout
}

func (r *run) runTask(ctx context.Context, c *command, call *Call) int {
	s := r.newStopper(zap.String("task", c.name))
	defer s.done()
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	s.onFirst = func() {
		cancel(context.Canceled)
		if !s.dl.Started() {
			// The stop has one deadline, as a process type's has.
			s.dl.Start(time.Now(), r.stopTimeout(), flushReserve)
			s.bySignal = true
		}
	}
	if c.timeout > 0 {
		s.dl.Start(time.Now(), c.timeout, flushReserve)
		defer context.AfterFunc(s.dl.Context(), func() { cancel(errTimeout) })()
	}
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = stop.Call(c.name, func() error { return c.task(tctx, call) })
	}()
	if out := s.wait(done); out != nil {
		return r.cutShort(c, s, out, "")
	}
	if err != nil {
		r.logPanic(c, err)
	}
	// The cleanups get a context the task's cancellation does not end,
	// with the task's deadline.
	cctx := context.WithoutCancel(ctx)
	if s.dl.Started() {
		var stopC context.CancelFunc
		cctx, stopC = context.WithCancel(cctx)
		defer stopC()
		defer context.AfterFunc(s.dl.Context(), stopC)()
	}
	cerr := call.runCleanups(cctx, s)
	var serr *stop.Error
	if errors.As(cerr, &serr) {
		return r.cutShort(c, s, serr.Kind, serr.Stuck[0])
	}
	if err == nil {
		err = cerr
	}
	if err != nil && context.Cause(tctx) == errTimeout {
		return r.timedOut(c, s, "task", true)
	}
	return r.taskResult(c, err, s.first)
}

// cutShort reports a task's stop cut short by the timeout or a forcing
// signal while stuck ("" for the task itself, or "cleanup NAME") still
// ran, and returns the exit code.
func (r *run) cutShort(c *command, s *stopper, kind error, stuck string) int {
	what := "the task had not returned"
	if stuck != "" {
		what = "the task returned, but its " + stuck + " had not"
	}
	if kind == stop.ErrForced {
		took := time.Since(s.at)
		r.log.Warn("stop forced by a second signal", zap.String("task", c.name), zap.String("running", orTask(stuck)),
			zap.Duration("took", took))
		fmt.Fprintf(r.stderr, "%s %s: stop forced by a second signal; %s %s after its context was cancelled\n",
			r.app.name, c.name, what, took.Round(time.Millisecond))
		return lifecycle.ExitForced
	}
	return r.timedOut(c, s, orTask(stuck), false)
}

func orTask(stuck string) string {
	if stuck == "" {
		return "task"
	}
	return stuck
}

// timedOut logs and prints that task c, or its cleanup (stuck), ran past
// its timeout (WithTimeout's, or SHUTDOWN_TIMEOUT after a signal), and
// returns 124. returned says whether the task returned (with an error) at
// the deadline, rather than being left behind.
func (r *run) timedOut(c *command, s *stopper, stuck string, returned bool) int {
	limit := fmt.Sprintf("its timeout of %s", c.timeout)
	if s.bySignal {
		limit = fmt.Sprintf("SHUTDOWN_TIMEOUT (%s) after the signal", s.dl.Timeout())
	}
	r.log.Error("task timed out", zap.String("task", c.name), zap.Duration("timeout", s.dl.Timeout()),
		zap.Bool("returned", returned), zap.String("running", stuck))
	var what string
	switch {
	case stuck != "task":
		what = fmt.Sprintf("the task returned, but its %s ran past %s and is left behind; make the cleanup return once its context is done", stuck, limit)
	case returned:
		what = fmt.Sprintf("the task ran past %s; its context was cancelled and it returned an error; make it return sooner, or raise the timeout", limit)
	default:
		what = fmt.Sprintf("the task ran past %s; its context is cancelled and it is left behind; make it return sooner, or raise the timeout", limit)
	}
	fmt.Fprintf(r.stderr, "%s %s: %s\n", r.app.name, c.name, what)
	return lifecycle.ExitTimeout
}

// taskResult prints a task's error once and returns its exit code: 128 plus
// the signal's number after a signal, 1 for a panic, lifecycle.ExitCode's
// otherwise.
func (r *run) taskResult(c *command, err error, sig os.Signal) int {
	if err == nil {
		return 0
	}
	_, panicked := stop.Panicked(err)
	fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
	switch {
	case panicked:
		return lifecycle.ExitFailure
	case sig != nil:
		return stop.SignalCode(sig)
	}
	return lifecycle.ExitCode(err)
}

// logPanic logs a task's panic, once, with its stack.
func (r *run) logPanic(c *command, err error) {
	if perr, ok := stop.Panicked(err); ok {
		r.log.Error("task panicked", zap.String("task", c.name), zap.String("panic", fmt.Sprint(perr.Value)),
			zap.ByteString("stack", perr.Stack))
	}
}
