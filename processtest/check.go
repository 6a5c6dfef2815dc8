package processtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNoBinary is returned by [Check] when [Binary.Path] names no executable
// file.
var ErrNoBinary = errors.New("processtest: binary not found; build it first and pass its path")

// Check starts bin as a platform does, as many times as the checks need,
// and checks the twelve-factor process contract from outside the process.
// It returns the report of every check; a service that breaks the contract
// gives failed results, not an error. The error is for what kept the kit
// from checking: a missing binary ([ErrNoBinary]), no temporary directory,
// no free port, an unknown check name, or ctx done.
//
// Every run gets a fresh empty working directory and a free loopback port in
// PORT, is bounded in time (the start timeout, the grace period), and is
// killed with its process group if it outlives its bound; Check returns only
// after every process it started has ended and every goroutine it started
// has returned. It talks to the process over 127.0.0.1 only.
//
// The runs, in order: one serving run (port, probes, rolling stop, logs,
// secrets), one run for the second signal, one per bad-config case, and the
// config command if one was given.
func Check(ctx context.Context, bin Binary, opts ...Option) (Report, error) {
	s := defaults()
	for _, o := range opts {
		o.apply(&s)
	}
	rep := Report{Binary: bin.Path, Args: slices.Clone(bin.Args)}
	if s.err != nil {
		return rep, s.err
	}
	for _, name := range s.checks {
		if !slices.Contains(allChecks, name) {
			return rep, fmt.Errorf("processtest: unknown check %q; use one of %s", name, checkList())
		}
	}
	if fi, err := os.Stat(bin.Path); err != nil || fi.IsDir() {
		return rep, ErrNoBinary
	}
	// Each run has its own working directory: a relative path is the
	// caller's, so make it absolute before the first run.
	if abs, err := filepath.Abs(bin.Path); err == nil {
		bin.Path = abs
	}
	begin := time.Now()
	tmp, err := os.MkdirTemp("", "processtest-")
	if err != nil {
		return rep, fmt.Errorf("processtest: no temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	c := &checker{s: s, bin: bin, tmp: tmp, sc: newScanner(), results: map[CheckName]Result{}}
	for _, sec := range s.secrets {
		canary := canaryPrefix + randomHex(canaryDigits/2)
		c.sc.add(canary, sec.name)
		if c.env == nil {
			c.env = map[string]string{}
		}
		c.env[sec.name] = strings.ReplaceAll(sec.template, CanaryPlaceholder, canary)
	}
	base := maps.Clone(bin.Env)
	if base == nil {
		base = map[string]string{}
	}
	maps.Copy(base, c.env)
	c.env = base

	want := func(name CheckName) bool { return slices.Contains(s.checks, name) }
	if want(CheckPort) || want(CheckProbes) || want(CheckRollingStop) || want(CheckLogs) || want(CheckSecrets) || want(CheckDependencies) || want(CheckProcesses) || want(CheckFiles) || want(CheckManagement) || want(CheckRelease) || want(CheckConcurrency) {
		if err := c.serve(ctx, want(CheckRollingStop)); err != nil {
			return rep, err
		}
	}
	if want(CheckSecondSignal) {
		if err := c.secondSignal(ctx); err != nil {
			return rep, err
		}
	}
	if want(CheckConfigErrors) {
		if err := c.configErrors(ctx); err != nil {
			return rep, err
		}
	}
	if want(CheckDependencies) {
		if err := c.dependencies(ctx); err != nil {
			return rep, err
		}
	}
	if want(CheckRelease) {
		if err := c.release(ctx); err != nil {
			return rep, err
		}
	}
	if want(CheckAdmin) {
		if err := c.admin(ctx); err != nil {
			return rep, err
		}
	}
	if want(CheckSecrets) && len(s.configArgs) > 0 {
		if err := c.configCommand(ctx); err != nil {
			return rep, err
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("processtest: check interrupted: %w", err)
	}
	if want(CheckLogs) {
		c.logs()
	}
	if want(CheckSecrets) {
		c.secrets(begin)
	}
	if want(CheckProcesses) {
		c.processes()
	}
	if want(CheckFiles) {
		c.files()
	}
	for _, name := range allChecks {
		res, ok := c.results[name]
		if !ok || (!want(name) && name != CheckPort && name != CheckProbes) {
			res = Result{Name: name, Status: Skip, Summary: "not asked for"}
		}
		rep.Results = append(rep.Results, res)
	}
	rep.Factors = byFactor(rep.Results)
	rep.Stdout, rep.Stderr = c.stdoutTail, c.stderrTail
	rep.Duration = time.Since(begin)
	return rep, nil
}

// randomHex returns n random bytes in hexadecimal.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// checker holds one [Check] in progress.
type checker struct {
	s       settings
	bin     Binary
	tmp     string
	env     map[string]string // bin.Env with the canaries
	sc      *scanner
	results map[CheckName]Result

	// what the logs check reads: the serving and second-signal runs
	served     []*proc
	runs       []*proc // every run, for the files and processes checks
	nobody     string  // while set, runs start this copy of the binary as nobody
	stdoutTail []string
	stderrTail []string
	configRan  string // summary of the config command for the secrets check
	configErr  string
}

// launch starts the binary with args and the checker's environment, PORT
// set to port (unless env sets it; a nil value unsets a variable). Its
// stdout lines are judged by the log rule, and both streams scanned for
// canaries and searched for needles, as they arrive.
func (c *checker) launch(label string, args []string, env map[string]*string, port int, needles ...string) (*proc, error) {
	e := maps.Clone(c.env)
	e["PORT"] = fmt.Sprint(port)
	mport := 0
	if _, ok := c.bin.Env["MANAGEMENT_PORT"]; ok {
		var err error
		if mport, err = freePort(); err != nil {
			return nil, fmt.Errorf("processtest: no free port: %w", err)
		}
		e["MANAGEMENT_PORT"] = fmt.Sprint(mport)
	}
	for k, v := range env {
		if v == nil {
			delete(e, k)
		} else {
			e[k] = *v
		}
	}
	stdout := &output{rule: c.s.logLine}
	stderr := &output{}
	if c.sc.active() {
		stdout.canary, stderr.canary = c.sc.stream("stdout of "+label), c.sc.stream("stderr of "+label)
	}
	if len(needles) > 0 {
		stdout.finder, stderr.finder = newFinder(needles...), newFinder(needles...)
	}
	path := c.bin.Path
	if c.nobody != "" {
		path = c.nobody
	}
	p, err := start(label, path, args, e, c.tmp, port, stdout, stderr, c.nobody != "")
	if err != nil {
		return nil, fmt.Errorf("processtest: cannot start the binary: %w", err)
	}
	p.mport = mport
	c.runs = append(c.runs, p)
	return p, nil
}

// startup is what the serving loop saw from exec to ready.
type startup struct {
	acceptAt time.Duration // 0: never accepted
	readyAt  time.Duration // 0: never ready
	live     int
	appErr   error
	lastErr  error
	last     int           // last readiness status before ready
	level    int           // the level endpoint's status on the management port, once ready
	levelApp int           // 200 when $PORT serves it too (a body naming a level)
	noPort   bool          // ready on the management port, serving no $PORT: a worker
	late     time.Duration // a process ready before it accepted on $PORT: when it did
	exited   bool
	h2       bool // $PORT answered an HTTP/1.1 request in HTTP/2 frames (a gRPC server)
	h2Asked  bool
}

// waitReady polls the port and readiness from exec until readiness answers
// 200, the process exits, or the start timeout passes. At the first 200 it
// asks liveness and the load request once.
func (c *checker) waitReady(ctx context.Context, p *proc) startup {
	var st startup
	tick := time.NewTicker(c.s.probeInterval)
	defer tick.Stop()
	deadline := time.NewTimer(c.s.startTimeout)
	defer deadline.Stop()
	base := "http://" + p.addr()
	for {
		if st.acceptAt == 0 {
			if ok, _ := accepting(p.addr()); ok {
				st.acceptAt = max(time.Since(p.begin), time.Microsecond)
			}
		}
		// With a management port the probes answer there, whether or not
		// the process serves $PORT (a worker serves none).
		if st.acceptAt != 0 || p.mport != 0 {
			code, err := get(ctx, c.sc, p.probes()+c.s.readiness, time.Second)
			st.last, st.lastErr = code, err
			// A server that answers in HTTP/2 frames only fails every
			// poll, each with the error of whatever the client read
			// first: ask once, on the wire, what it speaks.
			if err != nil && !st.h2Asked && st.acceptAt != 0 && p.mport == 0 && !refused(err) {
				st.h2Asked = true
				if st.h2 = answersHTTP2(p.addr()); st.h2 {
					return st // no HTTP/1.1 poll can succeed: report it now
				}
			}
			if code == 200 {
				st.readyAt = time.Since(p.begin)
				// Whether $PORT accepts is asked at once, before anything
				// else: on a loaded machine the requests below can take
				// longer than a late bind comes after readiness.
				acceptingWhenReady := st.acceptAt != 0
				if !acceptingWhenReady {
					acceptingWhenReady, _ = accepting(p.addr())
				}
				st.live, _ = get(ctx, c.sc, p.probes()+c.s.liveness, time.Second)
				if p.mport != 0 {
					st.level, _ = get(ctx, c.sc, p.probes()+c.s.levelPath, time.Second)
					// A catch-all handler on $PORT answers 200 to any path:
					// only a body naming a level is the level endpoint.
					if strings.Contains(body(ctx, "http://"+p.addr()+c.s.levelPath), `"level"`) {
						st.levelApp = 200
					}
				}
				if st.acceptAt == 0 {
					c.noPort(ctx, p, &st, acceptingWhenReady)
					return st
				}
				l := newLoad(&c.s, base, c.env, c.sc)
				l.one(ctx, &http.Client{Transport: l.tr, Timeout: l.timeout})
				l.tr.CloseIdleConnections()
				if n, kinds, _ := l.failures(); n > 0 {
					st.appErr = errors.New(kinds + ": " + strings.Join(l.first, "; "))
				}
				return st
			}
		}
		select {
		case <-p.done:
			st.exited = true
			return st
		case <-deadline.C:
			return st
		case <-ctx.Done():
			return st
		case <-tick.C:
		}
	}
}

// mgmt reports whether the runs get a management port.
func (c *checker) mgmt() bool {
	_, ok := c.bin.Env["MANAGEMENT_PORT"]
	return ok
}

// plainStop is the rolling stop of a process that serves no $PORT: no
// load, no balancer; SIGTERM, then its readiness on the management port
// must fail, and it must exit 0 within the grace period.
func (c *checker) plainStop(ctx context.Context, p *proc) {
	r := Result{Name: CheckRollingStop, Figures: map[string]float64{}}
	termAt := time.Now()
	p.signal(syscall.SIGTERM)
	exited := p.wait(ctx, c.s.grace)
	d := time.Since(termAt)
	if exited {
		d = p.ended.Sub(termAt)
	} else {
		p.kill()
	}
	r.Figures["exit_ms"], r.Figures["grace_ms"] = ms(d), ms(c.s.grace)
	switch {
	case !exited:
		r.Status, r.Summary = Fail, fmt.Sprintf("no $PORT to load; hung: killed %v after SIGTERM", round(d))
		r.Problems = []string{fmt.Sprintf("still running %v after SIGTERM, the grace period: the platform would have killed it with SIGKILL, cutting the work in hand (the kit killed it)", c.s.grace)}
	case p.code != 0:
		r.Status, r.Summary = Fail, fmt.Sprintf("no $PORT to load; exit %d after %v", p.code, round(d))
		r.Figures["exit_code"] = float64(p.code)
		r.Problems = []string{fmt.Sprintf("exited with code %d %v after SIGTERM: a platform records a failed stop, not a clean one", p.code, round(d))}
	default:
		r.Status = Pass
		r.Figures["exit_code"] = 0
		r.Summary = fmt.Sprintf("no $PORT to load (a worker); exit 0 %v after SIGTERM", round(d))
	}
	c.results[CheckRollingStop] = r
}

// noPortWatch is how long the kit watches $PORT of a process that was
// ready on its management port without accepting on $PORT: one that then
// binds it was ready before its app.
const noPortWatch = 500 * time.Millisecond

// noPort handles a process ready on its management port that does not
// accept on $PORT: it is taken for a process type serving no traffic (a
// worker), unless it binds $PORT within noPortWatch.
//
// acceptingWhenReady is whether $PORT accepted right after the 200. The
// accept check of waitReady came before the readiness request, which a
// listening management socket may have held in its backlog until the app
// had bound $PORT too: accepting right after the 200 is accepting when
// ready, not late.
func (c *checker) noPort(ctx context.Context, p *proc, st *startup, acceptingWhenReady bool) {
	if acceptingWhenReady {
		st.acceptAt = st.readyAt
		return
	}
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	limit := time.NewTimer(noPortWatch)
	defer limit.Stop()
	for {
		if ok, _ := accepting(p.addr()); ok {
			st.late = time.Since(p.begin)
			st.acceptAt = st.late
			return
		}
		select {
		case <-tick.C:
		case <-limit.C:
			st.noPort = true
			return
		case <-p.done:
			return
		case <-ctx.Done():
			return
		}
	}
}

// serve is the serving run: port, probes, then the rolling stop (or a
// plain SIGTERM when it is not asked for).
func (c *checker) serve(ctx context.Context, rolling bool) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("processtest: no free port: %w", err)
	}
	p, err := c.launch("the serving run", c.bin.Args, nil, port)
	if err != nil {
		return err
	}
	defer p.kill()
	c.served = append(c.served, p)
	st := c.waitReady(ctx, p)
	c.portResult(p, st)
	c.probesResult(st)
	c.managementResult(p, st)
	if st.readyAt != 0 && slices.Contains(c.s.checks, CheckConcurrency) {
		if err := c.concurrency(ctx); err != nil {
			return err
		}
	}
	if st.readyAt == 0 {
		if rolling {
			c.results[CheckRollingStop] = Result{Name: CheckRollingStop, Status: Fail,
				Summary:  "not run: the process never became ready",
				Problems: []string{"a platform would never have routed traffic to it, so a deploy would have stalled"}}
		}
		p.signal(syscall.SIGTERM)
		if !p.wait(ctx, c.s.grace) {
			p.kill()
		}
	} else if rolling && st.noPort {
		c.plainStop(ctx, p)
	} else if rolling {
		c.rollingStop(ctx, p)
	} else {
		p.signal(syscall.SIGTERM)
		if !p.wait(ctx, c.s.grace) {
			p.kill()
		}
	}
	p.kill()
	c.stdoutTail = p.stdout.stats().tail
	c.stderrTail = p.stderr.stats().tail
	return nil
}

func (c *checker) portResult(p *proc, st startup) {
	r := Result{Name: CheckPort, Figures: map[string]float64{}}
	switch {
	case st.noPort:
		r.Status = Skip
		r.Summary = fmt.Sprintf("not checked: it binds no $PORT; ready on MANAGEMENT_PORT %v after exec, it is a process type that serves no traffic (a worker)", round(st.readyAt))
	case st.acceptAt != 0:
		r.Status = Pass
		r.Summary = fmt.Sprintf("accepting on $PORT %v after exec", round(st.acceptAt))
		r.Figures["accept_ms"] = ms(st.acceptAt)
	case st.exited:
		r.Status = Fail
		r.Summary = fmt.Sprintf("exited with code %d after %v, never accepting", p.code, round(p.ended.Sub(p.begin)))
		r.Problems = []string{"the platform would have seen a crash at start and restarted it in a loop"}
		r.Figures["exit_code"] = float64(p.code)
	default:
		r.Status = Fail
		r.Summary = fmt.Sprintf("not accepting on $PORT %v after exec", c.s.startTimeout)
		r.Problems = []string{fmt.Sprintf("the platform would have seen no process bound to $PORT=%d and failed the start", p.port)}
	}
	c.results[CheckPort] = r
}

func (c *checker) probesResult(st startup) {
	r := Result{Name: CheckProbes, Figures: map[string]float64{}}
	probs := []string{}
	switch {
	case st.readyAt == 0 && st.acceptAt == 0 && c.mgmt():
		probs = append(probs, fmt.Sprintf("readiness %s never answered 200 on MANAGEMENT_PORT within %v, and nothing accepted on $PORT: a platform would never have counted it ready", c.s.readiness, c.s.startTimeout))
	case st.readyAt == 0 && st.acceptAt == 0:
		probs = append(probs, "not run: nothing accepted on $PORT")
	case st.readyAt == 0 && (st.h2 || http2Only(st.lastErr)):
		probs = append(probs, "$PORT answers in HTTP/2 frames only, as a gRPC server does: the HTTP checks (probes, rolling stop, second signal) do not apply; check a gRPC service with twelvecheck -grpc (package github.com/twelvekit/twelvekit/grpcserve/grpccheck), which speaks grpc.health.v1")
	case st.readyAt == 0:
		what := fmt.Sprintf("answered %d", st.last)
		if st.lastErr != nil {
			what = "gave no answer (" + failKind(st.lastErr) + ")"
		}
		probs = append(probs, fmt.Sprintf("readiness %s %s never answered 200 within %v: a balancer would never have sent it traffic", c.s.readiness, what, c.s.startTimeout))
	default:
		r.Figures["ready_ms"] = ms(st.readyAt)
		r.Figures["liveness_status"] = float64(st.live)
		if st.live != 200 {
			probs = append(probs, fmt.Sprintf("liveness %s answered %d once ready: Kubernetes would have restarted a healthy process", c.s.liveness, st.live))
		}
		if st.late != 0 {
			probs = append(probs, fmt.Sprintf("readiness %s answered 200 on MANAGEMENT_PORT %v after exec, before $PORT accepted (%v): a balancer would have sent traffic to a closed port", c.s.readiness, round(st.readyAt), round(st.late)))
		}
		if st.appErr != nil {
			probs = append(probs, fmt.Sprintf("readiness %s answered 200 but %s %s then failed (%v): a balancer would have sent traffic before the app served it", c.s.readiness, c.s.method, c.s.path, st.appErr))
		}
	}
	r.Summary = fmt.Sprintf("%s 200 %v after exec; %s %d", c.s.readiness, round(st.readyAt), c.s.liveness, st.live)
	if st.readyAt == 0 {
		r.Summary = "never ready"
	}
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckProbes] = r
}

