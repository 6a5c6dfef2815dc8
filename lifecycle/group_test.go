package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/stop"
	"go.uber.org/goleak"
)

// pair is an execute/interrupt actor that counts its interrupts and returns
// when interrupted.
type pair struct {
	stop       chan struct{}
	interrupts atomic.Int32
	cause      atomic.Pointer[error]
	returned   atomic.Bool
}

func newPair() *pair { return &pair{stop: make(chan struct{})} }

func (p *pair) execute() error {
	<-p.stop
	p.returned.Store(true)
	return nil
}

func (p *pair) interrupt(err error) {
	p.cause.Store(&err)
	if p.interrupts.Add(1) == 1 {
		close(p.stop)
	}
}

func TestGroup_Run_firstActorStopsOthers(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	tests := []struct {
		name    string
		add     func(g *Group, release <-chan struct{})
		wantErr error // nil: Run returns nil
		wantMsg string
	}{
		{
			name: "pair returns an error",
			add: func(g *Group, release <-chan struct{}) {
				g.Add("first", func() error { <-release; return boom }, func(error) {})
			},
			wantErr: boom,
			wantMsg: "stopping: actor failed",
		},
		{
			name: "func returns an error",
			add: func(g *Group, release <-chan struct{}) {
				g.Go("first", func(context.Context) error { <-release; return boom })
			},
			wantErr: boom,
			wantMsg: "stopping: actor failed",
		},
		{
			name: "func returns nil",
			add: func(g *Group, release <-chan struct{}) {
				g.Go("first", func(context.Context) error { <-release; return nil })
			},
			wantMsg: "stopping: actor returned",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{ShutdownTimeout: waitFor})
			release := make(chan struct{})
			tt.add(h.g, release)
			p := newPair()
			h.g.Add("pair", p.execute, p.interrupt)
			ctxDone := make(chan error, 1)
			h.g.Go("ctx", func(ctx context.Context) error {
				<-ctx.Done()
				ctxDone <- ctx.Err()
				return ctx.Err()
			})
			h.start(t)
			close(release)
			err := h.wait(t, waitFor)
			if tt.wantErr == nil && err != nil {
				t.Fatalf("Run = %v, want nil", err)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), `"first"`) {
					t.Fatalf("Run = %v, want an error wrapping %v naming \"first\"", err, tt.wantErr)
				}
				if c := p.cause.Load(); c == nil || !errors.Is(*c, tt.wantErr) {
					t.Errorf("interrupt got cause %v, want %v", c, tt.wantErr)
				}
			}
			if got := p.interrupts.Load(); got != 1 {
				t.Errorf("pair interrupted %d times, want 1", got)
			}
			if !p.returned.Load() {
				t.Error("pair's execute did not return before Run did")
			}
			if got := recv(t, ctxDone, "ctx actor"); !errors.Is(got, context.Canceled) {
				t.Errorf("ctx actor's context ended with %v, want context.Canceled", got)
			}
			if n := h.count(tt.wantMsg); n != 1 {
				t.Errorf("%q logged %d times, want 1; logs: %v", tt.wantMsg, n, messages(h.logs))
			}
			if e := h.logs.FilterMessage(tt.wantMsg).All(); len(e) == 1 && e[0].ContextMap()["actor"] != "first" {
				t.Errorf("%q has actor %v, want \"first\"", tt.wantMsg, e[0].ContextMap()["actor"])
			}
		})
	}
}

func TestGroup_Run_cleanStops(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stop    func(h *harness)
		wantMsg string
	}{
		{"SIGTERM", func(h *harness) { h.sigs <- syscall.SIGTERM }, "stopping: signal received"},
		{"SIGINT", func(h *harness) { h.sigs <- os.Interrupt }, "stopping: signal received"},
		{"context", func(h *harness) { h.cancel() }, "stopping: context done"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{})
			p := newPair()
			h.g.Add("pair", p.execute, p.interrupt)
			h.g.Go("worker", func(ctx context.Context) error {
				<-ctx.Done()
				return fmt.Errorf("worker: %w", ctx.Err()) // wrapped Canceled is clean
			})
			h.start(t)
			h.waitLog(t, "ready")
			tt.stop(h)
			if err := h.wait(t, waitFor); err != nil {
				t.Fatalf("Run = %v, want nil for a clean stop", err)
			}
			if n := h.count(tt.wantMsg); n != 1 {
				t.Errorf("%q logged %d times, want 1", tt.wantMsg, n)
			}
			if p.interrupts.Load() != 1 {
				t.Errorf("pair interrupted %d times, want 1", p.interrupts.Load())
			}
			if c := p.cause.Load(); c == nil || *c != nil {
				t.Errorf("interrupt cause = %v, want nil for a clean stop", c)
			}
		})
	}
}

