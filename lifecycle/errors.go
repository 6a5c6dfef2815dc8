package lifecycle

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outcomes of [Group.Run] that a caller may branch on with errors.Is.
var (
	// ErrShutdownTimeout is wrapped by the error Run returns when the stop
	// took longer than [Config.ShutdownTimeout]. The message names every
	// actor still running; [ExitCode] maps it to 124.
	ErrShutdownTimeout = errors.New("lifecycle: shutdown timed out")
	// ErrForced is wrapped by the error Run returns when a second signal
	// forced the stop (see [Group.Run] for the rule). The message names every
	// actor still running; [ExitCode] maps it to 130.
	ErrForced = errors.New("lifecycle: stop forced by a second signal")
)

// PanicError is the error of an actor, an interrupt function, a startup
// function or a readiness check that panicked. [Group.Run] recovers the
// panic, logs it with its stack, stops the group as for any failure and
// returns a *PanicError (wrapped when the stop also timed out); get it with
// errors.As:
//
//	var perr *lifecycle.PanicError
//	if errors.As(err, &perr) {
//		fmt.Fprintf(os.Stderr, "%s\n%s", perr, perr.Stack)
//	}
type PanicError struct {
	// Actor is the name of the actor (or startup function) that panicked.
	Actor string
	// Value is the value passed to panic.
	Value any
	// Stack is the stack of the panicking goroutine, as runtime/debug.Stack
	// formats it.
	Stack []byte
}

// Error returns the actor's name and the panic's value.
func (e *PanicError) Error() string {
	return fmt.Sprintf("lifecycle: actor %q panicked: %v; the stack, in the log and in PanicError.Stack, shows where", e.Actor, e.Value)
}

// Unwrap returns the panic's value when it is an error, and nil otherwise.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// stopError is the error of a stop cut short by the timeout or a forcing
// signal. It wraps its kind (ErrShutdownTimeout or ErrForced) and the error
// that started the stop, if any.
type stopError struct {
	kind    error
	timeout time.Duration
	running []string
	cause   error
}

func (e *stopError) Error() string {
	var b strings.Builder
	if e.kind == ErrForced {
		b.WriteString("lifecycle: stop forced by a second signal")
	} else {
		fmt.Fprintf(&b, "lifecycle: shutdown timed out after %s", e.timeout)
	}
	if len(e.running) > 0 {
		b.WriteString("; still running: ")
		b.WriteString(strings.Join(e.running, ", "))
	}
	if e.kind == ErrShutdownTimeout {
		b.WriteString("; make them return sooner once interrupted, or raise SHUTDOWN_TIMEOUT (below the platform's grace period)")
	}
	if e.cause != nil {
		b.WriteString("; the stop began with: ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

func (e *stopError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}

// ExitCode maps the result of [Group.Run] (or of any main function, or of an
// admin task) to the exit code a process should end with. It is the one
// table of every twelvekit program:
//
//	code  meaning                                   from
//	0     success, a clean stop after a signal too  nil
//	1     any failure, a panic included             any other error, a [*PanicError]
//	64    usage: a wrong command or flag            an error whose ExitCode() is 64 (admin)
//	78    configuration (EX_CONFIG)                 config's errors, a [Config] Run rejects
//	124   a stop past SHUTDOWN_TIMEOUT, as timeout(1)  [ErrShutdownTimeout]
//	130   a stop forced by a second signal          [ErrForced]
//
// [ErrForced] and [ErrShutdownTimeout] win over the error that started the
// stop. Otherwise the first error in the chain with an ExitCode() int method
// returning 1 to 255 gives the code (that is how config's and admin's errors
// map without lifecycle importing them); any other error is 1.
//
// Use it as the last line of main:
//
//	os.Exit(lifecycle.ExitCode(g.Run(ctx)))
func ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrForced):
		return 130
	case errors.Is(err, ErrShutdownTimeout):
		return 124
	}
	var coded interface{ ExitCode() int }
	if errors.As(err, &coded) {
		if c := coded.ExitCode(); c > 0 && c < 256 {
			return c
		}
	}
	return 1
}
