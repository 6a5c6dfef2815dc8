package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/oklog/run"
	"go.uber.org/zap"
)

// Run runs every actor, HTTP server and startup function of the group until
// the first of them returns, a signal arrives or ctx is done, then stops them
// all in order and returns. It runs once per Group; a second call returns an
// error.
//
// # Start
//
// Run checks the [Config] (an error wraps every problem and maps to exit code
// 78). When ctx is already done, it binds nothing and starts nothing: it runs
// every interrupt of [Group.Add] and every [Group.Cleanup] once and returns
// nil, as for a clean stop. Otherwise it binds the listener of every HTTP actor (a taken port fails Run at once
// with an error naming the address; nothing has started then, and every
// interrupt of [Group.Add] still runs exactly once), starts handling SIGINT and
// SIGTERM, starts everything in its own goroutine, and logs "ready" once the
// listeners are bound and every [Group.Startup] function has returned nil:
// from then on /readyz may answer 200.
//
// # Stop
//
// A stop begins with the first of: a signal, ctx being done, an actor
// returning (with or without an error) or a startup function failing. Its
// reason is logged once, with the actor's name. Then, all inside
// [Config.ShutdownTimeout] counted from that moment:
//
//  1. /readyz answers 503 at once, and startup functions are cancelled;
//  2. the drain: the HTTP servers and the serving actors of [Group.Serve]
//     keep serving, the HTTP servers answering with "Connection: close" so
//     clients reconnect through the load balancer, until traffic has
//     stopped, within [Config.DrainMin] and [Config.DrainDelay] (see the
//     package documentation, "Drain"; skipped when the group has no serving
//     actor or DrainDelay is 0);
//  3. the HTTP servers stop accepting and wait for their requests in flight
//     (http.Server.Shutdown; idle connections close, and so do connections
//     that have not sent a request yet, which Shutdown alone would wait 5 s
//     for), and, at the same time, the stop functions of [Group.Serve] run;
//  4. every other actor is interrupted: the interrupt functions of
//     [Group.Add] run concurrently, each exactly once, and the contexts of
//     [Group.Go] are cancelled; Run waits for all of them;
//  5. the management server, if any, stops last, so /livez answers until then;
//  6. the cleanups of [Group.Cleanup] run, last added first.
//
// Readiness checks still running then are given 50 ms and abandoned: a check
// that ignores its context never holds the stop. The group's own log lines
// are written off the stop path (see [WithLogger]).
//
// # Result
//
// Run returns nil for a clean stop: after a signal, after ctx is done, or after
// an actor returned nil; a group with nothing to run returns nil at once. It returns the first real error otherwise: an actor's
// error (wrapped, naming it), a [*PanicError], or an error an actor returned on
// its own during the stop. Errors actors return after they were interrupted,
// and context.Canceled from the group's own cancellation, are logged but are
// not real errors.
//
// When ShutdownTimeout passes, Run closes the HTTP servers without waiting
// for them, cancels every context, calls any interrupt not yet called without
// waiting, and returns at once an error wrapping [ErrShutdownTimeout] (and the
// first real error, if any) that names every actor still running; the log
// says the same. Their goroutines are left behind, to end with the process.
//
// # Signals
//
// The first SIGINT or SIGTERM starts a graceful stop. After it, only a SIGINT
// that arrives 500 ms or more after the first signal forces the stop: Run
// then returns at once, as for a timeout, an error wrapping [ErrForced]. Every
// other signal, above all a repeated SIGTERM (Heroku sends SIGTERM to every
// process of a dyno, and may send it more than once), is logged and ignored,
// so it never cuts a drain short. SIGTERM never forces; Ctrl-C pressed twice
// does. Run releases its signal handlers (signal.Stop) before it returns; a
// signal arriving later gets the default behaviour or another handler's, never
// a panic. Run never calls os.Exit: pass its result to [ExitCode].
//
// Run builds on github.com/oklog/run: a run.Group runs the actors and reports
// when every one has returned; its interrupt step, which calls interrupts one
// after another and waits without a deadline, is replaced by the ordered,
// concurrent, time-bounded stop above.
func (g *Group) Run(ctx context.Context) (err error) {
	g.mu.Lock()
	if g.started {
		g.mu.Unlock()
		return errors.New("lifecycle: Run called twice on one Group; make a new Group for each run")
	}
	g.started = true
	actors := slices.Clone(g.actors)
	addErr := g.addErr
	mgmt, manageN := g.manage, g.manageN
	cleanups := slices.Clone(g.cleanup)
	g.mu.Unlock()
	g.checksMu.Lock()
	g.checkIdle = make(chan struct{}, 1)
	g.checksMu.Unlock()

	r := &runner{g: g, log: zap.NewNop(), begin: time.Now(), forceGap: g.set.forceGap, cleanups: cleanups}
	if r.forceGap <= 0 {
		r.forceGap = defaultForceGap
	}
	if g.set.log != nil {
		var q *logQueue
		r.log, q = startLogQueue(g.set.log)
		g.runLog.Store(r.log)
		defer func() {
			deadline := time.Now()
			if r.stopping {
				deadline = r.stopBegin.Add(r.cfg.ShutdownTimeout)
			}
			if n := q.dropped.Load(); n > 0 {
				r.log.Warn("log entries of the group dropped: the log output was not taking them", zap.Int64("dropped", n))
			}
			q.close(deadline)
			g.runLog.Store(nil)
		}()
	}
	cfg, cfgErr := g.cfg.resolve()
	r.cfg = cfg
	hasHTTP := slices.ContainsFunc(actors, func(a *actor) bool { return a.kind == kindHTTP })
	hasServe := slices.ContainsFunc(actors, func(a *actor) bool { return a.kind == kindServe })
	if cfg.ManagementPort != 0 && cfgErr == nil {
		if mgmt == nil {
			mgmt = g.probeMux()
		}
		actors = append(actors, &actor{name: "management", kind: kindManagement, handler: mgmt})
	} else if hasServe && !hasHTTP && !g.servesPort() && cfgErr == nil {
		// Serving actors but no net/http one: the probes get their own
		// server on PORT, stopped last like the management server.
		actors = append(actors, &actor{name: "probes", kind: kindManagement, handler: g.probeMux(),
			http: httpSettings{addr: ":" + strconv.Itoa(cfg.Port), addrSet: true}})
	}
	if cfg.ManagementPort == 0 && manageN > 0 {
		r.log.Info("management handlers not served: MANAGEMENT_PORT is not set", zap.Int("handlers", manageN))
	}
	r.actors = actors
	r.exits = make(chan exitEvent, 2*len(actors))
	r.dones = make(chan doneEvent, len(actors)+1)

	err = errors.Join(addErr, cfgErr)
	if err == nil && ctx.Err() != nil {
		// A context already done: bind nothing, start nothing, and still
		// run every interrupt and cleanup once.
		return r.stopUnstarted(ctx)
	}
	if err == nil {
		err = r.listenAll()
	}
	if err != nil {
		return r.failStart(err)
	}
	if len(actors) == 0 {
		r.log.Info("nothing to run: the group has no actor")
		r.beginStop()
		defer r.cancelAll()
		if out := r.runCleanups(); out != nil {
			return out
		}
		return r.reason
	}
	// Signals are handled from here on; before, nothing had started, and a
	// signal ends the process the default way.
	sigc, release := g.notify()
	defer release()
	r.sigc = sigc
	defer r.cancelAll()
	r.launch(ctx)
	return r.loop(ctx)
}