// afterSIGTERM, when set (by a test), runs between sending SIGTERM and
// recording it as sent: a process that exits at once may end inside it.
var afterSIGTERM func()

// rollingStop runs load behind the balancer model, sends SIGTERM after the
// warmup, and watches readiness, the listener and the exit.
func (c *checker) rollingStop(ctx context.Context, p *proc) {
	s := c.s
	base := "http://" + p.addr()
	l := newLoad(&s, base, c.env, c.sc)
	bctx, stopBalancer := context.WithCancel(ctx)
	// The model's polls are phased so that one answers just before
	// SIGTERM: SIGTERM is sent by the balancer itself, right after the
	// first poll that starts once the warmup is (nearly) over. The removal
	// then takes the longest it can, fall x interval, every time.
	var (
		termAt                          time.Time
		inflightAtTerm, sentAtTerm      int64
		warmed                          time.Duration
		readyBeforeTerm, readyTermError = 0, error(nil)
	)
	// termed is closed once SIGTERM has gone out. onTerm sends it under
	// termMu unless the process has already been found gone, so that a
	// process exiting while the balancer sends SIGTERM is told apart from
	// one that exited before it.
	termed := make(chan struct{})
	var (
		termMu sync.Mutex
		gone   bool
	)
	loadBegin := time.Now()
	b := &balancer{url: p.probes() + s.readiness, interval: s.interval, first: s.warmup % s.interval, fall: s.fall, sc: c.sc,
		onRemove:  func() { l.stopped.Store(true) },
		termAfter: s.warmup - s.interval/2,
		onTerm: func(code int, err error) {
			termMu.Lock()
			defer termMu.Unlock()
			if gone || p.exited() {
				// It ended before SIGTERM: nothing is sent, and the
				// check finds it gone.
				gone = true
				return
			}
			termAt = time.Now()
			readyBeforeTerm, readyTermError = code, err
			inflightAtTerm = l.inflight.Load()
			sentAtTerm, warmed = l.sent.Load(), termAt.Sub(loadBegin)
			l.term.Store(true)
			p.signal(syscall.SIGTERM)
			if afterSIGTERM != nil {
				afterSIGTERM()
			}
			close(termed)
		}}
	var bg sync.WaitGroup
	bg.Go(func() { b.run(bctx, loadBegin) })
	l.start(ctx)

	select {
	case <-termed:
	case <-p.done:
	case <-ctx.Done():
	}
	// Which came first, SIGTERM or the end? Under termMu the answer is
	// final: either SIGTERM has gone out (the process may have exited
	// right after it) or it never will.
	termMu.Lock()
	select {
	case <-termed:
	default:
		gone = true
	}
	termMu.Unlock()
	exitedEarly := false
	if gone {
		// The process exited (or the check was cancelled) before SIGTERM.
		exitedEarly = p.exited()
		stopBalancer()
		bg.Wait()
		termAt = time.Now()
		sentAtTerm, warmed = l.sent.Load(), termAt.Sub(loadBegin)
		l.term.Store(true)
	}
	removedEarly := b.removedAt.Load() != nil && !b.removedAt.Load().After(termAt)
	readyFailedBeforeTerm := !exitedEarly && (readyTermError != nil || readyBeforeTerm != 200)

	// The fast watcher: readiness every 10 ms on fresh connections until
	// it fails, then bare connects until the listener refuses.
	var readyFail, closed time.Duration
	var watch sync.WaitGroup
	wctx, stopWatch := context.WithCancel(ctx)
	watch.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if readyFail == 0 {
				code, err := get(wctx, c.sc, p.probes()+s.readiness, 500*time.Millisecond)
				switch {
				case err == nil && code != 200:
					readyFail = time.Since(termAt)
				case err != nil && refused(err) && p.mport != 0:
					readyFail = time.Since(termAt) // the management server stopped
				case err != nil && refused(err):
					closed = time.Since(termAt)
					return
				}
			} else if _, err := accepting(p.addr()); err != nil && refused(err) {
				closed = time.Since(termAt)
				return
			}
			select {
			case <-wctx.Done():
				return
			case <-tick.C:
			}
		}
	})

	exited := p.wait(ctx, s.grace)
	exitAfter := time.Since(termAt)
	hung := !exited
	if hung {
		p.kill()
	} else {
		exitAfter = p.ended.Sub(termAt)
	}
	stopWatch()
	watch.Wait()
	if closed == 0 {
		closed = exitAfter
	}
	closedAt := termAt.Add(closed)
	// The balancer notices a dead instance too: give it its fall (unless
	// it was stopped: the process exited before SIGTERM).
	if b.removedAt.Load() == nil && !exitedEarly {
		limit := time.NewTimer(s.interval * time.Duration(s.fall+1))
		tick := time.NewTicker(20 * time.Millisecond)
	notice:
		for b.removedAt.Load() == nil {
			select {
			case <-limit.C:
				break notice
			case <-ctx.Done():
				break notice
			case <-tick.C:
			}
		}
		limit.Stop()
		tick.Stop()
	}
	l.stop()
	stopBalancer()
	bg.Wait()

	failed, kinds, byKind := l.failures()
	sent := l.sent.Load()
	r := Result{Name: CheckRollingStop, Figures: map[string]float64{
		"sent": float64(sent), "failed": float64(failed), "ok": float64(l.ok.Load()),
		"sent_after_sigterm": float64(l.afterTerm.Load()), "inflight_at_sigterm": float64(inflightAtTerm),
		"exit_ms": ms(exitAfter), "listener_closed_ms": ms(closed),
		"rate_per_s":           float64(sentAtTerm) / warmed.Seconds(),
		"balancer_interval_ms": ms(s.interval), "balancer_fall": float64(s.fall), "grace_ms": ms(s.grace),
	}}
	r.Figures["cut_in_flight"] = float64(byKind["eof"] + byKind["reset"] + byKind["timeout"])
	for k, v := range byKind {
		r.Figures["failed_"+strings.ReplaceAll(k, " ", "_")] = float64(v)
	}
	if readyFail > 0 {
		r.Figures["readiness_failed_ms"] = ms(readyFail)
	}
	if at := b.removedAt.Load(); at != nil {
		r.Figures["removed_ms"] = ms(at.Sub(termAt))
	}
	if !hung {
		r.Figures["exit_code"] = float64(p.code)
	}
	var probs []string
	if removedEarly {
		probs = append(probs, "the balancer removed the instance before SIGTERM: readiness failed while it was serving")
	} else if readyFailedBeforeTerm {
		what := fmt.Sprintf("answered %d", readyBeforeTerm)
		if readyTermError != nil {
			what = "gave no answer (" + failKind(readyTermError) + ")"
		}
		probs = append(probs, fmt.Sprintf("readiness %s %s to the balancer's last poll before SIGTERM: it was failing while it served", s.readiness, what))
	}
	if exitedEarly {
		probs = append(probs, fmt.Sprintf("the process exited (code %d) before SIGTERM, under load", p.code))
	}
	if failed > 0 {
		first := ""
		if len(l.first) > 0 {
			first = "; first: " + strings.Join(l.first, "; ")
		}
		probs = append(probs, fmt.Sprintf("%d of %d requests failed (%s): clients of a rolling deploy would have seen these errors%s", failed, sent, kinds, first))
	}
	switch {
	case readyFail == 0:
		probs = append(probs, fmt.Sprintf("readiness %s still answered 200 when the listener closed %v after SIGTERM: a balancer kept sending requests to a closed port", s.readiness, round(closed)))
	case readyFail >= closed:
		probs = append(probs, fmt.Sprintf("readiness failed %v after SIGTERM, not before the listener closed (%v)", round(readyFail), round(closed)))
	}
	if at := b.removedAt.Load(); at != nil && !removedEarly && closedAt.Before(*at) {
		probs = append(probs, fmt.Sprintf("the listener closed %v after SIGTERM, %v before the balancer removed the instance (%v): a balancer's pool opens new connections until then, and they were refused", round(closed), round(at.Sub(closedAt)), round(at.Sub(termAt))))
	}
	switch {
	case hung:
		probs = append(probs, fmt.Sprintf("still running %v after SIGTERM, the grace period: the platform would have killed it with SIGKILL, cutting whatever it was doing (the kit killed it)", s.grace))
	case p.code != 0:
		probs = append(probs, fmt.Sprintf("exited with code %d %v after SIGTERM: a platform records a failed stop, not a clean one", p.code, round(exitAfter)))
	}
	rf := "readiness never failed"
	if readyFail > 0 {
		rf = "readiness failed " + round(readyFail).String()
	}
	exit := fmt.Sprintf("exit %d after %v", p.code, round(exitAfter))
	if hung {
		exit = fmt.Sprintf("hung: killed after %v", round(exitAfter))
	}
	fk := ""
	if failed > 0 {
		fk = " (" + kinds + ")"
	}
	r.Summary = fmt.Sprintf("%d sent, %d failed%s; %s, listener closed %v, %s (balancer %v x %d)",
		sent, failed, fk, rf, round(closed), exit, s.interval, s.fall)
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckRollingStop] = r
}

