package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oklog/run"
	"github.com/twelvekit/twelvekit/internal/stop"
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
//     for), and, at the same time, the stop functions of [Group.Serve] run
//     and [Group.ShuttingDown] is closed (for hijacked connections, such as
//     websockets). The requests get a grace of half of what is left of the
//     timeout; then the contexts of those still running are cancelled and
//     their connections closed, so that streams, long polls and slow
//     uploads end, and Run waits for their handlers to return;
//  4. every other actor is interrupted: the interrupt functions of
//     [Group.Add] run concurrently, each exactly once, and the contexts of
//     [Group.Go] are cancelled; Run waits for all of them;
//  5. the management server, if any, stops last, so /livez answers until then;
//  6. the cleanups of [Group.Cleanup] run, last added first.
//
// Readiness checks still running then are given 50 ms and abandoned: a check
// that ignores its context never holds the stop. The group's own log lines
// are written off the stop path (see [WithLogger]), and flushed, with the
// logger's own buffer, before Run returns and within the timeout.
//
// A stop function of [Group.Serve] that panics or returns an error has not
// made serve return: its serve is then not waited for (its context is
// cancelled, and its goroutine is left to end with the process), and the
// stop goes on at once. A panic is Run's [*PanicError]; an error is logged.
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
// Every wait of the stop is bounded by the one deadline ShutdownTimeout sets,
// of which the last tenth (at most 200 ms) is kept for the final flush of
// the log. When the stop's work runs past it, Run closes the HTTP servers
// without waiting for them, cancels every context, calls any interrupt not
// yet called without waiting, and returns an error wrapping
// [ErrShutdownTimeout] (and the first real error, if any) that names what
// the step in progress was waiting for: the actors (with an HTTP server's
// requests still running, as "web (requests: GET /path)"), the cleanup or
// the readiness checks still running, never an actor only waiting its turn.
// The log says the same. Their goroutines are left behind, to end with the
// process. Run returns by the deadline however stdout behaves: with a
// logger of twelvekit's logging package, main's own Sync after Run returns
// at once when Run had to give up on stdout.
//
// # Signals
//
// The first SIGINT or SIGTERM starts a graceful stop. After it, only a SIGINT
// that arrives 500 ms or more after the first signal forces the stop: Run
// then returns at once, as for a timeout, an error wrapping [ErrForced]. Every
// other signal, above all a repeated SIGTERM (Heroku sends SIGTERM to every
// process of a dyno, and may send it more than once), is logged and ignored,
// so it never cuts a drain short. SIGTERM never forces; Ctrl-C pressed twice
// does. Signals are handled until the final flush of the log is done, so a
// signal during it never changes Run's result; Run then releases its signal
// handlers (signal.Stop) and returns; a signal arriving later gets the
// default behaviour or another handler's, never a panic. Run never calls os.Exit: pass its result to [ExitCode].
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
	var cleanups []stop.Cleanup
	for _, c := range g.cleanup {
		cleanups = append(cleanups, stop.Cleanup{Name: c.name, Fn: c.fn})
	}
	if g.shutting == nil {
		g.shutting = make(chan struct{})
	}
	g.mu.Unlock()
	g.checksMu.Lock()
	g.checkIdle = make(chan struct{}, 1)
	g.checksMu.Unlock()

	r := &runner{g: g, log: zap.NewNop(), begin: time.Now(), sig: stop.Signals{Gap: g.set.forceGap}, cleanups: cleanups}
	if g.set.log != nil {
		r.log, r.logq = startLogQueue(g.set.log)
		g.runLog.Store(r.log)
		defer func() { r.flushLog(r.logq) }()
	}
	defer r.dl.Stop()
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
	r.aborted = make(chan struct{})
	defer r.cancelAll()

	err = errors.Join(addErr, cfgErr)
	switch {
	case err == nil && ctx.Err() != nil:
		// A context already done: bind nothing, start nothing, and still
		// run every interrupt and cleanup once.
		r.beginStop()
		r.log.Info("stopping: context done before start; nothing started", zap.NamedError("cause", context.Cause(ctx)))
		r.closeListeners()
		return r.stop()
	case err == nil:
		err = r.listenAll()
	}
	if err != nil {
		// Nothing has started; signals are not handled yet, and one ends
		// the process the default way.
		r.reason, r.reasonBegan = err, true
		r.beginStop()
		r.log.Error("start failed", zap.Error(err))
		r.closeListeners()
		return r.stop()
	}
	if len(actors) == 0 {
		r.beginStop()
		r.log.Info("nothing to run: the group has no actor")
		return r.stop()
	}
	// Signals are handled from here on, until Run returns, its final flush
	// of the log included.
	sigc, release := g.notify()
	defer func() {
		// The final flush of the log comes before the handlers go: a
		// signal during it is the stop's, and cannot change Run's result.
		if g.set.log != nil {
			r.flushLog(r.logq)
		}
		release()
	}()
	r.sigc = sigc
	r.launch(ctx)
	done := ctx.Done()
	for !r.dl.Started() {
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
	return r.stop()
}