// exitEvent reports that an actor's execute returned, or that a startup
// function returned nil (startupDone) while its execute waits for the stop.
type exitEvent struct {
	a           *actor
	err         error
	panicked    bool
	startupDone bool
}

// doneEvent reports that an interrupt function, or a server's Shutdown,
// returned.
type doneEvent struct {
	a        *actor
	err      error
	panicked bool
}

// runner is the state of one Run. Only the goroutine of Run touches it.
type runner struct {
	g        *Group
	log      *zap.Logger
	cfg      Config
	actors   []*actor
	begin    time.Time
	forceGap time.Duration

	sigc  <-chan os.Signal
	exits chan exitEvent
	dones chan doneEvent
	group chan struct{} // closed when run.Group.Run has returned

	pending []string // startup functions not yet done

	cleanups []*cleanup
	cleaning string // the cleanup running, for the timeout's message

	stopping   bool
	stopBegin  time.Time
	firstSig   time.Time
	reason     error // the first real error
	deadline   *time.Timer
	shutCtx    context.Context
	shutCancel context.CancelFunc
}

// listenAll binds every listener, in order. On failure it closes those
// already bound.
func (r *runner) listenAll() error {
	for _, a := range r.actors {
		if a.kind != kindHTTP && a.kind != kindManagement {
			continue
		}
		if err := r.g.listen(a, r.cfg, r.log); err != nil {
			return err
		}
	}
	return nil
}

