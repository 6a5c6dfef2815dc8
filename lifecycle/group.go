package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Group runs named actors together and stops them together, in the order
// Kubernetes and Heroku need; see the package documentation for the order.
//
// Add actors, HTTP servers, serving actors, startup functions, readiness
// checks and cleanups, then call [Group.Run] once. The methods that add things are safe to call from several
// goroutines, but only before Run: after Run has started they return an error
// and change nothing. A Group runs once; make a new one to run again.
//
// The zero Group is ready to use and behaves as New(Config{}): it logs nothing,
// HTTP actors listen on a free port, the shutdown timeout is 25s and there is
// no drain.
type Group struct {
	cfg Config
	set settings

	mu      sync.Mutex
	started bool
	actors  []*actor
	names   map[string]bool
	checks  []*check
	cleanup []*cleanup
	manage  *http.ServeMux
	manageN int   // handlers added with Manage
	addErr  error // first misuse before Run, returned by Run

	portActor string // the actor added with ServeOnPort, which holds Config.Port

	// Shared with the probe handlers while Run runs.
	state   atomic.Int32               // stateStarting, stateReady or stateStopping
	pending atomic.Pointer[[]string]   // startup functions not yet done
	traffic traffic                    // what the drain needs to know
	runLog  atomic.Pointer[zap.Logger] // the queued logger while Run runs

	shutting chan struct{} // closed when the servers stop accepting; see ShuttingDown

	checksMu   sync.Mutex
	checksBusy map[string]int // readiness checks still running, by name
	checkIdle  chan struct{}  // gets a value when checksBusy becomes empty
}

const (
	stateStarting int32 = iota
	stateReady
	stateStopping
)

type actorKind int

const (
	kindActor      actorKind = iota // Add or Go
	kindHTTP                        // HTTP
	kindStartup                     // Startup
	kindManagement                  // the management server, or the probe server of Serve actors
	kindServe                       // Serve
	kindJob                         // Job
)

// actor is one member of the group. Its run-time fields are only touched by
// the goroutine of Run.
type actor struct {
	name      string
	kind      actorKind
	execute   func() error
	interrupt func(error)
	fn        func(context.Context) error // Go and Startup
	serve     func(ctx context.Context, ready func()) error
	stop      func(ctx context.Context) error
	handler   http.Handler
	http      httpSettings

	cancel context.CancelFunc
	srv    *http.Server
	ln     *closeNotifier
	conns  *connTracker
	reqs   *inFlight // HTTP: the requests its handler is serving

	phase phase // where the actor is in the run
	busy  int   // its goroutines still running: execute, and interrupt, stop or Shutdown
}

// phase is where one actor is in a run; only the goroutine of Run changes it.
type phase uint8

const (
	phaseIdle     phase = iota // not started (a start that failed, a context done before Run)
	phaseRunning               // execute runs; the actor has not been asked to stop
	phaseReturned              // execute returned before the actor was asked to stop
	phaseAsked                 // asked to stop (interrupt, stop, Shutdown, its context); busy > 0
	phaseDone                  // asked, and nothing of it runs any more (or it was left behind)
)

// asked reports whether the actor has been asked to stop.
func (a *actor) asked() bool { return a.phase >= phaseAsked }

// New returns a Group that runs with cfg, usually loaded from the environment,
// and opts. It does not check cfg: [Group.Run] does, and returns every problem
// at once.
func New(cfg Config, opts ...Option) *Group {
	g := &Group{cfg: cfg}
	for _, o := range opts {
		if o != nil {
			o.apply(&g.set)
		}
	}
	return g
}

func (g *Group) logger() *zap.Logger {
	if l := g.runLog.Load(); l != nil {
		return l
	}
	if g.set.log == nil {
		return zap.NewNop()
	}
	return g.set.log
}

// register adds a to the group, or records and returns why it cannot.
func (g *Group) register(what string, a *actor, ok error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var err error
	switch {
	case g.started:
		err = fmt.Errorf("lifecycle: %s %q added after Run started; add everything before calling Run", what, a.name)
		g.logger().Error("added after Run started; ignored", zap.String("actor", a.name))
		return err
	case a.name == "":
		err = fmt.Errorf("lifecycle: %s with an empty name; give it a name for the logs", what)
	case g.names[a.name]:
		err = fmt.Errorf("lifecycle: %s %q: name already used in this group; give each a distinct name", what, a.name)
	case ok != nil:
		err = ok
	}
	if err != nil {
		if g.addErr == nil {
			g.addErr = err
		}
		return err
	}
	if g.names == nil {
		g.names = make(map[string]bool)
	}
	g.names[a.name] = true
	g.actors = append(g.actors, a)
	return nil
}