// exitEvent reports that an actor's execute returned, or that a startup
// function returned nil (startupDone) while its execute waits for the stop.
type exitEvent struct {
	a           *actor
	err         error
	startupDone bool
}

// doneEvent reports that an interrupt or stop function, or a server's
// Shutdown and its requests, returned.
type doneEvent struct {
	a   *actor
	err error
}

// runner is the state of one Run. Only the goroutine of Run touches it.
type runner struct {
	g       *Group
	log     *zap.Logger
	logq    *logQueue // the queue of log, when the group has a logger
	flushed bool      // the final flush of the log is done
	cfg     Config
	begin   time.Time

	actors []*actor
	sigc   <-chan os.Signal
	sig    stop.Signals
	dl     stop.Deadline // the one deadline of the stop: every wait takes its bound from it
	exits  chan exitEvent
	dones  chan doneEvent
	group  chan struct{} // closed when run.Group.Run has returned; nil when nothing started

	aborted chan struct{} // closed when the stop is cut short: goroutines waiting on its behalf give up

	pending []string // startup functions and serving actors not yet ready

	// What the step of the stop in progress waits for, which a timeout
	// names: its actors not yet done, or its cleanup. An actor waiting its
	// turn for a later step is not named.
	waiting  []*actor
	cleanups []stop.Cleanup
	cleaning string

	reason      error // the first real error
	reasonBegan bool  // whether reason began the stop
	leftBehind  bool  // a serving actor's execute is not waited for: its stop failed
}

// listenAll binds every listener, in order.
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

// closeListeners closes the listeners of a run that starts nothing.
func (r *runner) closeListeners() {
	for _, a := range r.actors {
		switch {
		case a.ln != nil:
			_ = a.ln.Close()
		case a.http.ln != nil:
			_ = a.http.ln.Close()
		}
	}
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
		a.phase, a.busy = phaseRunning, 1
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
	return func() error {
		err := stop.Call(a.name, func() error {
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
			case a.kind == kindJob:
				if err := a.fn(ctx); err != nil || ctx.Err() != nil {
					return err
				}
				r.log.Info("job done", zap.String("actor", a.name))
				<-ctx.Done() // done, but returning would stop the group
				return nil
			case a.fn != nil:
				return a.fn(ctx)
			}
			return a.execute()
		})
		r.exits <- exitEvent{a: a, err: err}
		return err
	}
}

func (r *runner) publishPending() {
	p := slices.Clone(r.pending)
	r.g.pending.Store(&p)
}

func (r *runner) markReady() {
	if r.dl.Started() {
		return
	}
	r.g.state.Store(stateReady)
	r.log.Info("ready", zap.Duration("took", time.Since(r.begin)))
}

// stop is the stop sequence, the one way out of every Run: each step waits
// within the deadline; the first cut short by the deadline or a forcing
// signal ends the stop there.
func (r *runner) stop() error {
	steps := []func() error{
		r.drain, // 2
		func() error { return r.stopServers(kindHTTP) }, // 3
		r.interruptActors, // 4
		func() error { return r.stopServers(kindManagement) }, // 5
		r.waitExecutes,
		r.runCleanups, // 6
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
		r.waiting = nil
	}
	r.abandonChecks()
	r.log.Info("stopped", zap.Duration("took", time.Since(r.dl.Begin())), zap.NamedError("error", r.reason))
	return r.reason
}