// failStart handles an error before any actor started: it closes every
// listener, runs every interrupt once and returns err. Signals are not
// handled yet: one ends the process the default way.
func (r *runner) failStart(err error) error {
	r.log.Error("start failed", zap.Error(err))
	r.reason = err
	for _, a := range r.actors {
		if a.ln != nil {
			_ = a.ln.Close()
		} else if a.http.ln != nil {
			_ = a.http.ln.Close()
		}
	}
	r.beginStop()
	defer r.cancelAll()
	if out := r.interruptActors(); out != nil {
		return out
	}
	if out := r.runCleanups(); out != nil {
		return out
	}
	return err
}

// stopUnstarted handles a context done before Run: nothing is bound or
// started; every interrupt and cleanup runs once.
func (r *runner) stopUnstarted(ctx context.Context) error {
	r.beginStop()
	r.log.Info("stopping: context done before start; nothing started", zap.NamedError("cause", context.Cause(ctx)))
	for _, a := range r.actors {
		if a.http.ln != nil {
			_ = a.http.ln.Close()
		}
	}
	defer r.cancelAll()
	if out := r.interruptActors(); out != nil {
		return out
	}
	if out := r.runCleanups(); out != nil {
		return out
	}
	r.log.Info("stopped", zap.Duration("took", time.Since(r.stopBegin)), zap.NamedError("error", r.reason))
	return r.reason
}

// launch starts the actors in a run.Group.
func (r *runner) launch(ctx context.Context) {
	base := context.WithoutCancel(ctx)
	var rg run.Group
	for _, a := range r.actors {
		var actx context.Context
		if a.fn != nil || a.serve != nil {
			actx, a.cancel = context.WithCancel(base)
		}
		if a.kind == kindStartup || a.kind == kindServe {
			r.pending = append(r.pending, a.name)
		}
		a.executing = true
		// The interrupt given to run.Group does nothing: the runner
		// interrupts in its own order once it sees the first exit.
		rg.Add(r.execute(actx, a), func(error) {})
	}
	r.publishPending()
	r.group = make(chan struct{})
	go func() {
		defer close(r.group)
		_ = rg.Run()
	}()
	for _, a := range r.actors {
		if a.srv != nil {
			r.log.Info("listening", zap.String("actor", a.name), zap.String("addr", a.ln.Addr().String()))
		}
	}
	if len(r.pending) == 0 {
		r.markReady()
	}
}