// Add adds an actor as an execute/interrupt pair, as github.com/oklog/run
// does. execute runs in its own goroutine once Run has started and should
// block until the actor's work is done or interrupt is called. interrupt
// must make execute return; Run calls it exactly once, with the error that
// started the stop (nil for a clean one), also when execute has already
// returned and also when Run fails before starting any actor, so it can serve
// as the actor's cleanup. Interrupts run concurrently: a slow one holds up no
// other.
//
// The first actor to return stops the group. An error execute returns after
// interrupt was called is logged, not returned by Run.
//
// Add returns an error, which Run then returns too, when name is empty or
// already used or a function is nil; after Run has started it returns an
// error and adds nothing.
func (g *Group) Add(name string, execute func() error, interrupt func(error)) error {
	var bad error
	if execute == nil || interrupt == nil {
		bad = fmt.Errorf("lifecycle: actor %q has a nil execute or interrupt function; pass both", name)
	}
	return g.register("actor", &actor{name: name, kind: kindActor, execute: execute, interrupt: interrupt}, bad)
}

// Go adds an actor that is a single function. fn runs in its own goroutine
// once Run has started; its context carries the values of Run's context and
// is cancelled when the group interrupts its actors (after the HTTP servers
// have stopped), so fn should return once ctx is done. Returning ctx's error
// (or any error wrapping context.Canceled) after that is a clean stop.
//
// The first actor to return stops the group. Go returns an error, which Run
// then returns too, when name is empty or already used or fn is nil; after
// Run has started it returns an error and adds nothing.
func (g *Group) Go(name string, fn func(ctx context.Context) error) error {
	var bad error
	if fn == nil {
		bad = fmt.Errorf("lifecycle: actor %q has a nil function; pass the function to run", name)
	}
	return g.register("actor", &actor{name: name, kind: kindActor, fn: fn}, bad)
}

// Job adds a background job that may finish without stopping the group: a
// one-off backfill, a cache warm-up that must not hold readiness, a report
// sent once. fn runs in its own goroutine once Run has started, with a
// context that carries the values of Run's context. Returning nil ends the
// job alone (logged as "job done"); returning an error (or panicking) stops
// the group as a failing actor does. A job still running at a stop is
// interrupted with the actors (its context is cancelled after the servers
// have stopped) and waited for under the same deadline; returning ctx's
// error then is a clean stop. Unlike [Group.Startup], a job does not hold
// readiness; unlike [Group.Go], its return does not stop the group.
//
// Job returns an error, which Run then returns too, when name is empty or
// already used (names are shared with the actors) or fn is nil; after Run
// has started it returns an error and adds nothing.
func (g *Group) Job(name string, fn func(ctx context.Context) error) error {
	var bad error
	if fn == nil {
		bad = fmt.Errorf("lifecycle: job %q has a nil function; pass the function to run", name)
	}
	return g.register("job", &actor{name: name, kind: kindJob, fn: fn}, bad)
}

// Startup adds startup work, such as migrations or a cache warm-up, that
// holds readiness: /readyz answers 503 until every startup function has
// returned nil. Startup functions run concurrently with the actors, once the
// listeners are bound; unlike an actor, one returning nil does not stop the
// group. One returning an error (or panicking) stops it as a failing actor
// does. Their context is cancelled at the first moment of a stop.
//
// Startup returns an error, which Run then returns too, when name is empty or
// already used (names are shared with the actors) or fn is nil; after Run has
// started it returns an error and adds nothing.
func (g *Group) Startup(name string, fn func(ctx context.Context) error) error {
	var bad error
	if fn == nil {
		bad = fmt.Errorf("lifecycle: startup %q has a nil function; pass the function to run", name)
	}
	return g.register("startup", &actor{name: name, kind: kindStartup, fn: fn}, bad)
}

// HTTP adds an actor that serves h over HTTP on every interface at
// [Config.Port], or where [WithAddr] or [WithListener] say. [Group.Run] binds
// every listener before it starts any actor or reports ready, so a port
// already taken fails Run at once with an error naming the address.
//
// Unless [Config.ManagementPort] is set, the server also answers the probes
// /livez and /readyz itself, ahead of h. Its defaults are ReadHeaderTimeout
// 10s and IdleTimeout 120s, no ReadTimeout nor WriteTimeout (so long
// responses and streams work; bound them per handler with
// http.ResponseController or http.TimeoutHandler), and an ErrorLog that
// writes to the group's logger; change them with [WithServer].
//
// At a stop, the server keeps serving during the drain (see the package
// documentation, "Drain"; every request but the probes counts as traffic
// for it), answering with "Connection: close" so that clients reconnect
// through the load balancer, then stops accepting with http.Server.Shutdown:
// in-flight requests finish, idle connections close, and so do connections
// that have sent no request yet. Requests still running after a grace of
// half of what is left of the shutdown timeout have their contexts
// cancelled (every request's context descends from the server's
// BaseContext, which the group sets, keeping one set with [WithServer] as
// its parent) and their connections closed: a stream, a long poll or an
// upload whose handler honours its context, or is blocked reading or
// writing, then ends. A hijacked connection, such as a websocket, is told
// by [Group.ShuttingDown]. When the shutdown timeout passes first, the
// server is closed, not waited for, and the requests still running are
// named.
//
// HTTP returns an error, which Run then returns too, when name is empty or
// already used or h is nil; after Run has started it returns an error and
// adds nothing.
func (g *Group) HTTP(name string, h http.Handler, opts ...HTTPOption) error {
	a := &actor{name: name, kind: kindHTTP, handler: h}
	for _, o := range opts {
		if o != nil {
			o.applyHTTP(&a.http)
		}
	}
	var bad error
	if h == nil {
		bad = fmt.Errorf("lifecycle: http %q has a nil handler; pass the handler to serve", name)
	}
	return g.register("http", a, bad)
}