// secondSignal is its own run: SIGTERM, then SIGINT, then a bounded wait.
func (c *checker) secondSignal(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("processtest: no free port: %w", err)
	}
	p, err := c.launch("the second-signal run", c.bin.Args, nil, port)
	if err != nil {
		return err
	}
	defer p.kill()
	c.served = append(c.served, p)
	r := Result{Name: CheckSecondSignal, Figures: map[string]float64{}}
	st := c.waitReady(ctx, p)
	if st.readyAt == 0 {
		r.Status, r.Summary = Fail, "not run: the process never became ready"
		r.Problems = []string{"the process never answered readiness 200 in its own run"}
		c.results[CheckSecondSignal] = r
		return nil
	}
	termAt := time.Now()
	p.signal(syscall.SIGTERM)
	if p.wait(ctx, c.s.secondAfter) {
		d := p.ended.Sub(termAt)
		r.Status = Pass
		r.Summary = fmt.Sprintf("exited %d %v after SIGTERM, before a second signal was needed", p.code, round(d))
		r.Figures["exit_ms"], r.Figures["exit_code"] = ms(d), float64(p.code)
		c.results[CheckSecondSignal] = r
		return nil
	}
	intAt := time.Now()
	p.signal(syscall.SIGINT)
	if !p.wait(ctx, c.s.secondLimit) {
		d := time.Since(termAt)
		p.kill()
		r.Status = Fail
		r.Summary = fmt.Sprintf("hung: still running %v after SIGINT (%v after SIGTERM); killed", c.s.secondLimit, round(d))
		r.Problems = []string{"a second signal did not stop it: an operator's Ctrl-C twice, or the platform's SIGKILL at the end of the grace period, is the only way out"}
		r.Figures["hung_ms"] = ms(d)
		c.results[CheckSecondSignal] = r
		return nil
	}
	d := p.ended.Sub(intAt)
	r.Status = Pass
	r.Summary = fmt.Sprintf("exited %d %v after SIGINT sent %v after SIGTERM", p.code, round(d), c.s.secondAfter)
	r.Figures["exit_after_second_ms"], r.Figures["exit_code"] = ms(d), float64(p.code)
	c.results[CheckSecondSignal] = r
	return nil
}