// execute wraps an actor's work: it recovers a panic and reports the exit.
func (r *runner) execute(ctx context.Context, a *actor) func() error {
	return func() (err error) {
		panicked := false
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Actor: a.name, Value: v, Stack: debug.Stack()}
				panicked = true
			}
			r.exits <- exitEvent{a: a, err: err, panicked: panicked}
		}()
		switch {
		case a.srv != nil:
			return serve(a)
		case a.kind == kindServe:
			var once sync.Once
			ready := func() {
				once.Do(func() { r.exits <- exitEvent{a: a, startupDone: true} })
			}
			return a.serve(ctx, ready)
		case a.kind == kindStartup:
			if err := a.fn(ctx); err != nil {
				return err
			}
			r.exits <- exitEvent{a: a, startupDone: true}
			<-ctx.Done() // done, but returning would stop the group
			return nil
		case a.fn != nil:
			return a.fn(ctx)
		default:
			return a.execute()
		}
	}
}

func (r *runner) publishPending() {
	p := slices.Clone(r.pending)
	r.g.pending.Store(&p)
}

func (r *runner) markReady() {
	if r.stopping {
		return
	}
	r.g.state.Store(stateReady)
	r.log.Info("ready", zap.Duration("took", time.Since(r.begin)))
}

// loop waits for the first reason to stop, then stops in order.
func (r *runner) loop(ctx context.Context) error {
	done := ctx.Done()
	for !r.stopping {
		select {
		case sig := <-r.sigc:
			r.onSignal(sig)
		case <-done:
			r.beginStop()
			r.log.Info("stopping: context done", zap.NamedError("cause", context.Cause(ctx)))
		case ev := <-r.exits:
			r.onExit(ev)
		case ev := <-r.dones:
			r.onDone(ev)
		}
	}
	if out := r.drain(); out != nil {
		return out
	}
	if out := r.stopServers(kindHTTP); out != nil {
		return out
	}
	if out := r.interruptActors(); out != nil {
		return out
	}
	if out := r.stopServers(kindManagement); out != nil {
		return out
	}
	if out := r.waitUntil(nil, nil, r.group); out != nil {
		return out
	}
	if out := r.runCleanups(); out != nil {
		return out
	}
	r.abandonChecks()
	r.log.Info("stopped", zap.Duration("took", time.Since(r.stopBegin)), zap.NamedError("error", r.reason))
	return r.reason
}

// beginStop is step 1 of the stop, done before its reason is logged:
// readiness fails (and HTTP responses ask
// for their connection to close), startup work is cancelled, and the
// shutdown timeout starts.
func (r *runner) beginStop() {
	if r.stopping {
		return
	}
	r.stopping = true
	r.stopBegin = time.Now()
	r.g.state.Store(stateStopping)
	r.deadline = time.NewTimer(r.cfg.ShutdownTimeout)
	r.shutCtx, r.shutCancel = context.WithTimeout(context.Background(), r.cfg.ShutdownTimeout)
	for _, a := range r.actors {
		if a.kind == kindStartup {
			a.interrupted = true
			if a.cancel != nil {
				a.cancel()
			}
		}
	}
}

// checkGrace is how long Run waits, once everything has stopped, for
// readiness checks still running: one that honours its context ends within
// it; one that ignores its context is abandoned.
const checkGrace = 50 * time.Millisecond

// abandonChecks gives the readiness checks still running checkGrace to end,
// then leaves them behind, logging their names.
func (r *runner) abandonChecks() {
	if len(r.g.busyChecks()) == 0 {
		return
	}
	t := time.NewTimer(checkGrace)
	defer t.Stop()
	for {
		busy := r.g.busyChecks()
		if len(busy) == 0 {
			return
		}
		select {
		case <-r.g.checkIdle:
		case <-t.C:
			r.log.Warn("readiness checks ignore their context; abandoned", zap.Strings("checks", busy))
			return
		}
	}
}