func TestGroup_Run_noActors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.start(t)
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

func TestGroup_Add_invalid(t *testing.T) {
	t.Parallel()
	noop := func() error { return nil }
	tests := []struct {
		name string
		add  func(g *Group) error
		want string
	}{
		{"empty name", func(g *Group) error { return g.Add("", noop, func(error) {}) }, "empty name"},
		{"nil execute", func(g *Group) error { return g.Add("a", nil, func(error) {}) }, "nil execute"},
		{"nil interrupt", func(g *Group) error { return g.Add("a", noop, nil) }, "nil execute or interrupt"},
		{"nil func", func(g *Group) error { return g.Go("a", nil) }, "nil function"},
		{"nil startup", func(g *Group) error { return g.Startup("a", nil) }, "nil function"},
		{"nil handler", func(g *Group) error { return g.HTTP("a", nil) }, "nil handler"},
		{"duplicate", func(g *Group) error { return g.Go("pair", func(context.Context) error { return nil }) }, "name already used"},
		{"check without timeout", func(g *Group) error {
			return g.Check("db", 0, func(context.Context) error { return nil })
		}, "no timeout"},
		{"check nil", func(g *Group) error { return g.Check("db", time.Second, nil) }, "nil function"},
		{"manage bad pattern", func(g *Group) error { return g.Manage("GET", http404{}) }, "pattern"},
		{"manage probe", func(g *Group) error { return g.Manage("/readyz", http404{}) }, "/readyz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{})
			p := newPair()
			if err := h.g.Add("pair", p.execute, p.interrupt); err != nil {
				t.Fatal(err)
			}
			err := tt.add(h.g)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("add = %v, want an error containing %q", err, tt.want)
			}
			h.start(t)
			runErr := h.wait(t, waitFor)
			if !errors.Is(runErr, err) {
				t.Errorf("Run = %v, want the add error %v", runErr, err)
			}
			if ExitCode(runErr) != 1 {
				t.Errorf("ExitCode = %d, want 1", ExitCode(runErr))
			}
			if got := p.interrupts.Load(); got != 1 {
				t.Errorf("pair interrupted %d times when Run failed before starting, want 1", got)
			}
			if p.returned.Load() {
				t.Error("pair's execute ran although Run failed before starting")
			}
		})
	}
}

func TestGroup_Add_afterRun(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	h.g.Go("worker", func(ctx context.Context) error { <-ctx.Done(); return nil })
	h.start(t)
	h.waitLog(t, "ready")
	ran := make(chan struct{}, 1)
	adds := map[string]func() error{
		"Add": func() error {
			return h.g.Add("late", func() error { ran <- struct{}{}; return nil }, func(error) {})
		},
		"Go": func() error {
			return h.g.Go("late", func(context.Context) error { ran <- struct{}{}; return nil })
		},
		"Startup": func() error {
			return h.g.Startup("late", func(context.Context) error { ran <- struct{}{}; return nil })
		},
		"HTTP":   func() error { return h.g.HTTP("late", http404{}) },
		"Check":  func() error { return h.g.Check("late", time.Second, func(context.Context) error { return nil }) },
		"Manage": func() error { return h.g.Manage("/late", http404{}) },
	}
	for name, add := range adds {
		if err := add(); err == nil || !strings.Contains(err.Error(), "after Run started") {
			t.Errorf("%s after Run = %v, want an error saying so", name, err)
		}
	}
	h.sigs <- syscall.SIGTERM
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil: a late add must not change the run", err)
	}
	select {
	case <-ran:
		t.Error("an actor added after Run started ran")
	default:
	}
}