// waitExecutes waits until every actor's execute has returned (run.Group has
// returned).
func (r *runner) waitExecutes() error {
	r.waiting = slices.DeleteFunc(slices.Clone(r.actors), func(a *actor) bool { return a.busy <= 0 })
	if r.leftBehind {
		// run.Group returns only when every execute has; one is left behind.
		return r.waitUntil(func() bool { return !slices.ContainsFunc(r.actors, func(a *actor) bool { return a.busy > 0 }) }, nil, nil)
	}
	return r.waitUntil(nil, nil, r.group)
}

// flushReserve is the part of SHUTDOWN_TIMEOUT kept, at its end, for the
// final flush of the log (at most a tenth of it): the stop's work ends that
// much before the deadline, so that the line saying why reaches a stdout
// that is not stuck, and Run still returns by the deadline.
const flushReserve = 200 * time.Millisecond

// beginStop is step 1 of the stop, done before its reason is logged:
// readiness fails (and HTTP responses ask for their connection to close),
// startup work is cancelled, and the deadline starts.
func (r *runner) beginStop() {
	if r.dl.Started() {
		return
	}
	r.dl.Start(time.Now(), r.cfg.ShutdownTimeout, flushReserve)
	r.g.state.Store(stateStopping)
	for _, a := range r.actors {
		if a.kind == kindStartup && a.phase == phaseRunning {
			r.ask(a, nil)
		}
	}
}

// ask asks a to stop, once: it cancels its context, or calls its interrupt
// or stop function, or (HTTP) shuts its server down, each in its own
// goroutine that reports with a doneEvent.
func (r *runner) ask(a *actor, start func()) {
	if a.asked() {
		return
	}
	if a.cancel != nil && a.kind != kindServe {
		a.cancel()
	}
	if start != nil {
		a.busy++
		start()
	}
	a.phase = phaseAsked
	r.settle(a)
}

// settle moves an asked actor with nothing left running to phaseDone.
func (r *runner) settle(a *actor) {
	if a.phase == phaseAsked && a.busy <= 0 {
		a.phase = phaseDone
	}
}

func (a *actor) notDone() bool { return a.phase != phaseDone }

// checkGrace is how long Run waits, once everything has stopped, for
// readiness checks still running: one that honours its context ends within
// it; one that ignores its context is abandoned.
const checkGrace = 50 * time.Millisecond