// runCleanups runs the cleanups, last added first, each within the stop's
// remaining time.
func (r *runner) runCleanups() error {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		c := r.cleanups[i]
		r.cleaning = c.name
		fin := make(chan struct{})
		var err error
		go func() {
			defer close(fin)
			err = callCleanup(r.shutCtx, c)
		}()
		if out := r.waitUntil(nil, nil, fin); out != nil {
			if i > 0 {
				var skipped []string
				for j := i - 1; j >= 0; j-- {
					skipped = append(skipped, r.cleanups[j].name)
				}
				r.log.Error("cleanups not run: the stop ran out of time", zap.Strings("cleanups", skipped))
			}
			return out
		}
		r.cleaning = ""
		var perr *PanicError
		switch {
		case err == nil:
			r.log.Debug("cleanup done", zap.String("cleanup", c.name))
			continue
		case errors.As(err, &perr):
			r.logPanic("cleanup panicked", err)
		default:
			err = fmt.Errorf("lifecycle: cleanup %q failed: %w", c.name, err)
			r.log.Error("cleanup failed", zap.String("cleanup", c.name), zap.Error(err))
		}
		if r.reason == nil {
			r.reason = err
		}
	}
	return nil
}

// callCleanup runs a cleanup, turning a panic into a *PanicError.
func callCleanup(ctx context.Context, c *cleanup) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &PanicError{Actor: "cleanup " + c.name, Value: v, Stack: debug.Stack()}
		}
	}()
	return c.fn(ctx)
}

// cancelAll releases the timers and contexts of the run.
func (r *runner) cancelAll() {
	for _, a := range r.actors {
		if a.cancel != nil {
			a.cancel()
		}
	}
	if r.deadline != nil {
		r.deadline.Stop()
	}
	if r.shutCancel != nil {
		r.shutCancel()
	}
}

// drain is step 2; see the package documentation ("Drain") for the rule.
func (r *runner) drain() error {
	serving := slices.ContainsFunc(r.actors, func(a *actor) bool { return a.kind == kindHTTP || a.kind == kindServe })
	if r.cfg.DrainDelay <= 0 || !serving {
		return nil
	}
	d := r.g.traffic.plan(r.cfg, r.begin, r.stopBegin)
	r.log.Info("draining: readiness fails, servers still serve",
		zap.Duration("drain_max", r.cfg.DrainDelay), zap.Duration("drain_min", r.cfg.DrainMin),
		zap.Duration("quiet_window", d.window), zap.Bool("prober_seen", d.proberSeen))
	tick := time.NewTicker(drainTick)
	defer tick.Stop()
	for {
		if why := d.over(&r.g.traffic, time.Now()); why != "" {
			r.log.Info("drain ended", zap.String("reason", why), zap.Duration("took", time.Since(r.stopBegin)))
			return nil
		}
		if out := r.waitUntil(nil, tick.C, nil); out != nil {
			return out
		}
	}
}

// stopServers is step 3 (kindHTTP) and step 5 (kindManagement).
func (r *runner) stopServers(kind actorKind) error {
	var servers []*actor
	for _, a := range r.actors {
		if a.interrupted {
			continue
		}
		if kind == kindHTTP && a.kind == kindServe {
			servers = append(servers, a)
			a.interrupted, a.interrupting = true, true
			go r.callStop(a)
			continue
		}
		if a.kind != kind || a.srv == nil {
			continue
		}
		servers = append(servers, a)
		a.interrupted, a.interrupting = true, true
		go func() {
			err := a.srv.Shutdown(r.shutCtx)
			r.dones <- doneEvent{a: a, err: err}
		}()
	}
	if len(servers) == 0 {
		return nil
	}
	if kind == kindHTTP {
		closed := 0
		for _, a := range servers {
			if a.srv == nil {
				continue
			}
			if out := r.waitUntil(nil, nil, a.ln.closed); out != nil {
				return out
			}
			closed += a.conns.closeNew()
		}
		r.log.Info("servers stop accepting; waiting for requests in flight", zap.Int("closed_unused_connections", closed))
	}
	return r.waitUntil(func() bool { return !slices.ContainsFunc(servers, notDone) }, nil, nil)
}