func TestGroup_Run_twice(t *testing.T) {
	t.Parallel()
	g := New(Config{}, withSignals(make(chan os.Signal)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Run(ctx); err != nil {
		t.Fatalf("first Run = %v", err)
	}
	if err := g.Run(ctx); err == nil || !strings.Contains(err.Error(), "Run called twice") {
		t.Fatalf("second Run = %v, want an error", err)
	}
}

func TestGroup_Run_zeroValue(t *testing.T) {
	t.Parallel()
	var g Group
	g.set.signals = make(chan os.Signal) // no real signals in this test
	g.Go("job", func(context.Context) error { return nil })
	if err := g.Run(context.Background()); err != nil {
		t.Fatalf("Run of a zero Group = %v, want nil", err)
	}
}

func TestGroup_Run_panic(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	p := newPair()
	h.g.Add("pair", p.execute, p.interrupt)
	h.g.Go("panicky", func(context.Context) error { panicInActor(); return nil })
	h.start(t)
	err := h.wait(t, waitFor)
	var perr *PanicError
	if !errors.As(err, &perr) {
		t.Fatalf("Run = %v, want a *PanicError", err)
	}
	if perr.Actor != "panicky" || perr.Value != "boom-in-actor" {
		t.Errorf("PanicError = {%q, %v}, want {\"panicky\", boom-in-actor}", perr.Actor, perr.Value)
	}
	if !strings.Contains(string(perr.Stack), "panicInActor") {
		t.Errorf("stack does not show the panicking function:\n%s", perr.Stack)
	}
	if !strings.Contains(err.Error(), "boom-in-actor") || !strings.Contains(err.Error(), `"panicky"`) {
		t.Errorf("Error() = %q, want the actor and the panic value", err)
	}
	if p.interrupts.Load() != 1 || !p.returned.Load() {
		t.Errorf("pair: %d interrupts, returned %v; want 1, true", p.interrupts.Load(), p.returned.Load())
	}
	es := h.logs.FilterMessage("stopping: actor panicked").All()
	if len(es) != 1 {
		t.Fatalf("panic logged %d times, want 1", len(es))
	}
	if m := es[0].ContextMap(); m["actor"] != "panicky" || m["panic"] != "boom-in-actor" || !strings.Contains(fmt.Sprint(m["stack"]), "panicInActor") {
		t.Errorf("panic log fields = %v", m)
	}
	if ExitCode(err) != 1 {
		t.Errorf("ExitCode = %d, want 1", ExitCode(err))
	}
}

func panicInActor() { panic("boom-in-actor") }

func TestGroup_Run_interruptPanics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	stop := make(chan struct{})
	h.g.Add("bad", func() error { <-stop; return nil }, func(error) { close(stop); panic("in interrupt") })
	h.start(t)
	h.waitLog(t, "ready")
	h.sigs <- syscall.SIGTERM
	err := h.wait(t, waitFor)
	var perr *PanicError
	if !errors.As(err, &perr) || perr.Actor != "bad" {
		t.Fatalf("Run = %v, want a *PanicError of \"bad\"", err)
	}
}

// TestGroup_Run_interruptsConcurrent checks that one stuck interrupt holds up
// no other, and that the timeout names only what is still running.
func TestGroup_Run_interruptsConcurrent(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	h := newHarness(t, Config{ShutdownTimeout: timeout})
	unstick := make(chan struct{})
	t.Cleanup(func() { close(unstick) })
	stuckStop := make(chan struct{})
	// Added first, so that a one-after-another interrupt would block here.
	h.g.Add("stuck", func() error { <-stuckStop; return nil }, func(error) { <-unstick; close(stuckStop) })
	p := newPair()
	h.g.Add("quick", p.execute, p.interrupt)
	h.start(t)
	h.waitLog(t, "ready")
	begin := time.Now()
	h.sigs <- syscall.SIGTERM
	err := h.wait(t, waitFor)
	took := time.Since(begin)
	if !errors.Is(err, ErrShutdownTimeout) {
		t.Fatalf("Run = %v, want ErrShutdownTimeout", err)
	}
	if !strings.Contains(err.Error(), "still running: stuck") || strings.Contains(err.Error(), "quick") {
		t.Errorf("Run = %q, want it to name stuck and only stuck", err)
	}
	if took < timeout*4/5 || took > timeout+time.Second {
		t.Errorf("Run returned %s after the signal, want about %s", took, timeout)
	}
	if !p.returned.Load() {
		t.Error("quick actor was held up by the stuck interrupt")
	}
	// With a timeout this short, the line may be written just after Run
	// returned, by the group's log writer: its reserve is 30 ms.
	h.waitLog(t, "stop timed out")
	es := h.logs.FilterMessage("stop timed out").All()
	if len(es) != 1 {
		t.Fatalf("timeout logged %d times, want 1", len(es))
	}
	if got := fmt.Sprint(es[0].ContextMap()["running"]); got != "[stuck]" {
		t.Errorf("timeout log running = %s, want [stuck]", got)
	}
	if ExitCode(err) != 124 {
		t.Errorf("ExitCode = %d, want 124", ExitCode(err))
	}
}

func TestGroup_Run_timeoutKeepsCause(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ShutdownTimeout: 200 * time.Millisecond})
	boom := errors.New("boom")
	h.g.Go("failing", func(context.Context) error { return boom })
	unstick := make(chan struct{})
	t.Cleanup(func() { close(unstick) })
	h.g.Go("deaf", func(context.Context) error { <-unstick; return nil }) // ignores its context
	h.start(t)
	err := h.wait(t, waitFor)
	if !errors.Is(err, ErrShutdownTimeout) || !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want ErrShutdownTimeout and boom", err)
	}
	if !strings.Contains(err.Error(), "still running: deaf") {
		t.Errorf("Run = %q, want it to name deaf", err)
	}
}

