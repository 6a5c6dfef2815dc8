// Package stop is the stop machine that lifecycle's Group.Run and admin's
// tasks share: the one exit-code table, the signal rule (the first SIGINT or
// SIGTERM begins a stop, only a later SIGINT forces it), the one deadline
// that owns every wait of a stop, panic recovery, and the cleanups run last
// first inside that deadline.
//
// It imports nothing but the standard library, so that config can take its
// exit code from the same table without linking a logger. The packages that
// use it do the logging: every function here returns what happened.
//
// # Where a wait goes
//
// Every wait of a stop takes its bound from one [Deadline]: a function that
// waits for something (an actor, a server, a cleanup, the logger's flush)
// selects on [Deadline.Done] or passes [Deadline.Context] down, never a timer
// of its own. A wait that must leave time for what comes after it (the final
// flush of the log) takes [Deadline.Reserve] off the end.
package stop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
)

// The exit-code table of every twelvekit program. lifecycle re-exports it
// with its ExitCode function; nothing else spells these numbers.
const (
	// ExitOK is a success, a clean stop after a signal included.
	ExitOK = 0
	// ExitFailure is any failure, a panic included.
	ExitFailure = 1
	// ExitUsage (EX_USAGE of sysexits.h) is a wrong command or flag.
	ExitUsage = 64
	// ExitConfig (EX_CONFIG of sysexits.h) is a problem with the
	// configuration: nothing ran.
	ExitConfig = 78
	// ExitTimeout is a stop or a task past its timeout, as timeout(1).
	ExitTimeout = 124
	// ExitForced is a stop forced by a second signal (128 + SIGINT).
	ExitForced = 130
)

// Outcomes of a stop cut short.
var (
	// ErrTimeout is wrapped by the error of a stop past its deadline.
	ErrTimeout = errors.New("lifecycle: shutdown timed out")
	// ErrForced is wrapped by the error of a stop forced by a second signal.
	ErrForced = errors.New("lifecycle: stop forced by a second signal")
)

// Code maps an error to its exit code: nil 0, [ErrForced] 130, [ErrTimeout]
// 124 (those two win over anything else in the chain), the first ExitCode()
// int method in the chain returning 1 to 255, and 1 for anything else.
func Code(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrForced):
		return ExitForced
	case errors.Is(err, ErrTimeout):
		return ExitTimeout
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		if c := coded.ExitCode(); c > 0 && c < 256 {
			return c
		}
	}
	return ExitFailure
}

// PanicError is the error of a function that panicked; lifecycle exports it
// as lifecycle.PanicError.
type PanicError struct {
	// Actor is the name of what panicked: an actor, "cleanup NAME", a task.
	Actor string
	// Value is the value passed to panic.
	Value any
	// Stack is the stack of the panicking goroutine, as runtime/debug.Stack
	// formats it.
	Stack []byte
}

// Error returns the name and the panic's value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("lifecycle: actor %q panicked: %v; the stack, in the log and in PanicError.Stack, shows where", e.Actor, e.Value)
}

// Unwrap returns the panic's value when it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// Call runs fn, turning a panic into a *PanicError named name.
func Call(name string, fn func() error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Actor: name, Value: v, Stack: debug.Stack()}
		}
	}()
	return fn()
}

// Panicked reports whether err is, or wraps, a *PanicError, and returns it.
func Panicked(err error) (*PanicError, bool) {
	var p *PanicError
	ok := errors.As(err, &p)
	return p, ok
}

// DefaultForceGap is how long after the first signal a SIGINT must arrive
// to force a stop.
const DefaultForceGap = 500 * time.Millisecond

// Verdict is what the signal rule makes of one signal.
type Verdict int

const (
	// Begin: the first signal, the stop begins.
	Begin Verdict = iota
	// Noted: the first signal of a stop something else began; it goes on.
	Noted
	// Ignored: a repeated signal (above all SIGTERM) or a SIGINT too soon.
	Ignored
	// Force: a SIGINT at least the force gap after the first signal.
	Force
)

// Signals is the signal rule of one stop. The zero value uses
// DefaultForceGap.
type Signals struct {
	// Gap is the least time between the first signal and a SIGINT that
	// forces; 0 means DefaultForceGap.
	Gap   time.Duration
	first time.Time
}

// On applies the rule to sig arriving at now; stopping says whether a stop
// had already begun for another reason.
func (s *Signals) On(sig os.Signal, now time.Time, stopping bool) Verdict {
	gap := s.Gap
	if gap <= 0 {
		gap = DefaultForceGap
	}
	switch {
	case s.first.IsZero() && !stopping:
		s.first = now
		return Begin
	case s.first.IsZero():
		s.first = now
		return Noted
	case sig == os.Interrupt && now.Sub(s.first) >= gap:
		return Force
	}
	return Ignored
}

// ForceGap is the gap the rule applies.
func (s *Signals) ForceGap() time.Duration {
	if s.Gap <= 0 {
		return DefaultForceGap
	}
	return s.Gap
}

// Notify starts delivering SIGINT and SIGTERM and returns the channel and the
// function that stops the delivery (signal.Stop). After it, a late signal is
// no longer delivered to the channel, which is never closed, so nothing can
// panic.
func Notify() (<-chan os.Signal, func()) {
	c := make(chan os.Signal, 4)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c, func() { signal.Stop(c) }
}