// bindSeen is what a run showed of binding its port.
type bindSeen struct {
	bound bool
	why   string // "" when every bind was observed; else why binds were only sampled
}

// runOnce runs the binary with args and env until it exits, at most the
// start timeout, and then kills what it left. With watchBind, it watches
// $PORT the whole time: on Linux every socket bound to it is observed
// through the kernel's reports, however briefly it lived; elsewhere the
// port is sampled every 10 ms and the note says so.
func (c *checker) runOnce(ctx context.Context, label string, args []string, env map[string]*string, watchBind bool, needles ...string) (*proc, bool, bindSeen, error) {
	var bs bindSeen
	var w *bindWatch
	if watchBind {
		var err error
		if w, err = newBindWatch(0); err != nil {
			bs.why = "binds sampled every 10 ms, not observed (" + err.Error() + ")"
			w = nil
		} else {
			defer w.close()
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, false, bs, fmt.Errorf("processtest: no free port: %w", err)
	}
	if w != nil {
		// The kit's own socket on the port, freed by freePort, must be
		// reported before the process starts.
		w.port = uint16(port)
		if _, err := w.settle(2 * time.Second); err != nil {
			bs.why = "binds partly sampled (" + err.Error() + ")"
		}
		w.reset()
	}
	p, err := c.launch(label, args, env, port, needles...)
	if err != nil {
		return nil, false, bs, err
	}
	tick := time.NewTicker(10 * time.Millisecond)
	deadline := time.NewTimer(c.s.startTimeout)
poll:
	for {
		if watchBind && !bs.bound {
			bs.bound, _ = accepting(p.addr())
		}
		select {
		case <-p.done:
			break poll
		case <-deadline.C:
			break poll
		case <-ctx.Done():
			break poll
		case <-tick.C:
		}
	}
	tick.Stop()
	deadline.Stop()
	exited := p.exited()
	p.kill()
	if w != nil {
		bound, err := w.settle(2 * time.Second)
		bs.bound = bs.bound || bound
		if err != nil {
			bs.why = "binds partly sampled (" + err.Error() + ")"
		}
	}
	return p, exited, bs, nil
}

// configErrors runs the binary once per bad-config case.
func (c *checker) configErrors(ctx context.Context) error {
	r := Result{Name: CheckConfigErrors, Figures: map[string]float64{}}
	var parts, probs, notes []string
	for i, bad := range c.s.badConfig {
		what := bad.name + " wrong"
		if bad.unset {
			what = bad.name + " unset"
		}
		var val *string
		if !bad.unset {
			val = &bad.value
		}
		p, exited, bs, err := c.runOnce(ctx, "the run with "+what, c.bin.Args, map[string]*string{bad.name: val}, bad.name != "PORT", bad.name, bad.value)
		if err != nil {
			return err
		}
		bound := bs.bound
		if bs.why != "" && !slices.Contains(notes, bs.why) {
			notes = append(notes, bs.why)
		}
		key := fmt.Sprintf("case%d_", i+1)
		if !exited {
			probs = append(probs, fmt.Sprintf("with %s it was still running %v after exec: a platform would have routed traffic to a misconfigured process (killed)", what, c.s.startTimeout))
			parts = append(parts, what+": running")
			continue
		}
		d := p.ended.Sub(p.begin)
		r.Figures[key+"exit_code"], r.Figures[key+"exit_ms"] = float64(p.code), ms(d)
		parts = append(parts, fmt.Sprintf("%s: exit %d in %v", what, p.code, round(d)))
		switch {
		case p.code == 0:
			probs = append(probs, fmt.Sprintf("with %s it exited 0: a platform records a clean stop, and nobody learns the config is wrong", what))
		case c.s.configExit != 0 && p.code != c.s.configExit:
			probs = append(probs, fmt.Sprintf("with %s it exited %d, want %d (EX_CONFIG): a platform cannot tell a config error from a crash", what, p.code, c.s.configExit))
		}
		if bound {
			probs = append(probs, fmt.Sprintf("with %s it bound $PORT before exiting: a balancer could have sent it traffic, and a platform would have seen it up before it crashed", what))
		}
		if !has(0, p.stdout.finder, p.stderr.finder) {
			probs = append(probs, fmt.Sprintf("with %s its output does not name %s: the operator reading the platform's log cannot tell what to fix", what, bad.name))
		}
		if !bad.unset && bad.value != "" && has(1, p.stdout.finder, p.stderr.finder) {
			probs = append(probs, fmt.Sprintf("with %s its output quotes the wrong value: a secret set in the wrong variable would land in the platform's log", what))
		}
	}
	r.Summary = strings.Join(parts, "; ")
	if len(notes) > 0 {
		r.Summary += "; " + strings.Join(notes, "; ")
	}
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckConfigErrors] = r
	return nil
}