// interruptActors is step 4. It also cancels the context of the serving
// actors of Serve, whose stop has returned by then.
func (r *runner) interruptActors() error {
	var actors []*actor
	for _, a := range r.actors {
		if a.kind == kindServe {
			actors = append(actors, a)
			if a.cancel != nil {
				a.cancel()
			}
			if !a.interrupted { // a start that failed: stop is not called
				a.interrupted = true
			}
			continue
		}
		if a.kind != kindActor && a.kind != kindStartup {
			continue
		}
		actors = append(actors, a)
		if a.interrupted {
			continue
		}
		a.interrupted = true
		if a.fn != nil {
			if a.cancel != nil {
				a.cancel()
			}
			continue
		}
		a.interrupting = true
		go r.callInterrupt(a, r.reason)
	}
	return r.waitUntil(func() bool { return !slices.ContainsFunc(actors, notDone) }, nil, nil)
}

func notDone(a *actor) bool { return !a.done() }

// callStop runs the stop function of a serving actor of Serve, recovering a
// panic, and reports that it returned.
func (r *runner) callStop(a *actor) {
	ev := doneEvent{a: a}
	defer func() {
		if v := recover(); v != nil {
			ev.err = &PanicError{Actor: a.name, Value: v, Stack: debug.Stack()}
			ev.panicked = true
		}
		r.dones <- ev
	}()
	ev.err = a.stop(r.shutCtx)
}

// callInterrupt runs an interrupt function, recovering a panic, and reports
// that it returned.
func (r *runner) callInterrupt(a *actor, cause error) {
	ev := doneEvent{a: a}
	defer func() {
		if v := recover(); v != nil {
			ev.err = &PanicError{Actor: a.name, Value: v, Stack: debug.Stack()}
			ev.panicked = true
		}
		r.dones <- ev
	}()
	a.interrupt(cause)
}

// waitUntil handles events until cond reports true (nil: never), tick fires
// or fin is closed. It returns nil then, or the error of a stop cut short by
// the timeout or a forcing signal.
func (r *runner) waitUntil(cond func() bool, tick <-chan time.Time, fin <-chan struct{}) error {
	for cond == nil || !cond() {
		select {
		case ev := <-r.exits:
			r.onExit(ev)
		case ev := <-r.dones:
			r.onDone(ev)
		case sig := <-r.sigc:
			if r.onSignal(sig) {
				return r.abort(ErrForced, sig)
			}
		case <-r.deadline.C:
			return r.abort(ErrShutdownTimeout, nil)
		case <-tick:
			return nil
		case <-fin:
			return nil
		}
	}
	return nil
}

// onSignal applies the signal rule; it reports whether sig forces the stop.
func (r *runner) onSignal(sig os.Signal) bool {
	now := time.Now()
	name := signalName(sig)
	switch {
	case !r.stopping:
		r.firstSig = now
		r.beginStop()
		r.log.Info("stopping: signal received", zap.String("signal", name))
	case r.firstSig.IsZero():
		r.firstSig = now
		r.log.Info("signal received while stopping; the stop goes on", zap.String("signal", name),
			zap.String("to_force", "send SIGINT again"))
	case sig == os.Interrupt && now.Sub(r.firstSig) >= r.forceGap:
		return true
	default:
		r.log.Info("signal ignored; the stop goes on", zap.String("signal", name),
			zap.String("to_force", fmt.Sprintf("send SIGINT at least %s after the first signal", r.forceGap)))
	}
	return false
}