// abandonChecks gives the readiness checks still running checkGrace (within
// the deadline) to end, then leaves them behind, logging their names.
func (r *runner) abandonChecks() {
	if len(r.g.busyChecks()) == 0 {
		return
	}
	t := time.NewTimer(min(checkGrace, r.dl.Left(time.Now())))
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

// runCleanups is step 6: the cleanups, last added first, each within the
// deadline.
func (r *runner) runCleanups() error {
	done, _, skipped, err := stop.RunCleanups(r.dl.Context(), r.cleanups, func(name string, fin <-chan struct{}) error {
		r.cleaning = name
		err := r.waitUntil(nil, nil, fin)
		if err == nil {
			r.cleaning = ""
		}
		return err
	})
	for _, c := range done {
		r.cleanupResult(c)
	}
	if len(skipped) > 0 {
		r.log.Error("cleanups not run: the stop ran out of time", zap.Strings("cleanups", skipped))
	}
	return err
}

func (r *runner) cleanupResult(c stop.CleanupResult) {
	err := c.Err
	switch _, panicked := stop.Panicked(err); {
	case err == nil:
		r.log.Debug("cleanup done", zap.String("cleanup", c.Name))
		return
	case panicked:
		r.logPanic("cleanup panicked", err)
	default:
		err = fmt.Errorf("lifecycle: cleanup %q failed: %w", c.Name, err)
		r.log.Error("cleanup failed", zap.String("cleanup", c.Name), zap.Error(err))
	}
	if r.reason == nil {
		r.reason = err
	}
}

// cancelAll releases the contexts of the run.
func (r *runner) cancelAll() {
	for _, a := range r.actors {
		if a.cancel != nil {
			a.cancel()
		}
		if a.reqs != nil {
			a.reqs.cancel()
		}
	}
	select {
	case <-r.aborted:
	default:
		close(r.aborted)
	}
}

// drain is step 2; see the package documentation ("Drain") for the rule.
func (r *runner) drain() error {
	serving := slices.ContainsFunc(r.actors, func(a *actor) bool {
		return (a.kind == kindHTTP || a.kind == kindServe) && a.phase == phaseRunning
	})
	if r.cfg.DrainDelay <= 0 || !serving {
		return nil
	}
	r.waiting = slices.DeleteFunc(slices.Clone(r.actors), func(a *actor) bool {
		return (a.kind != kindHTTP && a.kind != kindServe) || a.phase != phaseRunning
	})
	d := r.g.traffic.plan(r.cfg, r.begin, r.dl.Begin())
	r.log.Info("draining: readiness fails, servers still serve",
		zap.Duration("drain_max", r.cfg.DrainDelay), zap.Duration("drain_min", r.cfg.DrainMin),
		zap.Duration("quiet_window", d.window), zap.Bool("prober_seen", d.proberSeen))
	tick := time.NewTicker(drainTick)
	defer tick.Stop()
	for {
		if why := d.over(&r.g.traffic, time.Now()); why != "" {
			r.log.Info("drain ended", zap.String("reason", why), zap.Duration("took", time.Since(r.dl.Begin())))
			return nil
		}
		if out := r.waitUntil(nil, tick.C, nil); out != nil {
			return out
		}
	}
}

// requestGrace is the share of what is left of the deadline, when the
// servers stop accepting, that the requests in flight get before their
// contexts are cancelled: half, so that the other half is left for the
// handlers to return once told, for the other actors and the cleanups.
const requestGrace = 2

// stopServers is step 3 (kindHTTP: the HTTP servers and the stop functions
// of Serve) and step 5 (kindManagement).
func (r *runner) stopServers(kind actorKind) error {
	var servers []*actor
	grace := r.dl.Left(time.Now()) / requestGrace
	for _, a := range r.actors {
		if a.asked() {
			continue
		}
		switch {
		case kind == kindHTTP && a.kind == kindServe:
			if a.phase == phaseIdle {
				continue // a start that failed: stop is not called
			}
			r.ask(a, func() { go r.callStop(a) })
		case a.kind == kind && a.srv != nil:
			started := a.phase != phaseIdle
			r.ask(a, func() { go r.shutdown(a, started, grace) })
		default:
			continue
		}
		servers = append(servers, a)
	}
	if kind == kindHTTP {
		r.g.closeShutting()
	}
	r.waiting = servers
	if len(servers) == 0 {
		return nil
	}
	if kind == kindHTTP {
		closed := 0
		for _, a := range servers {
			if a.srv == nil || a.ln == nil {
				continue
			}
			if out := r.waitUntil(nil, nil, a.ln.closed); out != nil {
				return out
			}
			closed += a.conns.closeNew()
		}
		r.log.Info("servers stop accepting; waiting for requests in flight",
			zap.Int("closed_unused_connections", closed), zap.Duration("request_grace", grace))
	}
	return r.waitUntil(func() bool { return !slices.ContainsFunc(servers, (*actor).notDone) }, nil, nil)
}

// shutdown stops the server of a: Shutdown, which stops accepting and
// waits for the requests in flight until grace passes; then, for requests
// still running, their contexts are cancelled and their connections closed
// (a read or write blocked on the network returns), and it waits for their
// handlers until the stop is cut short.
func (r *runner) shutdown(a *actor, started bool, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if !started {
		_ = a.ln.Close() // Shutdown closes only the listeners Serve took
	}
	err := a.srv.Shutdown(ctx)
	if err == nil {
		err = a.reqs.wait(ctx.Done(), r.aborted)
	}
	if err != nil {
		r.log.Info("requests still running after their grace: contexts cancelled, connections closed",
			zap.String("actor", a.name), zap.Strings("requests", a.reqs.names()))
		a.reqs.cancel()
		_ = a.srv.Close()
		err = a.reqs.wait(nil, r.aborted)
	}
	r.dones <- doneEvent{a: a, err: err}
}

// interruptActors is step 4. It also cancels the context of the serving
// actors of Serve, whose stop has returned by then.
func (r *runner) interruptActors() error {
	var actors []*actor
	for _, a := range r.actors {
		switch {
		case a.kind == kindServe:
			if a.cancel != nil {
				a.cancel()
			}
			if !a.asked() { // a start that failed: stop is not called
				r.ask(a, nil)
			}
		case a.kind != kindActor && a.kind != kindStartup && a.kind != kindJob:
			continue
		case a.interrupt != nil:
			r.ask(a, func() { go r.callInterrupt(a, r.reason) })
		default:
			r.ask(a, nil)
		}
		actors = append(actors, a)
	}
	r.waiting = actors
	return r.waitUntil(func() bool { return !slices.ContainsFunc(actors, (*actor).notDone) }, nil, nil)
}

// callStop runs the stop function of a serving actor of Serve, recovering a
// panic, and reports that it returned.
func (r *runner) callStop(a *actor) {
	err := stop.Call(a.name, func() error { return a.stop(r.dl.Context()) })
	r.dones <- doneEvent{a: a, err: err}
}

// callInterrupt runs an interrupt function, recovering a panic, and reports
// that it returned.
func (r *runner) callInterrupt(a *actor, cause error) {
	err := stop.Call(a.name, func() error { a.interrupt(cause); return nil })
	r.dones <- doneEvent{a: a, err: err}
}

// waitUntil handles events until cond reports true (nil: never), tick fires
// or fin is closed. It returns nil then, or the error of a stop cut short by
// the deadline or a forcing signal.
func (r *runner) waitUntil(cond func() bool, tick <-chan time.Time, fin <-chan struct{}) error {
	if cond == nil && tick == nil && fin == nil {
		return nil // nothing to wait for
	}
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
		case <-r.dl.Done():
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
	name := stop.SignalName(sig)
	switch r.sig.On(sig, time.Now(), r.dl.Started()) {
	case stop.Begin:
		r.beginStop()
		r.log.Info("stopping: signal received", zap.String("signal", name))
	case stop.Noted:
		r.log.Info("signal received while stopping; the stop goes on", zap.String("signal", name),
			zap.String("to_force", "send SIGINT again"))
	case stop.Force:
		return true
	default:
		r.log.Info("signal ignored; the stop goes on", zap.String("signal", name),
			zap.String("to_force", fmt.Sprintf("send SIGINT at least %s after the first signal", r.sig.ForceGap())))
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
	left := a.phase == phaseDone // left behind after its stop failed
	if a.busy > 0 {
		a.busy--
	}
	if a.phase == phaseRunning {
		a.phase = phaseReturned
	}
	r.settle(a)
	err := ev.err
	_, panicked := stop.Panicked(err)
	name := zap.String("actor", a.name)
	stopping := r.dl.Started()
	switch {
	case !stopping && err == nil:
		r.beginStop()
		r.log.Info("stopping: actor returned", name)
	case !stopping && panicked:
		r.reason, r.reasonBegan = err, true
		r.beginStop()
		r.logPanic("stopping: actor panicked", err)
	case !stopping:
		r.reason, r.reasonBegan = fmt.Errorf("lifecycle: actor %q failed: %w", a.name, err), true
		r.beginStop()
		r.log.Error("stopping: actor failed", name, zap.Error(err))
	case err == nil:
		r.log.Debug("actor stopped", name)
	case panicked:
		r.logPanic("actor panicked while stopping", err)
		if r.reason == nil {
			r.reason = err
		}
	case (a.asked() || left) && errors.Is(err, context.Canceled):
		r.log.Debug("actor stopped", name, zap.Error(err))
	case a.asked() || left:
		r.log.Info("actor returned an error after it was interrupted (not a failure)", name, zap.Error(err))
	default:
		r.log.Error("actor failed while stopping", name, zap.Error(err))
		if r.reason == nil {
			r.reason = fmt.Errorf("lifecycle: actor %q failed: %w", a.name, err)
		}
	}
}

// onDone records that an interrupt, a stop function or a server's shutdown
// returned.
func (r *runner) onDone(ev doneEvent) {
	a := ev.a
	a.busy--
	_, panicked := stop.Panicked(ev.err)
	switch {
	case panicked:
		r.logPanic("interrupt panicked", ev.err)
		if r.reason == nil {
			r.reason = ev.err
		}
	case a.srv != nil && ev.err != nil:
		// Requests still running when the stop was cut short: the
		// server is still busy, as the timeout's message says.
		a.busy++
	case a.kind == kindServe && ev.err != nil:
		r.log.Warn("stop of a serving actor returned an error", zap.String("actor", a.name), zap.Error(ev.err))
	}
	if a.kind == kindServe && ev.err != nil && a.phase == phaseAsked && a.busy > 0 {
		// Its stop failed: serve will not be made to return. Its context
		// is cancelled as a last resort, and the stop does not wait for it.
		if a.cancel != nil {
			a.cancel()
		}
		a.busy = 0
		r.leftBehind = true
		r.log.Warn("serving actor left behind: its stop failed, so serve is not waited for", zap.String("actor", a.name))
	}
	r.settle(a)
}

func (r *runner) logPanic(msg string, err error) {
	if p, ok := stop.Panicked(err); ok {
		r.log.Error(msg, zap.String("actor", p.Actor), zap.String("panic", fmt.Sprint(p.Value)),
			zap.ByteString("stack", p.Stack))
	}
}

// abort ends a stop cut short by the deadline (kind ErrShutdownTimeout) or
// a forcing signal (ErrForced): it names what the step in progress waits for
// (not what waits its turn for a later step), closes the servers, cancels every
// context and asks the actors not yet asked, without waiting for any of it.
func (r *runner) abort(kind error, sig os.Signal) error {
	var stuck []string
	for _, a := range r.waiting {
		if a.phase == phaseDone || a.phase == phaseIdle {
			continue
		}
		if a.reqs != nil {
			if reqs := a.reqs.names(); len(reqs) > 0 {
				stuck = append(stuck, fmt.Sprintf("%s (requests: %s)", a.name, strings.Join(reqs, ", ")))
				continue
			}
		}
		stuck = append(stuck, a.name)
	}
	if r.cleaning != "" {
		stuck = append(stuck, "cleanup "+r.cleaning)
	}
	for _, c := range r.g.busyChecks() {
		stuck = append(stuck, "check "+c)
	}
	err := &stop.Error{Kind: kind, Timeout: r.cfg.ShutdownTimeout, Stuck: stuck, Cause: r.reason, Began: r.reasonBegan}
	if kind == ErrForced {
		r.log.Warn("stop forced by a second signal", zap.String("signal", stop.SignalName(sig)),
			zap.Strings("running", stuck), zap.Duration("took", time.Since(r.dl.Begin())))
	} else {
		r.log.Error("stop timed out", zap.Duration("shutdown_timeout", r.cfg.ShutdownTimeout),
			zap.Strings("running", stuck))
	}
	r.cancelAll()
	for _, a := range r.actors {
		if a.srv != nil {
			_ = a.srv.Close()
		}
		if a.asked() {
			continue
		}
		switch {
		case a.interrupt != nil:
			r.ask(a, func() { go r.callInterrupt(a, err) })
		case a.kind == kindServe && a.phase == phaseRunning:
			r.ask(a, func() { go r.callStop(a) }) // its context is done: it should cut short
		}
	}
	return err
}

// flushLog is the final flush of the log, inside the deadline: the group's
// queued entries, then the logger's own buffer when it can be told a
// deadline (the loggers of twelvekit's logging can), so that main's own
// Sync after Run has nothing left to wait for and a stdout nobody reads
// cannot keep the process past SHUTDOWN_TIMEOUT.
func (r *runner) flushLog(q *logQueue) {
	if r.flushed {
		return
	}
	r.flushed = true
	end := time.Now()
	if r.dl.Started() {
		end = r.dl.End()
	}
	if n := q.dropped.Load(); n > 0 {
		r.log.Warn("log entries of the group dropped: the log output was not taking them", zap.Int64("dropped", n))
	}
	q.close(end)
	r.g.runLog.Store(nil)
	if s, ok := r.g.set.log.Core().(interface{ SyncBy(time.Time) error }); ok {
		_ = s.SyncBy(end)
	}
}