// TestGroup_Run_errorsAfterInterrupt checks which errors are real.
func TestGroup_Run_errorsAfterInterrupt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	stop := make(chan struct{})
	h.g.Add("listener", func() error { <-stop; return errors.New("use of closed network connection") },
		func(error) { close(stop) })
	h.g.Go("worker", func(ctx context.Context) error { <-ctx.Done(); return errors.New("flush: interrupted") })
	h.start(t)
	h.waitLog(t, "ready")
	h.sigs <- syscall.SIGTERM
	if err := h.wait(t, waitFor); err != nil {
		t.Fatalf("Run = %v, want nil: errors after an interrupt are not failures", err)
	}
	if n := h.count("actor returned an error after it was interrupted (not a failure)"); n != 2 {
		t.Errorf("logged %d errors after interrupt, want 2", n)
	}
}

func TestGroup_Run_failureDuringStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{DrainDelay: time.Second, ShutdownTimeout: waitFor})
	h.g.HTTP("web", http404{}, WithListener(localListener(t)))
	fail := make(chan struct{})
	boom := errors.New("boom")
	h.g.Go("worker", func(ctx context.Context) error {
		select {
		case <-fail:
			return boom
		case <-ctx.Done():
			return nil
		}
	})
	h.start(t)
	h.waitLog(t, "ready")
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "draining: readiness fails, servers still serve")
	close(fail)
	if err := h.wait(t, waitFor); !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want boom: an actor failing on its own during the stop is a failure", err)
	}
}

// TestGroup_Run_startFailedHalfway checks that a taken port fails Run at
// once, names the address, closes what was bound and runs every interrupt
// exactly once.
func TestGroup_Run_startFailedHalfway(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	taken := localListener(t)
	first := localListener(t)
	firstAddr := first.Addr().String()
	p1, p2 := newPair(), newPair()
	h.g.Add("p1", p1.execute, p1.interrupt)
	h.g.HTTP("first", http404{}, WithListener(first))
	h.g.HTTP("second", http404{}, WithAddr(taken.Addr().String()))
	given := localListener(t)
	h.g.HTTP("third", http404{}, WithListener(given))
	h.g.Add("p2", p2.execute, p2.interrupt)
	ran := make(chan struct{}, 1)
	h.g.Go("never", func(context.Context) error { ran <- struct{}{}; return nil })
	begin := time.Now()
	h.start(t)
	err := h.wait(t, waitFor)
	if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) || !strings.Contains(err.Error(), `"second"`) {
		t.Fatalf("Run = %v, want an error naming \"second\" and %s", err, taken.Addr())
	}
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("Run = %v, want it to wrap EADDRINUSE", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Run took %s to fail, want at once", took)
	}
	for name, p := range map[string]*pair{"p1": p1, "p2": p2} {
		if got := p.interrupts.Load(); got != 1 {
			t.Errorf("%s interrupted %d times, want exactly 1", name, got)
		}
	}
	select {
	case <-ran:
		t.Error("an actor ran although the start failed")
	default:
	}
	// What was bound is closed again.
	ln, lerr := net.Listen("tcp", firstAddr)
	if lerr != nil {
		t.Errorf("the first server's address is still taken: %v", lerr)
	} else {
		ln.Close()
	}
	if conn, derr := net.DialTimeout("tcp", given.Addr().String(), waitFor); derr == nil {
		conn.Close()
		t.Error("a listener given with WithListener was not closed")
	}
	if n := h.count("start failed"); n != 1 {
		t.Errorf("start failure logged %d times, want 1", n)
	}
	if n := h.count("ready"); n != 0 {
		t.Error("the group reported ready although a listener failed")
	}
}