// SignalName is the name operators know a signal by.
func SignalName(sig os.Signal) string {
	if n, ok := sig.(syscall.Signal); ok {
		switch n {
		case syscall.SIGINT:
			return "SIGINT"
		case syscall.SIGTERM:
			return "SIGTERM"
		}
	}
	return sig.String()
}

// SignalCode is 128 plus the signal's number, the code a shell reports for a
// process ended by sig; 1 when sig has no number.
func SignalCode(sig os.Signal) int {
	if n, ok := sig.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return ExitFailure
}

// Deadline is the one deadline of a stop: it starts when the stop begins and
// owns every wait until the process may exit. The zero Deadline has not
// started; Done then never fires.
type Deadline struct {
	begin   time.Time
	timeout time.Duration
	reserve time.Duration
	ctx     context.Context
	cancel  context.CancelFunc
	work    context.Context
	cwork   context.CancelFunc
}

// Start starts the deadline at now, timeout from now. reserve is kept at
// the end for the final flush of the log: [Deadline.Done] fires reserve
// before the end, [Deadline.End] is the end itself.
func (d *Deadline) Start(now time.Time, timeout, reserve time.Duration) {
	if d.ctx != nil {
		return
	}
	d.begin, d.timeout = now, timeout
	d.reserve = min(reserve, timeout/10)
	d.ctx, d.cancel = context.WithDeadline(context.Background(), now.Add(timeout))
	d.work, d.cwork = context.WithDeadline(d.ctx, now.Add(timeout-d.reserve))
}

// Started reports whether Start was called.
func (d *Deadline) Started() bool { return d.ctx != nil }

// Begin is when the stop began.
func (d *Deadline) Begin() time.Time { return d.begin }

// Timeout is the whole time the stop may take.
func (d *Deadline) Timeout() time.Duration { return d.timeout }

// End is the moment the process must be gone by.
func (d *Deadline) End() time.Time { return d.begin.Add(d.timeout) }

// Context is done when the stop's work must end (the reserve before End).
func (d *Deadline) Context() context.Context {
	if d.work == nil {
		return context.Background()
	}
	return d.work
}

// Done fires when the stop's work must end; nil (never) before Start.
func (d *Deadline) Done() <-chan struct{} {
	if d.work == nil {
		return nil
	}
	return d.work.Done()
}

// Left is what is left of the stop's work time at now.
func (d *Deadline) Left(now time.Time) time.Duration {
	if d.work == nil {
		return 0
	}
	dl, _ := d.work.Deadline()
	return max(dl.Sub(now), 0)
}

// Stop releases the deadline's timers.
func (d *Deadline) Stop() {
	if d.cancel != nil {
		d.cwork()
		d.cancel()
	}
}

// Cleanup is a function run after everything else has stopped.
type Cleanup struct {
	Name string
	Fn   func(ctx context.Context) error
}

// CleanupResult is what one cleanup did.
type CleanupResult struct {
	Name string
	Err  error // the cleanup's error or *PanicError, nil when it succeeded
}

// RunCleanups runs cleanups last first, each with ctx and its panic
// recovered, and waits for each with wait, given the cleanup's name, which
// returns nil once fin is closed or the error that cut the stop short. It returns the results of the
// cleanups that returned, the name of the one running when the stop was cut
// short ("" when none was) with the names of those then not run, and the
// error of wait.
func RunCleanups(ctx context.Context, cleanups []Cleanup, wait func(name string, fin <-chan struct{}) error) (done []CleanupResult, stuck string, skipped []string, err error) {
	for i := len(cleanups) - 1; i >= 0; i-- {
		c := cleanups[i]
		fin := make(chan struct{})
		var cerr error
		go func() {
			defer close(fin)
			cerr = Call("cleanup "+c.Name, func() error { return c.Fn(ctx) })
		}()
		if err := wait(c.Name, fin); err != nil {
			for j := i - 1; j >= 0; j-- {
				skipped = append(skipped, cleanups[j].Name)
			}
			return done, c.Name, skipped, err
		}
		done = append(done, CleanupResult{Name: c.Name, Err: cerr})
	}
	return done, "", nil, nil
}

// Error is the error of a stop cut short by its deadline or a forcing
// signal. It wraps Kind (ErrTimeout or ErrForced) and Cause.
type Error struct {
	Kind    error
	Timeout time.Duration
	// Stuck names what was still running; what was only waiting its turn is
	// not in it.
	Stuck []string
	// Cause is the first real error, if any; Began says whether it began
	// the stop (rather than a signal, a context or a clean return).
	Cause error
	Began bool
	// Advice replaces the default advice of a timeout when not empty.
	Advice string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Kind == ErrForced {
		b.WriteString("lifecycle: stop forced by a second signal")
	} else {
		fmt.Fprintf(&b, "lifecycle: shutdown timed out after %s", e.Timeout)
	}
	if len(e.Stuck) > 0 {
		b.WriteString("; still running: ")
		b.WriteString(strings.Join(e.Stuck, ", "))
	}
	if e.Kind == ErrTimeout {
		if e.Advice != "" {
			b.WriteString("; " + e.Advice)
		} else {
			b.WriteString("; make them return sooner once interrupted, or raise SHUTDOWN_TIMEOUT (below the platform's grace period)")
		}
	}
	if e.Cause != nil {
		if e.Began {
			b.WriteString("; the stop began with: ")
		} else {
			b.WriteString("; during the stop: ")
		}
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns Kind and Cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Cause}
}