// configCommand runs the config command and scans what it printed.
func (c *checker) configCommand(ctx context.Context) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("processtest: no free port: %w", err)
	}
	cmd := strings.Join(c.s.configArgs, " ")
	p, err := c.launch("`"+cmd+"`", c.s.configArgs, nil, port)
	if err != nil {
		return err
	}
	defer p.kill()
	exited := p.wait(ctx, c.s.startTimeout)
	p.kill()
	printed := p.stdout.stats().total + p.stderr.stats().total
	switch {
	case !exited:
		c.configErr = fmt.Sprintf("the config command %q was still running after %v (killed)", cmd, c.s.startTimeout)
	case p.code != 0:
		c.configErr = fmt.Sprintf("the config command %q exited %d, so its output proves nothing", cmd, p.code)
	default:
		c.configRan = fmt.Sprintf("%q printed %d bytes", cmd, printed)
	}
	return nil
}

// logs judges stdout of the serving runs and the files every run wrote in
// its working directory and HOME.
func (c *checker) logs() {
	r := Result{Name: CheckLogs, Figures: map[string]float64{}}
	var probs []string
	var lines, bad, errLines int64
	var written []string
	for _, p := range c.served {
		out, errOut := p.stdout.stats(), p.stderr.stats()
		lines, bad, errLines = lines+out.lines, bad+out.bad, errLines+errOut.lines
		for _, pr := range out.probs {
			probs = append(probs, "stdout of "+p.label+": "+pr)
		}
		if out.partial > 0 {
			probs = append(probs, fmt.Sprintf("stdout of %s ends with %d bytes after the last newline: a log router would have held or dropped a partial event", p.label, out.partial))
		}
	}
	for _, p := range c.runs {
		written = append(written, files(p.work)...)
		for _, f := range files(p.home) {
			written = append(written, "$HOME/"+f)
		}
	}
	if bad > maxProblems {
		probs = append(probs, fmt.Sprintf("%d stdout lines in all are not log events", bad))
	}
	if lines == 0 {
		what := "it wrote nothing at all"
		if errLines > 0 {
			what = fmt.Sprintf("its %d lines went to stderr", errLines)
		}
		probs = append(probs, fmt.Sprintf("stdout held no event in a whole start, load and stop (%s): a platform routes the event stream from stdout, so the operator would have seen no log of it", what))
	}
	if len(written) > 0 {
		shown := written[:min(len(written), 5)]
		probs = append(probs, fmt.Sprintf("wrote %d files in its working directory or HOME (%s): on a platform they vanish with the container, unread", len(written), strings.Join(shown, ", ")))
	}
	r.Figures["lines"], r.Figures["bad_lines"], r.Figures["stderr_lines"], r.Figures["files"] = float64(lines), float64(bad), float64(errLines), float64(len(written))
	r.Summary = fmt.Sprintf("%d stdout lines, %d not events, %d stderr lines; %d files written", lines, bad, errLines, len(written))
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckLogs] = r
}