// TestGroup_Run_startFailedInterruptStuck checks that the interrupts run at
// a failed start are bounded by the shutdown timeout too.
func TestGroup_Run_startFailedInterruptStuck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ShutdownTimeout: 200 * time.Millisecond, Port: -1})
	unstick := make(chan struct{})
	t.Cleanup(func() { close(unstick) })
	h.g.Add("stuck", func() error { return nil }, func(error) { <-unstick })
	h.start(t)
	err := h.wait(t, waitFor)
	if !errors.Is(err, ErrShutdownTimeout) || !strings.Contains(err.Error(), "PORT") {
		t.Fatalf("Run = %v, want a timeout caused by the PORT problem", err)
	}
}

func TestGroup_Run_actorFailsAtStart(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ps := []*pair{newPair(), newPair(), newPair()}
	for i, p := range ps {
		h.g.Add(fmt.Sprint("p", i), p.execute, p.interrupt)
	}
	var failInterrupts atomic.Int32
	h.g.Add("fails", func() error { return errors.New("cannot connect") }, func(error) { failInterrupts.Add(1) })
	h.start(t)
	if err := h.wait(t, waitFor); err == nil || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("Run = %v", err)
	}
	for i, p := range ps {
		if got := p.interrupts.Load(); got != 1 {
			t.Errorf("p%d interrupted %d times, want 1", i, got)
		}
	}
	if got := failInterrupts.Load(); got != 1 {
		t.Errorf("the failing actor's interrupt ran %d times, want 1", got)
	}
}

// TestGroup_Run_signals checks the signal rule with the signal seam.
func TestGroup_Run_signals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		gap      time.Duration
		signals  []os.Signal
		wantErr  error
		ignored  int
		wantCode int
	}{
		{"SIGTERM then SIGINT forces", time.Nanosecond, []os.Signal{syscall.SIGTERM, os.Interrupt}, ErrForced, 0, 130},
		{"SIGINT twice forces", time.Nanosecond, []os.Signal{os.Interrupt, os.Interrupt}, ErrForced, 0, 130},
		{"repeated SIGTERM never forces", time.Nanosecond, []os.Signal{syscall.SIGTERM, syscall.SIGTERM, syscall.SIGTERM}, nil, 2, 0},
		{"SIGINT within the gap is ignored", time.Hour, []os.Signal{os.Interrupt, os.Interrupt}, nil, 1, 0},
		{"SIGTERM after SIGINT never forces", time.Nanosecond, []os.Signal{os.Interrupt, syscall.SIGTERM}, nil, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{DrainDelay: 300 * time.Millisecond, ShutdownTimeout: waitFor}, withForceGap(tt.gap))
			h.g.HTTP("web", http404{}, WithListener(localListener(t)))
			h.start(t)
			h.waitLog(t, "ready")
			for _, s := range tt.signals {
				h.sigs <- s
			}
			err := h.wait(t, waitFor)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("Run = %v, want %v", err, tt.wantErr)
			}
			if got := ExitCode(err); got != tt.wantCode {
				t.Errorf("ExitCode = %d, want %d", got, tt.wantCode)
			}
			if n := h.count("signal ignored; the stop goes on"); n != tt.ignored {
				t.Errorf("%d signals ignored, want %d; logs %v", n, tt.ignored, messages(h.logs))
			}
			if tt.wantErr != nil {
				if !strings.Contains(err.Error(), "still running: web") {
					t.Errorf("Run = %q, want it to name web, cut short in its drain", err)
				}
				if n := h.count("stop forced by a second signal"); n != 1 {
					t.Errorf("forced stop logged %d times, want 1", n)
				}
			} else if n := h.count("servers stop accepting; waiting for requests in flight"); n != 1 {
				t.Errorf("the servers did not stop normally after the drain; logs %v", messages(h.logs))
			}
		})
	}
}

func TestGroup_Run_signalDuringActorStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ShutdownTimeout: waitFor}, withForceGap(time.Nanosecond))
	unstick := make(chan struct{})
	t.Cleanup(func() { close(unstick) })
	h.g.Go("returns", func(context.Context) error { return nil })
	h.g.Add("slow", func() error { <-unstick; return nil }, func(error) {})
	h.start(t)
	h.waitLog(t, "stopping: actor returned")
	h.sigs <- os.Interrupt // the first signal: joins the stop, never forces
	h.waitLog(t, "signal received while stopping; the stop goes on")
	h.sigs <- os.Interrupt
	err := h.wait(t, waitFor)
	if !errors.Is(err, ErrForced) || !strings.Contains(err.Error(), "still running: slow") {
		t.Fatalf("Run = %v, want ErrForced naming slow", err)
	}
}

