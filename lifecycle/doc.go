// Package lifecycle runs a service's processes and stops them gracefully:
// factors VI (processes), VII (port binding) and IX (disposability) of the
// twelve-factor app. It starts fast, binds $PORT before it reports ready, and
// stops in the order Kubernetes, Heroku and load balancers need, so a rolling
// deploy loses no request.
//
// # Usage
//
//	type Config struct {
//		Lifecycle lifecycle.Config // PORT, SHUTDOWN_TIMEOUT, DRAIN_*...
//	}
//
//	func main() {
//		cfg, err := config.Load[Config]() // lifecycle.Config is checked here too
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(lifecycle.ExitCode(err)) // 78
//		}
//		log, _ := zap.NewProduction()
//		g := lifecycle.New(cfg.Lifecycle, lifecycle.WithLogger(log))
//		g.HTTP("web", mux)                      // on $PORT, with /livez and /readyz
//		g.Go("worker", worker)                  // func(ctx context.Context) error
//		g.Check("db", time.Second, db.PingContext)
//		g.Cleanup("db", func(context.Context) error { return db.Close() })
//		os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
//	}
//
// # Actors
//
// A [Group] holds named actors: execute/interrupt pairs ([Group.Add], as in
// github.com/oklog/run, on which it builds), functions of a context
// ([Group.Go]), HTTP servers ([Group.HTTP]), servers that are not net/http
// ([Group.Serve]: gRPC, another framework, a queue consumer) and startup work
// that holds readiness ([Group.Startup]); [Group.Cleanup] adds what runs
// after all of them have stopped. The first actor to return stops all the
// others and [Group.Run] returns the first real error; a clean stop on a
// signal is not an error. A panic in an actor becomes a [*PanicError] with
// its stack and the actor's name, and the group still stops in order.
//
// # Stop order
//
// SIGINT or SIGTERM, ctx being done, or an actor returning starts a stop.
// Inside one SHUTDOWN_TIMEOUT: (1) /readyz answers 503 at once; (2) the
// drain: the servers still serve while load balancers notice; (3) the
// servers stop accepting and finish their requests in flight (the stop
// functions of [Group.Serve] run then, and [Group.ShuttingDown] tells
// hijacked connections), within a grace of half of what is left, after which
// the requests' contexts are cancelled and their connections closed; (4)
// the other actors are interrupted, concurrently, and waited for; (5) the
// management server stops; (6) the cleanups run, last added first. Past the
// timeout, Run returns an error wrapping [ErrShutdownTimeout] that names
// what the stop was waiting for (an actor, a server's stuck requests, a
// cleanup, a readiness check), never what only waited its turn. Nothing
// else can hold the stop: a check that ignores its context is abandoned, a
// client that connected and sent nothing is disconnected when the drain
// ends, a Serve stop that fails is not waited for, and the group's own log
// lines are written off the stop path and flushed within the timeout, so a
// stdout nobody reads cannot keep the process past it. A second signal forces the stop only when it is a
// SIGINT at least 500 ms after the first signal: a repeated SIGTERM never
// cuts a drain short. See [Group.Run] for the details.
//
// # Drain
//
// A load balancer keeps sending requests to an instance until it notices
// that the instance is going away. Serving until then, and no longer, is the
// drain. Its rule, when DRAIN_DELAY is not 0 and the group has a serving
// actor (HTTP or Serve):
//
//   - it lasts at least DRAIN_MIN (default 1s) and at most DRAIN_DELAY
//     (default 15s), counted from the first moment of the stop;
//   - in between, it ends once traffic has stopped: no request other than a
//     probe has arrived for the quiet window;
//   - the quiet window is DRAIN_QUIET (default 500ms), or 8 times the mean
//     gap between the requests seen while traffic flowed, when that is
//     longer: a service that got a request every 2 s needs 16 s of silence
//     before silence says anything, so a low-traffic service drains for the
//     full DRAIN_DELAY, and one that got no request at all too. The silence
//     since the last request counts as quiet but is no gap: an instance a
//     balancer stopped sending to before the stop drains no longer for it.
//     Time the process did not run (starved of CPU, stopped) does not count
//     as quiet, since requests may be waiting for it;
//   - when a prober was probing /readyz at the stop (a balancer's health
//     check, the kubelet, a monitor), the drain also waits until a prober has
//     been answered 503 once, or until every such prober has stopped
//     probing. Probers are told apart by address and user agent; each one's
//     usual interval is learned from the gaps between its probes (the
//     average, or the last gap when longer), and it has gone once silent for
//     twice that interval. A prober still there probes within one interval,
//     so it gets its 503 before it could count as gone. A single probe tells
//     no interval and makes no prober, and a startup poller (a deploy script
//     polling /readyz until it answers 200) has gone soon after it stopped:
//     neither is waited for.
//
// The HTTP actors record their requests; serving actors of [Group.Serve]
// report theirs with [Group.Traffic]. The drain reads only the monotonic
// clock: a step of the wall clock neither ends nor stretches it.
//
// What the drain does, and how long it takes, depends on how the balancer
// learns that the instance goes. The figures below are examples/rollout's:
// examples/hello with its defaults, three instances replaced one by one
// under about 800 requests a second on loopback, no retries in the
// balancer, 9 stops per Caddy (2.6) setting and 6 per HAProxy (2.6) one, on
// a shared 2-core machine; "lost" counts failed requests.
//
//   - Active health checks, the instance left in the balancer's config
//     (HAProxy, Caddy's health_checks, most cloud balancers): the balancer
//     keeps probing, sees the 503, stops sending after its own count of
//     failures, and the drain ends once that traffic has stopped. HAProxy's
//     default checks (inter 2s fall 3 rise 2): 5.5 s, 0 of 28,929 lost;
//     tight checks (inter 1s fall 1): 1.1-1.2 s, 0 of 6,219 lost; Caddy with
//     1 s checks: 1.0-1.5 s, 0 of 10,682 lost. The check interval times its
//     failure count must be well below DRAIN_DELAY (Caddy's default
//     interval, 30 s, is not), and the check must be an HTTP GET of /readyz:
//     a TCP-only check never sees the 503.
//   - Removal from the balancer's config at SIGTERM (deploy scripts,
//     Consul-, ECS- or Kubernetes-style discovery; Caddy's admin API in the
//     test): traffic stops at the removal and the balancer stops probing, so
//     the drain ends once the quiet window has passed and the prober has
//     missed its interval twice: behind Caddy, 1.0-2.0 s with 1 s checks,
//     1.0-1.1 s with none, 1.0 s when the removal came 0.5 s before
//     SIGTERM, 0 of 31,375 lost (before the drain learned that a prober can
//     go, 15 s, the whole DRAIN_DELAY, in 16 of 18 such stops). Remove
//     first, then send SIGTERM.
//   - Passive balancers (nginx open source, any balancer without health
//     checks) with the instance left in their config never stop sending:
//     traffic never stops, the drain lasts DRAIN_DELAY and buys nothing over
//     a bare server. Behind Caddy without checks or retries: 15 s, and the
//     requests sent to the instance after its exit failed (6 of 34,363, in
//     the milliseconds before the test removed it). What saves requests then
//     is the balancer's own retry on another upstream (nginx's default
//     proxy_next_upstream retries a refused connection, and a request that
//     failed once sent only when its method is idempotent). Remove the
//     instance from their config before SIGTERM: the case above.
//   - Kubernetes: the pod leaves the Service's ready endpoints when it is
//     deleted, at the same moment as SIGTERM (a removal from config), and
//     the change takes from a fraction of a second to a few seconds to reach
//     every kube-proxy and ingress controller; traffic under steady load
//     stops then, and the rule sees it. The kubelet keeps its readiness
//     probe going during termination, so the drain also waits for its next
//     probe, the 503, at most periodSeconds after the stop.
//   - Heroku's router stops sending as soon as it sends SIGTERM and does not
//     probe: the drain ends a quiet window after the last request, after
//     DRAIN_MIN.
//
// On Kubernetes, on a large cluster or behind an ingress controller that
// lags, raise DRAIN_MIN to the propagation delay you observe (5s is
// common), and keep terminationGracePeriodSeconds above SHUTDOWN_TIMEOUT
// (30 s against 25 s by default). Since terminating endpoints (KEP-1669), a
// terminating pod stays in its EndpointSlices with "serving" set from its
// readiness, and proxies that fall back to terminating endpoints (a Service
// with no ready endpoint left, traffic policy Local) keep sending to it
// until the kubelet's readiness probe has seen the 503: that is why the
// drain waits for a prober still probing, and why the probe's periodSeconds
// must be shorter than DRAIN_DELAY. A preStop sleep is not needed: the
// drain is that wait, inside the process; if you keep one, the grace period
// must cover it plus SHUTDOWN_TIMEOUT.
//
// A fixed drain is DRAIN_MIN equal to DRAIN_DELAY. Size it as the balancer's
// time to notice plus a margin: longer than check interval x fall (plus one
// interval, since the first failing check comes up to an interval after the
// stop), such as 10s for HAProxy's 2s x 3, or the endpoint propagation time
// on Kubernetes. DRAIN_DELAY=0 disables the drain (a worker, tests).
//
// # Configuration
//
// [Config] reads, with github.com/twelvekit/twelvekit/config or any loader of
// env tags; [Config.Validate] reports every problem at once, under the full
// prefixed names, when config loads it:
//
//	PORT              TCP port of the HTTP actors (default 8080; 0 for a free port)
//	MANAGEMENT_PORT   separate port for /livez, /readyz and admin handlers (default: off)
//	SHUTDOWN_TIMEOUT  time the whole stop may take (default 25s)
//	DRAIN_DELAY       longest drain; 0 for none (default 15s)
//	DRAIN_MIN         shortest drain (default 1s)
//	DRAIN_QUIET       quiet window after which the drain may end (default 500ms)
//
// # Probes
//
// /livez answers 200 for as long as the process serves it. /readyz answers
// 503 until the listeners are bound, every startup function is done and
// every serving actor of [Group.Serve] has said it is ready, and from the
// first moment of a stop; otherwise it runs the checks added with
// [Group.Check] concurrently, each within its own timeout, and answers 503
// naming the failing ones. Its JSON body looks like:
//
//	{"status":"failing","failing":["db"],"checks":[
//	  {"name":"db","status":"timeout","error":"no answer within 500ms","duration_ms":500.2},
//	  {"name":"cache","status":"ok","duration_ms":0.4}]}
//
// The probes are served by every HTTP actor, or only by the management server
// when MANAGEMENT_PORT is set, or, when the group has serving actors of
// [Group.Serve] but no HTTP actor, by a probe server of their own on PORT
// (unless one of them holds PORT, added with [Group.ServeOnPort]: then only
// MANAGEMENT_PORT serves them, and the actor answers for readiness itself
// through [Group.Ready], as a grpc.health.v1 service does). On
// the public port they stop answering when its server stops accepting, after
// the drain; the management and probe servers answer until every other actor
// has stopped, so /livez stays 200 until the process exits.
//
// # Exit codes
//
// [ExitCode] maps Run's result to the process's exit code, one table for
// every twelvekit program: 0 success; 1 any failure, a panic included; 64
// usage (the admin package); 78 configuration; 124 a stop past
// SHUTDOWN_TIMEOUT; 130 a stop forced by a second signal. Run never calls
// os.Exit.
//
// # Logs
//
// Given a *zap.Logger with [WithLogger], the group logs every reason to stop
// once, with the actor's name ("stopping: signal received", "stopping: actor
// returned", "stopping: actor failed", "stopping: actor panicked", "stop timed
// out", "stop forced by a second signal"), the addresses it listens on,
// "ready", and the steps of the stop ("draining: ...", "drain ended" with its
// reason, "servers stop accepting; ...", "stopped"). Without it, it logs
// nothing.
package lifecycle