// Serve adds a serving actor that is not a net/http server: a gRPC server,
// another HTTP framework, a queue consumer. The group treats it as it treats
// [Group.HTTP]:
//
//   - serve runs in its own goroutine once Run has started (after every
//     listener of the group is bound) and calls ready once it accepts work,
//     for example after it has bound its port; /readyz answers 503 until
//     every serving actor has called ready and every startup function is
//     done. Calling ready more than once is harmless.
//   - at a stop, it keeps serving during the drain (a group with a serving
//     actor drains even with no HTTP actor), then stop is called, at the
//     same time as the HTTP servers' Shutdown, exactly once (also when serve
//     has already returned), with a context carrying the stop's deadline: stop must make serve stop accepting, let the work in
//     flight finish and make serve return (gRPC's GracefulStop, fiber's
//     ShutdownWithContext, a consumer cancelling its subscription and
//     waiting for its handlers). When ctx is done first, stop should cut the
//     work short (gRPC's Stop) and return.
//   - serve's own context is cancelled after the HTTP servers have stopped,
//     with the other actors, and when the stop times out; serve may use it
//     as a last resort.
//   - a serve or stop still running at the timeout is named in the error.
//
// As with any actor, serve returning first (with or without an error) stops
// the group; an error it returns after stop was called is logged, not a
// failure, and so is an error of stop. A panic in either becomes a
// [*PanicError]. A stop that panics or returns an error has not made serve
// return: the group cancels serve's context and goes on with the stop at
// once, without waiting for serve.
//
// The group cannot see the requests of a serving actor: call [Group.Traffic]
// for each (from a gRPC interceptor, a fiber middleware, a consumer's
// handler) so that the drain can end once they stop; without it the drain
// sees only the HTTP actors and the probes (see the package documentation,
// "Drain"), and with no request seen at all it lasts [Config.DrainDelay].
// When the group has serving actors but no HTTP actor and
// [Config.ManagementPort] is 0, the probes /livez and /readyz get a server of
// their own on [Config.Port], stopped last, so a serving actor must listen
// on another port, unless it is added with [Group.ServeOnPort].
//
// Serve returns an error, which Run then returns too, when name is empty or
// already used or a function is nil; after Run has started it returns an
// error and adds nothing.
func (g *Group) Serve(name string, serve func(ctx context.Context, ready func()) error, stop func(ctx context.Context) error) error {
	var bad error
	if serve == nil || stop == nil {
		bad = fmt.Errorf("lifecycle: serving actor %q has a nil serve or stop function; pass both", name)
	}
	return g.register("serving actor", &actor{name: name, kind: kindServe, serve: serve, stop: stop}, bad)
}

// Traffic records that a request other than a probe has arrived, for the
// drain's rule. The HTTP actors record theirs themselves; a serving actor of
// [Group.Serve] calls Traffic for each request it receives (a gRPC unary
// and stream interceptor, a middleware). It is safe to call from any
// goroutine at any time and costs a few atomic operations.
func (g *Group) Traffic() { g.traffic.request() }

// check is a readiness check added with Check.
type check struct {
	name    string
	timeout time.Duration
	fn      func(context.Context) error
}

