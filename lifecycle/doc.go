// Package lifecycle runs a service's processes and stops them gracefully:
// factors VI (processes), VII (port binding) and IX (disposability) of the
// twelve-factor app. It starts fast, binds $PORT before it reports ready, and
// stops in the order Kubernetes and Heroku need, so a rolling deploy loses no
// request.
//
// # Usage
//
//	func main() {
//		cfg, err := config.Load[lifecycle.Config]()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(lifecycle.ExitCode(err)) // 78
//		}
//		g := lifecycle.New(cfg, lifecycle.WithLogger(log))
//		g.HTTP("web", mux)                      // on $PORT, with /livez and /readyz
//		g.Go("worker", worker)                  // func(ctx context.Context) error
//		g.Check("db", time.Second, db.PingContext)
//		os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
//	}
//
// # Actors
//
// A [Group] holds named actors: execute/interrupt pairs ([Group.Add], as in
// github.com/oklog/run, on which it builds), functions of a context
// ([Group.Go]), HTTP servers ([Group.HTTP]) and startup work that holds
// readiness ([Group.Startup]). The first actor to return stops all the others
// and [Group.Run] returns the first real error; a clean stop on a signal is
// not an error. A panic in an actor becomes a [*PanicError] with its stack and
// the actor's name, and the group still stops in order.
//
// # Stop order
//
// SIGINT or SIGTERM, ctx being done, or an actor returning starts a stop.
// Inside one SHUTDOWN_TIMEOUT: (1) /readyz answers 503 at once; (2)
// DRAIN_DELAY passes while the servers still serve, so load balancers notice;
// (3) the servers stop accepting and finish their requests in flight; (4) the
// other actors are interrupted, concurrently, and waited for. Past the
// timeout, Run returns an error wrapping [ErrShutdownTimeout] that names every
// actor still running. A second signal forces the stop only when it is a
// SIGINT at least 500 ms after the first signal: a repeated SIGTERM never
// cuts a drain short. See [Group.Run] for the details and [Config] for how to
// choose the durations against the platform's grace period.
//
// # Configuration
//
// [Config] reads, with github.com/twelvekit/twelvekit/config or any loader of
// env tags:
//
//	PORT              TCP port of the HTTP actors (default 8080)
//	MANAGEMENT_PORT   separate port for /livez, /readyz and admin handlers (default: off)
//	SHUTDOWN_TIMEOUT  time the whole stop may take (default 25s)
//	DRAIN_DELAY       time servers keep serving once readiness fails (default 5s)
//
// # Probes
//
// /livez answers 200 for as long as the process serves it. /readyz answers
// 503 until the listeners are bound and every startup function is done, and
// from the first moment of a stop; otherwise it runs the checks added with
// [Group.Check] concurrently, each within its own timeout, and answers 503
// naming the failing ones. Its JSON body looks like:
//
//	{"status":"failing","failing":["db"],"checks":[
//	  {"name":"db","status":"timeout","error":"no answer within 500ms","duration_ms":500.2},
//	  {"name":"cache","status":"ok","duration_ms":0.4}]}
//
// The probes are served by every HTTP actor, or only by the management server
// when MANAGEMENT_PORT is set. On the public port they stop answering when its
// server stops accepting, after the drain; the management server answers until
// every other actor has stopped, so /livez stays 200 until the process exits.
//
// # Exit codes
//
// [ExitCode] maps Run's result to the process's exit code: 0 for a clean
// stop, 1 for a failure, 124 for a stop past SHUTDOWN_TIMEOUT, 130 for a stop
// forced by a second signal, and 78 (EX_CONFIG) for a configuration error,
// the config package's included. Run never calls os.Exit.
//
// # Logs
//
// Given a *zap.Logger with [WithLogger], the group logs every reason to stop
// once, with the actor's name ("stopping: signal received", "stopping: actor
// returned", "stopping: actor failed", "stopping: actor panicked", "stop timed
// out", "stop forced by a second signal"), the addresses it listens on,
// "ready", and the steps of the stop. Without it, it logs nothing.
package lifecycle
