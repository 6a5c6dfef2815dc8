package lifecycle

import (
	"strings"
	"time"
)

// Defaults of [Config] and of the servers the group builds.
const (
	// defaultShutdownTimeout applies when Config.ShutdownTimeout is 0. It
	// leaves 5 s of the 30 s grace period of Kubernetes and Heroku for the
	// process to exit after Run returns.
	defaultShutdownTimeout = 25 * time.Second
	// defaultForceGap is how long after the first signal a SIGINT must
	// arrive to force the stop.
	defaultForceGap = 500 * time.Millisecond
	// defaultReadHeaderTimeout bounds how long a client may take to send a
	// request's headers (slowloris).
	defaultReadHeaderTimeout = 10 * time.Second
	// defaultIdleTimeout closes idle keep-alive connections; it is above the
	// 60 s idle timeout of common load balancers, so they close first.
	defaultIdleTimeout = 120 * time.Second
)

// Config holds the settings of a [Group] an operator chooses through the
// environment. Embed it in the application's config struct and load that with
// github.com/twelvekit/twelvekit/config (or any loader that reads env tags):
//
//	type Config struct {
//		lifecycle.Config // PORT, MANAGEMENT_PORT, SHUTDOWN_TIMEOUT, DRAIN_DELAY
//		...
//	}
//
// The envDefault tags apply when a variable is unset. A Config written in
// code has other zero values: Port 0 asks the system for a free port,
// ShutdownTimeout 0 means 25s and DrainDelay 0 means no drain delay.
//
// # Choosing the durations
//
// Everything a stop does happens inside ShutdownTimeout, counted from the
// first signal: DrainDelay, then the longest request still in flight, then
// the slowest actor's cleanup. Keep ShutdownTimeout a few seconds below the
// platform's grace period, after which it kills the process (Kubernetes
// terminationGracePeriodSeconds, 30 s by default; Heroku 30 s; Fly.io
// kill_timeout, 5 s by default), and DrainDelay long enough for the load
// balancer to stop sending new requests: a few seconds on Kubernetes, where
// endpoints take that long to propagate, or on Fly.io with a short grace
// period, DRAIN_DELAY=1s and SHUTDOWN_TIMEOUT=4s. [Group.Run] rejects a
// DrainDelay that is not shorter than ShutdownTimeout.
type Config struct {
	// Port is the TCP port on which HTTP actors listen, on every interface,
	// unless they are given an address with [WithAddr] or [WithListener].
	Port int `env:"PORT" envDefault:"8080" desc:"TCP port the HTTP server listens on, on every interface; 0 picks a free port"`

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

	// DrainDelay is how long HTTP actors keep serving after readiness
	// started failing, so that load balancers stop sending new requests
	// before the servers stop accepting. It is skipped when the group has no
	// HTTP actor. It must be shorter than ShutdownTimeout.
	DrainDelay time.Duration `env:"DRAIN_DELAY" envDefault:"5s" desc:"time servers keep serving after readiness starts failing at a stop, for load balancers to notice; 0 for none"`
}

// configError is what [Group.Run] returns for a Config it cannot run with.
// Its ExitCode is 78, EX_CONFIG, as for a config error of the loader.
type configError struct {
	problems []string
}

func (e *configError) Error() string {
	return strings.Join(e.problems, "\n")
}

// ExitCode returns 78, EX_CONFIG of sysexits.h.
func (e *configError) ExitCode() int { return 78 }

// resolve applies the code defaults and checks cfg, reporting every problem
// at once. No message quotes a value.
func (cfg Config) resolve() (Config, error) {
	var problems []string
	add := func(p string) { problems = append(problems, "lifecycle: "+p) }
	if cfg.Port < 0 || cfg.Port > 65535 {
		add("PORT is not a TCP port; set it to a number from 1 to 65535, such as 8080")
	}
	if cfg.ManagementPort < 0 || cfg.ManagementPort > 65535 {
		add("MANAGEMENT_PORT is not a TCP port; set it to a number from 1 to 65535, such as 9090, or unset it")
	}
	if cfg.ManagementPort != 0 && cfg.ManagementPort == cfg.Port {
		add("MANAGEMENT_PORT is the same as PORT; choose another port for it, or unset it to serve the probes on PORT")
	}
	if cfg.ShutdownTimeout < 0 {
		add("SHUTDOWN_TIMEOUT is negative; set it to a duration below the platform's grace period, such as 25s")
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = defaultShutdownTimeout
	}
	switch {
	case cfg.DrainDelay < 0:
		add("DRAIN_DELAY is negative; set it to a duration such as 5s, or to 0 for no delay")
	case cfg.ShutdownTimeout > 0 && cfg.DrainDelay >= cfg.ShutdownTimeout:
		add("DRAIN_DELAY is not shorter than SHUTDOWN_TIMEOUT, which must also cover the requests in flight; lower DRAIN_DELAY or raise SHUTDOWN_TIMEOUT")
	}
	if len(problems) > 0 {
		return cfg, &configError{problems: problems}
	}
	return cfg, nil
}
