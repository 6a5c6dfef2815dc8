package lifecycle

import (
	"errors"
	"strings"
	"time"
)

// Defaults of [Config] and of the servers the group builds.
const (
	// defaultShutdownTimeout applies when Config.ShutdownTimeout is 0. It
	// leaves 5 s of the 30 s grace period of Kubernetes and Heroku for the
	// process to exit after Run returns.
	defaultShutdownTimeout = 25 * time.Second
	// defaultDrainQuiet applies when Config.DrainQuiet is 0.
	defaultDrainQuiet = 500 * time.Millisecond
	// defaultReadHeaderTimeout bounds how long a client may take to send a
	// request's headers (slowloris).
	defaultReadHeaderTimeout = 10 * time.Second
	// defaultIdleTimeout closes idle keep-alive connections; it is above the
	// 60 s idle timeout of common load balancers, so they close first.
	defaultIdleTimeout = 120 * time.Second
)

// Config holds the settings of a [Group] an operator chooses through the
// environment. Embed it in the application's config struct (as a named field
// or embedded) and load that with github.com/twelvekit/twelvekit/config (or
// any loader that reads env tags):
//
//	type Config struct {
//		Lifecycle lifecycle.Config // PORT, MANAGEMENT_PORT, SHUTDOWN_TIMEOUT, DRAIN_*
//		...
//	}
//
// The envDefault tags apply when a variable is unset. A Config written in
// code has other zero values: Port 0 asks the system for a free port,
// ShutdownTimeout 0 means 25s, DrainDelay 0 means no drain, DrainMin 0 no
// minimum and DrainQuiet 0 means 500ms.
//
// The config package calls [Config.Validate] while it loads, so a wrong
// variable is reported with its full name (prefixes included) beside every
// other problem of the application's config, before any work starts.
// [Group.Run] checks again, for a Config written in code.
//
// # Choosing the durations
//
// Everything a stop does happens inside ShutdownTimeout, counted from the
// first signal: the drain (at most DrainDelay), then the longest request
// still in flight, then the slowest actor's stop and the cleanups. Keep
// ShutdownTimeout a few seconds below the platform's grace period, after
// which it kills the process (Kubernetes terminationGracePeriodSeconds, 30 s
// by default; Heroku 30 s; Fly.io kill_timeout, 5 s by default). The package
// documentation ("Drain") says how long the drain lasts and how to size a
// fixed one.
type Config struct {
	// Port is the TCP port on which HTTP actors listen, on every interface,
	// unless they are given an address with [WithAddr] or [WithListener].
	// 0 asks the system for a free port (the address is logged).
	Port int `env:"PORT" envDefault:"8080" desc:"TCP port the HTTP server listens on, on every interface; 0 for a free port"`

	// ManagementPort, when not 0, starts a separate management server on
	// that port, on every interface, serving /livez, /readyz and the
	// handlers added with [Group.Manage]; the HTTP actors then no longer
	// answer the probes. It stops last, so /livez answers until every other
	// actor has stopped.
	ManagementPort int `env:"MANAGEMENT_PORT" desc:"TCP port of a separate server for /livez, /readyz and admin handlers; unset or 0 serves the probes on PORT and no admin handlers"`

	// ShutdownTimeout bounds the whole stop, from its first moment (a
	// signal, an actor returning) to [Group.Run] returning. Past it, Run
	// returns an error wrapping [ErrShutdownTimeout] naming every actor still
	// running. 0 means 25s.
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"time a graceful stop may take in all, drain included; keep it below the platform's grace period (30s on Kubernetes and Heroku)"`

	// DrainDelay is the longest drain: how long at most the serving actors
	// keep serving after readiness started failing, so that load balancers
	// stop sending new requests before the servers stop accepting. The
	// drain ends sooner once traffic has stopped (see the package
	// documentation). 0 means no drain. It is skipped when the group has no
	// serving actor, and must be shorter than ShutdownTimeout.
	DrainDelay time.Duration `env:"DRAIN_DELAY" envDefault:"15s" desc:"longest time servers keep serving after readiness starts failing at a stop; the drain ends sooner once traffic has stopped; 0 for no drain"`

	// DrainMin is the shortest drain. Set it equal to DrainDelay for a
	// fixed drain. A DrainMin above DrainDelay counts as DrainDelay.
	DrainMin time.Duration `env:"DRAIN_MIN" envDefault:"1s" desc:"shortest drain; set it to DRAIN_DELAY for a fixed drain"`

	// DrainQuiet is the shortest quiet window: the drain may end once no
	// request other than a probe has arrived for this long (longer when
	// traffic was sparse before the stop). 0 means 500ms.
	DrainQuiet time.Duration `env:"DRAIN_QUIET" envDefault:"500ms" desc:"time without a new request, probes aside, after which the drain may end; longer when traffic was sparse"`
}

// Validate reports every problem of c at once, errors.Join-ed, one per
// variable, each naming the variable and what to set. It reads c as loaded
// from the environment and as written in code alike (ShutdownTimeout 0 means
// its default). The config package calls it while loading and reports each
// problem under the variable's full name, prefixes included.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, problem, want string) {
		errs = append(errs, &varError{name: name, problem: problem, want: want})
	}
	if c.Port < 0 || c.Port > 65535 {
		bad("PORT", "not a TCP port", "a port from 1 to 65535 such as 8080, or 0 for a free port")
	}
	switch {
	case c.ManagementPort < 0 || c.ManagementPort > 65535:
		bad("MANAGEMENT_PORT", "not a TCP port", "a port from 1 to 65535 such as 9090, or unset for none")
	case c.ManagementPort != 0 && c.ManagementPort == c.Port:
		bad("MANAGEMENT_PORT", "the same as PORT", "another port, or unset to serve the probes on PORT")
	}
	timeout := c.ShutdownTimeout
	if timeout == 0 {
		timeout = defaultShutdownTimeout
	}
	if c.ShutdownTimeout < 0 {
		bad("SHUTDOWN_TIMEOUT", "negative", "a duration below the platform's grace period, such as 25s")
	}
	switch {
	case c.DrainDelay < 0:
		bad("DRAIN_DELAY", "negative", "the longest drain, such as 15s, or 0 for no drain")
	case timeout > 0 && c.DrainDelay >= timeout:
		bad("DRAIN_DELAY", "not shorter than SHUTDOWN_TIMEOUT, which must also cover the requests in flight",
			"a shorter DRAIN_DELAY, or a longer SHUTDOWN_TIMEOUT below the platform's grace period")
	}
	if c.DrainMin < 0 {
		bad("DRAIN_MIN", "negative", "the shortest drain, such as 1s, or 0 for none")
	}
	if c.DrainQuiet < 0 {
		bad("DRAIN_QUIET", "negative", "a duration such as 500ms")
	}
	return errors.Join(errs...)
}

// varError is one problem of one variable of [Config].
type varError struct {
	name, problem, want string
}

func (e *varError) Error() string {
	return "lifecycle: " + e.name + ": " + e.problem + "; want " + e.want
}

// EnvVar, Problem and Want let the config package, which lifecycle does not
// import, report e as the problem of one variable, with the prefixes of the
// enclosing structs added to its name (see config.Validator).
func (e *varError) EnvVar() string  { return e.name }
func (e *varError) Problem() string { return e.problem }
func (e *varError) Want() string    { return e.want }

// configError is what [Group.Run] returns for a Config it cannot run with.
// Its ExitCode is 78, EX_CONFIG, as for a config error of the loader.
type configError struct {
	errs []error
}

func (e *configError) Error() string {
	lines := make([]string, len(e.errs))
	for i, err := range e.errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

func (e *configError) Unwrap() []error { return e.errs }

// ExitCode returns 78, EX_CONFIG of sysexits.h.
func (e *configError) ExitCode() int { return ExitConfig }

// resolve checks cfg and applies the code defaults (also when it reports a
// problem, so that a start that failed still has a timeout to stop within).
func (cfg Config) resolve() (Config, error) {
	err := cfg.Validate()
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = defaultShutdownTimeout
	}
	if cfg.DrainQuiet <= 0 {
		cfg.DrainQuiet = defaultDrainQuiet
	}
	cfg.DrainDelay = max(cfg.DrainDelay, 0)
	cfg.DrainMin = min(max(cfg.DrainMin, 0), cfg.DrainDelay)
	if err != nil {
		var errs []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		} else {
			errs = []error{err}
		}
		return cfg, &configError{errs: errs}
	}
	return cfg, nil
}