// secrets judges what the scanner found in the output and responses, after
// scanning every file the runs wrote: their working directories, HOME and
// TMPDIR, and the files of the shared temporary directories modified since
// the check began.
func (c *checker) secrets(begin time.Time) {
	r := Result{Name: CheckSecrets, Figures: map[string]float64{}}
	if len(c.s.secrets) == 0 {
		r.Status, r.Summary = Skip, "no secret declared (WithSecret)"
		c.results[CheckSecrets] = r
		return
	}
	for _, p := range c.runs {
		for _, f := range p.written {
			if !within(f, p.dir) {
				c.sc.scanFile("the file "+f+", written while the binary ran", f)
			}
		}
		c.sc.scanTree(p.work, "the working directory of "+p.label)
		c.sc.scanTree(p.home, "the HOME of "+p.label)
		c.sc.scanTree(p.tmpdir, "the TMPDIR of "+p.label)
	}
	// Where the kernel reported every write, the files the runs wrote were
	// scanned above; elsewhere the shared temporary directories' new files
	// are, whoever wrote them.
	var recent []string
	if slices.ContainsFunc(c.runs, func(p *proc) bool { return p.files == nil }) {
		recent = recentFiles(sharedTempDirs, begin, c.tmp)
	}
	for _, f := range recent {
		c.sc.scanFile("the file "+f+", written while the binary ran", f)
	}
	var probs []string
	found := c.sc.findings()
	for _, name := range c.sc.names() {
		if where := found[name]; len(where) > 0 {
			probs = append(probs, fmt.Sprintf("the value of %s appeared in %s: anyone reading the platform's logs, the responses or the disk would have it", name, describe(where)))
		}
	}
	if c.configErr != "" {
		probs = append(probs, c.configErr)
	}
	scanned := c.sc.bytesScanned()
	r.Figures["secrets"], r.Figures["bytes_scanned"], r.Figures["shared_temp_files"] = float64(len(c.s.secrets)), float64(scanned), float64(len(recent))
	r.Summary = fmt.Sprintf("%d secrets, %d bytes of output, responses and files scanned (clear, reversed, hex, base64; any case; escaped; split once)", len(c.s.secrets), scanned)
	if c.configRan != "" {
		r.Summary += "; config command " + c.configRan
	}
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckSecrets] = r
}
