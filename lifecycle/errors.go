package lifecycle

import (
	"github.com/twelvekit/twelvekit/internal/stop"
)

// Outcomes of [Group.Run] that a caller may branch on with errors.Is.
var (
	// ErrShutdownTimeout is wrapped by the error Run returns when the stop
	// took longer than [Config.ShutdownTimeout]. The message names what was
	// still running (not what was only waiting its turn); [ExitCode] maps it
	// to 124.
	ErrShutdownTimeout = stop.ErrTimeout
	// ErrForced is wrapped by the error Run returns when a second signal
	// forced the stop (see [Group.Run] for the rule). The message names what
	// was still running; [ExitCode] maps it to 130.
	ErrForced = stop.ErrForced
)

// PanicError is the error of an actor, an interrupt or stop function, a
// startup function, a cleanup or an admin task that panicked. [Group.Run]
// recovers the panic, logs it with its stack, stops the group as for any
// failure and returns a *PanicError (wrapped when the stop also timed out);
// get it with errors.As:
//
//	var perr *lifecycle.PanicError
//	if errors.As(err, &perr) {
//		fmt.Fprintf(os.Stderr, "%s\n%s", perr, perr.Stack)
//	}
//
// Its fields are Actor (the name of what panicked), Value (the value passed
// to panic) and Stack (the panicking goroutine's stack, as
// runtime/debug.Stack formats it).
type PanicError = stop.PanicError

// The exit codes of every twelvekit program, as [ExitCode] maps them; admin
// returns the same ones.
const (
	// ExitFailure is any failure, a panic included.
	ExitFailure = stop.ExitFailure
	// ExitUsage (EX_USAGE of sysexits.h) is a wrong command or flag (admin).
	ExitUsage = stop.ExitUsage
	// ExitConfig (EX_CONFIG of sysexits.h) is a problem with the
	// configuration; nothing ran.
	ExitConfig = stop.ExitConfig
	// ExitTimeout is a stop past SHUTDOWN_TIMEOUT or a task past its
	// timeout, as timeout(1) exits.
	ExitTimeout = stop.ExitTimeout
	// ExitForced is a stop forced by a second signal.
	ExitForced = stop.ExitForced
)

// ExitCode maps the result of [Group.Run] (or of any main function, or of an
// admin task) to the exit code a process should end with. It is the one
// table of every twelvekit program:
//
//	code  meaning                                      from
//	0     success, a clean stop after a signal too     nil
//	1     any failure, a panic included ([ExitFailure]) any other error, a [*PanicError]
//	64    usage: a wrong command or flag ([ExitUsage])  an error whose ExitCode() is 64 (admin)
//	78    configuration, EX_CONFIG ([ExitConfig])       config's errors, a [Config] Run rejects
//	124   a stop past SHUTDOWN_TIMEOUT ([ExitTimeout])  [ErrShutdownTimeout]
//	130   a stop forced by a second signal ([ExitForced]) [ErrForced]
//
// [ErrForced] and [ErrShutdownTimeout] win over the error that started the
// stop. Otherwise the first error in the chain with an ExitCode() int method
// returning 1 to 255 gives the code (that is how config's and admin's errors
// map without lifecycle importing them); any other error is 1.
//
// Use it as the last line of main:
//
//	os.Exit(lifecycle.ExitCode(g.Run(ctx)))
func ExitCode(err error) int { return stop.Code(err) }