// onExit records that an actor's execute returned; the first exit before a
// stop is the stop's reason.
func (r *runner) onExit(ev exitEvent) {
	a := ev.a
	if ev.startupDone {
		r.pending = slices.DeleteFunc(r.pending, func(n string) bool { return n == a.name })
		r.publishPending()
		if a.kind == kindServe {
			r.log.Info("serving", zap.String("actor", a.name))
		} else {
			r.log.Info("startup done", zap.String("actor", a.name))
		}
		if len(r.pending) == 0 {
			r.markReady()
		}
		return
	}
	a.executing = false
	err := ev.err
	name := zap.String("actor", a.name)
	switch {
	case !r.stopping && err == nil:
		r.beginStop()
		r.log.Info("stopping: actor returned", name)
	case !r.stopping && ev.panicked:
		r.reason = err
		r.beginStop()
		r.logPanic("stopping: actor panicked", err)
	case !r.stopping:
		r.reason = fmt.Errorf("lifecycle: actor %q failed: %w", a.name, err)
		r.beginStop()
		r.log.Error("stopping: actor failed", name, zap.Error(err))
	case err == nil:
		r.log.Debug("actor stopped", name)
	case ev.panicked:
		r.logPanic("actor panicked while stopping", err)
		if r.reason == nil {
			r.reason = err
		}
	case a.interrupted && errors.Is(err, context.Canceled):
		r.log.Debug("actor stopped", name, zap.Error(err))
	case a.interrupted:
		r.log.Info("actor returned an error after it was interrupted (not a failure)", name, zap.Error(err))
	default:
		r.log.Error("actor failed while stopping", name, zap.Error(err))
		if r.reason == nil {
			r.reason = fmt.Errorf("lifecycle: actor %q failed: %w", a.name, err)
		}
	}
}

// onDone records that an interrupt or a Shutdown returned.
func (r *runner) onDone(ev doneEvent) {
	a := ev.a
	a.interrupting = false
	switch {
	case ev.panicked:
		r.logPanic("interrupt panicked", ev.err)
		if r.reason == nil {
			r.reason = ev.err
		}
	case a.srv != nil:
		// An error here is the shutdown context's deadline; the
		// deadline timer reports the timeout.
		a.shutDown = ev.err == nil
	case a.kind == kindServe && ev.err != nil:
		r.log.Warn("stop of a serving actor returned an error", zap.String("actor", a.name), zap.Error(ev.err))
	}
}

func (r *runner) logPanic(msg string, err error) {
	var p *PanicError
	if errors.As(err, &p) {
		r.log.Error(msg, zap.String("actor", p.Actor), zap.String("panic", fmt.Sprint(p.Value)),
			zap.ByteString("stack", p.Stack))
	}
}

// abort ends a stop cut short by the timeout (kind ErrShutdownTimeout) or a
// forcing signal (ErrForced): it names what is still running, closes the
// servers, cancels every context and calls the interrupts not yet called,
// without waiting for any of it.
func (r *runner) abort(kind error, sig os.Signal) error {
	var running []string
	for _, a := range r.actors {
		if !a.done() {
			running = append(running, a.name)
		}
	}
	if r.cleaning != "" {
		running = append(running, "cleanup "+r.cleaning)
	}
	for _, c := range r.g.busyChecks() {
		running = append(running, "check "+c)
	}
	err := &stopError{kind: kind, timeout: r.cfg.ShutdownTimeout, running: running, cause: r.reason}
	if kind == ErrForced {
		r.log.Warn("stop forced by a second signal", zap.String("signal", signalName(sig)),
			zap.Strings("running", running), zap.Duration("took", time.Since(r.stopBegin)))
	} else {
		r.log.Error("stop timed out", zap.Duration("shutdown_timeout", r.cfg.ShutdownTimeout),
			zap.Strings("running", running))
	}
	for _, a := range r.actors {
		if a.srv != nil {
			_ = a.srv.Close()
		}
		if a.cancel != nil {
			a.cancel()
		}
		if !a.interrupted && a.interrupt != nil {
			a.interrupted = true
			go r.callInterrupt(a, err)
		}
		if !a.interrupted && a.kind == kindServe && a.executing {
			a.interrupted = true
			go r.callStop(a) // its context is done: it should cut short
		}
	}
	return err
}