// Check adds a readiness check. Each request to /readyz runs every check
// concurrently, each with its own context bounded by timeout, and answers
// 503 naming the failing ones when any returns an error or runs past its
// timeout. Keep timeout below the probe's own (timeoutSeconds on Kubernetes,
// 1s by default). fn should return once its context is done; one that does
// not is reported as timed out and abandoned: Run does not wait for it (it
// logs its name), and names it ("check NAME") if the stop times out while it
// runs.
//
// The check's error text appears in the JSON body of /readyz, so it must not
// contain secrets; serve the probes on [Config.ManagementPort] to keep them
// off the public port.
//
// Check returns an error, which Run then returns too, when name is empty or
// already used by another check, timeout is not positive or fn is nil; after
// Run has started it returns an error and adds nothing.
func (g *Group) Check(name string, timeout time.Duration, fn func(ctx context.Context) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var err error
	switch {
	case g.started:
		g.logger().Error("readiness check added after Run started; ignored", zap.String("check", name))
		return fmt.Errorf("lifecycle: check %q added after Run started; add everything before calling Run", name)
	case name == "":
		err = errors.New("lifecycle: check with an empty name; give it a name for /readyz")
	case fn == nil:
		err = fmt.Errorf("lifecycle: check %q has a nil function; pass the function to run", name)
	case timeout <= 0:
		err = fmt.Errorf("lifecycle: check %q has no timeout; give it one below the probe's timeout, such as 500ms", name)
	}
	for _, c := range g.checks {
		if err == nil && c.name == name {
			err = fmt.Errorf("lifecycle: check %q: name already used in this group; give each a distinct name", name)
		}
	}
	if err != nil {
		if g.addErr == nil {
			g.addErr = err
		}
		return err
	}
	g.checks = append(g.checks, &check{name: name, timeout: timeout, fn: fn})
	return nil
}

// Manage adds an admin handler, such as a log-level switch or
// net/http/pprof, to the management server for pattern (a pattern of
// http.ServeMux). The management server runs only when
// [Config.ManagementPort] is set; otherwise these handlers are not served
// anywhere, never on the public port, and Run logs so once. The management
// server keeps serving until every other actor has stopped.
//
// Manage returns an error, which Run then returns too, when pattern is
// invalid or conflicts with another one (including /livez and /readyz); after
// Run has started it returns an error and adds nothing.
func (g *Group) Manage(pattern string, h http.Handler) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.started {
		g.logger().Error("management handler added after Run started; ignored", zap.String("pattern", pattern))
		return fmt.Errorf("lifecycle: management handler %q added after Run started; add everything before calling Run", pattern)
	}
	if g.manage == nil {
		g.manage = g.probeMux()
	}
	err := handleSafely(g.manage, pattern, h)
	if err != nil {
		if g.addErr == nil {
			g.addErr = err
		}
		return err
	}
	g.manageN++
	return nil
}

// handleSafely registers h on mux, turning the panics of ServeMux.Handle
// into an error.
func handleSafely(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	if h == nil {
		return fmt.Errorf("lifecycle: management handler %q is nil; pass the handler to serve", pattern)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("lifecycle: management handler %q: %v; use a valid http.ServeMux pattern that no other handler uses", pattern, r)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// cleanup is a function added with Cleanup.
type cleanup struct {
	name string
	fn   func(context.Context) error
}

// Cleanup adds fn, named name, to run after every actor has stopped: after
// the servers, the interrupted actors and the management server, once all of
// them have returned. Cleanups run one at a time, in the reverse order of
// registration (the last added runs first, as deferred calls do), so a pool
// opened before what uses it is closed after it. They run on every way out of
// [Group.Run] that is not cut short: a clean stop, a failure, a start that
// failed, a context already done. They run inside [Config.ShutdownTimeout]:
// fn's context carries the stop's remaining deadline, and when the timeout
// passes while one runs, Run returns an error naming it ("cleanup NAME") and
// the cleanups not yet run are skipped (and logged).
//
// An error fn returns, or a panic (a [*PanicError]), is logged and is Run's
// result when the stop was otherwise clean. Use Cleanup for what every actor
// shares, such as a database pool; an actor's own cleanup belongs in its
// interrupt function or at the end of its function.
//
// Cleanup returns an error, which Run then returns too, when name is empty or
// already used by another cleanup or fn is nil; after Run has started it
// returns an error and adds nothing.
func (g *Group) Cleanup(name string, fn func(ctx context.Context) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	var err error
	switch {
	case g.started:
		g.logger().Error("cleanup added after Run started; ignored", zap.String("cleanup", name))
		return fmt.Errorf("lifecycle: cleanup %q added after Run started; add everything before calling Run", name)
	case name == "":
		err = errors.New("lifecycle: cleanup with an empty name; give it a name for the logs")
	case fn == nil:
		err = fmt.Errorf("lifecycle: cleanup %q has a nil function; pass the function to run", name)
	}
	for _, c := range g.cleanup {
		if err == nil && c.name == name {
			err = fmt.Errorf("lifecycle: cleanup %q: name already used in this group; give each a distinct name", name)
		}
	}
	if err != nil {
		if g.addErr == nil {
			g.addErr = err
		}
		return err
	}
	g.cleanup = append(g.cleanup, &cleanup{name: name, fn: fn})
	return nil
}