// TestGroup_Run_cycles runs 100 start/stop cycles with every kind of actor;
// goleak then proves nothing is left behind.
func TestGroup_Run_cycles(t *testing.T) {
	c := client(t)
	for i := range 100 {
		h := newHarness(t, Config{})
		ln := localListener(t)
		h.g.HTTP("web", http404{}, WithListener(ln))
		h.g.Go("worker", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		p := newPair()
		h.g.Add("pair", p.execute, p.interrupt)
		h.g.Startup("warm", func(context.Context) error { return nil })
		h.g.Check("ok", time.Second, func(context.Context) error { return nil })
		h.start(t)
		waitStatus(t, c, "http://"+ln.Addr().String()+"/readyz", 200)
		if i%2 == 0 {
			h.cancel()
		} else {
			h.sigs <- syscall.SIGTERM
		}
		if err := h.wait(t, waitFor); err != nil {
			t.Fatalf("cycle %d: Run = %v", i, err)
		}
		if p.interrupts.Load() != 1 {
			t.Fatalf("cycle %d: %d interrupts", i, p.interrupts.Load())
		}
	}
	c.CloseIdleConnections()
	goleak.VerifyNone(t)
}

func TestConfig_resolve(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want []string // substrings; none for a valid config
	}{
		{"zero", Config{}, nil},
		{"defaults", Config{Port: 8080, ShutdownTimeout: 25 * time.Second, DrainDelay: 5 * time.Second}, nil},
		{"bad port", Config{Port: 70000}, []string{"PORT: not a TCP port"}},
		{"bad management port", Config{ManagementPort: -2}, []string{"MANAGEMENT_PORT: not a TCP port"}},
		{"same ports", Config{Port: 8080, ManagementPort: 8080}, []string{"MANAGEMENT_PORT: the same as PORT"}},
		{"negative timeout", Config{ShutdownTimeout: -time.Second}, []string{"SHUTDOWN_TIMEOUT: negative"}},
		{"negative drain", Config{DrainDelay: -time.Second}, []string{"DRAIN_DELAY: negative"}},
		{"drain too long", Config{DrainDelay: 30 * time.Second}, []string{"DRAIN_DELAY: not shorter than SHUTDOWN_TIMEOUT"}},
		{"all at once", Config{Port: -1, DrainDelay: -1, DrainMin: -1, DrainQuiet: -1}, []string{"PORT", "DRAIN_DELAY", "DRAIN_MIN", "DRAIN_QUIET"}},
		{"free port", Config{Port: 0, ManagementPort: 0}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.cfg.resolve()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("resolve = %v, want nil", err)
				}
				if got.ShutdownTimeout <= got.DrainDelay {
					t.Errorf("resolved ShutdownTimeout %s", got.ShutdownTimeout)
				}
				return
			}
			if err == nil {
				t.Fatal("resolve = nil, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("resolve = %q, want it to contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), "; ") {
				t.Errorf("resolve = %q, want it to say what to do", err)
			}
			if ExitCode(err) != 78 {
				t.Errorf("ExitCode = %d, want 78", ExitCode(err))
			}
		})
	}
}

// exitCoder stands for config.Error, which lifecycle does not import.
type exitCoder struct{ code int }

func (e *exitCoder) Error() string { return "config: PORT: not an integer" }
func (e *exitCoder) ExitCode() int { return e.code }

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"failure", errors.New("boom"), 1},
		{"panic", &PanicError{Actor: "a", Value: "x"}, 1},
		{"timeout", &stop.Error{Kind: ErrShutdownTimeout}, 124},
		{"timeout with cause", &stop.Error{Kind: ErrShutdownTimeout, Cause: &exitCoder{78}}, 124},
		{"forced", fmt.Errorf("main: %w", &stop.Error{Kind: ErrForced}), 130},
		{"config", fmt.Errorf("load: %w", &exitCoder{78}), 78},
		{"usage", &exitCoder{64}, 64},
		{"zero code is still a failure", &exitCoder{0}, 1},
		{"out of range", &exitCoder{300}, 1},
		{"own config", &configError{errs: []error{errors.New("x")}}, 78},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := ExitCode(tt.err); got != tt.want {
				t.Errorf("ExitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}
