package grpccheck

import (
	"context"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/twelvekit/twelvekit/internal/freeport"
	"github.com/twelvekit/twelvekit/processtest"
)

// The names of the checks, in the order of a [processtest.Report]'s
// results.
const (
	// CheckPort: started with PORT set to a free port, the process accepts
	// on it within the start timeout.
	CheckPort = processtest.CheckPort
	// CheckHealth: the grpc.health.v1 service on PORT answers SERVING
	// within the start timeout, and at its first SERVING a call of the load
	// succeeds.
	CheckHealth processtest.CheckName = "health"
	// CheckRollingStop: SIGTERM under load loses no call.
	CheckRollingStop = processtest.CheckRollingStop
)

// Check starts bin as a platform does, with PORT set to a free loopback
// port, and checks from outside, with grpc-go's own client, that it serves
// gRPC there: [CheckPort], [CheckHealth] and [CheckRollingStop] (see the
// package documentation). It returns one [processtest.Result] per check;
// a check that cannot run because an earlier one failed is skipped, saying
// so. The error is for a check that cannot start at all (no binary, no free
// port). Check returns once the process, its process group and every
// goroutine it started have ended; it kills only what it started.
func Check(ctx context.Context, bin processtest.Binary, opts ...Option) (rep processtest.Report, err error) {
	s := defaults()
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	rep = processtest.Report{Binary: bin.Path, Args: bin.Args}
	begin := time.Now()
	defer func() { rep.Duration = time.Since(begin) }()
	if _, err := os.Stat(bin.Path); err != nil {
		return rep, fmt.Errorf("grpccheck: binary %q: %w; build it first", bin.Path, err)
	}
	port, err := freePort()
	if err != nil {
		return rep, fmt.Errorf("grpccheck: no free loopback port: %w", err)
	}
	p, err := start(bin, port)
	if err != nil {
		return rep, fmt.Errorf("grpccheck: start %s: %w", bin.Path, err)
	}
	defer func() {
		p.kill()
		rep.Stdout, rep.Stderr = p.stdout.tail(), p.stderr.tail()
	}()

	portRes := checkPort(ctx, p, s)
	rep.Results = append(rep.Results, portRes)
	if portRes.Status != processtest.Pass {
		rep.Results = append(rep.Results, skipped(CheckHealth, "not checked: the port check failed"),
			skipped(CheckRollingStop, "not checked: the port check failed"))
		return rep, nil
	}
	conn, err := grpc.NewClient("passthrough:///"+p.addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return rep, fmt.Errorf("grpccheck: client for %s: %w", p.addr(), err)
	}
	defer conn.Close()
	c := &caller{conn: conn, s: s}
	healthRes := checkHealth(ctx, p, c, s)
	rep.Results = append(rep.Results, healthRes)
	if healthRes.Status != processtest.Pass {
		rep.Results = append(rep.Results, skipped(CheckRollingStop, "not checked: the health check failed"))
		return rep, nil
	}
	rep.Results = append(rep.Results, rollingStop(ctx, p, c, s))
	return rep, nil
}

func skipped(name processtest.CheckName, why string) processtest.Result {
	return processtest.Result{Name: name, Status: processtest.Skip, Summary: why}
}

func failed(name processtest.CheckName, summary string, problems ...string) processtest.Result {
	return processtest.Result{Name: name, Status: processtest.Fail, Summary: summary, Problems: problems}
}

func checkPort(ctx context.Context, p *proc, s settings) processtest.Result {
	deadline := p.begin.Add(s.startTimeout)
	for {
		if c, err := net.DialTimeout("tcp", p.addr(), 200*time.Millisecond); err == nil {
			_ = c.Close()
			took := time.Since(p.begin)
			if owned, known := listenerOwned(p.cmd.Process.Pid, p.port); known && !owned {
				return failed(CheckPort, "PORT taken by another program",
					fmt.Sprintf("something accepted on PORT %d, but no process the binary started listens there: another program took the port, and the binary did not bind it", p.port))
			}
			return processtest.Result{Name: CheckPort, Status: processtest.Pass,
				Summary: fmt.Sprintf("accepting %s after exec", took.Round(100*time.Microsecond)),
				Figures: map[string]float64{"accepting_ms": ms(took)}}
		}
		if p.exited() {
			return failed(CheckPort, "exited before accepting",
				fmt.Sprintf("the process exited with %d before it accepted on PORT %d", p.code, p.port))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return failed(CheckPort, "not accepting",
				fmt.Sprintf("nothing accepted on PORT %d within %s of exec; a gRPC server must listen on $PORT", p.port, s.startTimeout))
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// caller makes the calls of the checks.
type caller struct {
	conn *grpc.ClientConn
	s    settings
}

// health asks the health service for the server's status.
func (c *caller) health(ctx context.Context, timeout time.Duration) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := healthpb.NewHealthClient(c.conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return resp.GetStatus(), err
}

// load makes one call of the load: the named method, or health's Check.
func (c *caller) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c.s.method == "" {
		_, err := healthpb.NewHealthClient(c.conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err
	}
	resp := proto.Clone(c.s.resp)
	return c.conn.Invoke(ctx, c.s.method, c.s.req, resp)
}

func checkHealth(ctx context.Context, p *proc, c *caller, s settings) processtest.Result {
	deadline := p.begin.Add(s.startTimeout)
	var last string
	for {
		st, err := c.health(ctx, time.Second)
		switch {
		case status.Code(err) == codes.Unimplemented:
			return failed(CheckHealth, "no health service",
				"the process does not serve grpc.health.v1 on PORT: Kubernetes' gRPC probes and grpc-health-probe cannot tell when it is ready")
		case err == nil && st == healthpb.HealthCheckResponse_SERVING:
			took := time.Since(p.begin)
			if err := c.load(ctx); err != nil {
				return failed(CheckHealth, "serving before the app",
					fmt.Sprintf("the health service answered SERVING %s after exec, but a call of the load then failed: %v", took.Round(time.Millisecond), err))
			}
			return processtest.Result{Name: CheckHealth, Status: processtest.Pass,
				Summary: fmt.Sprintf("SERVING %s after exec", took.Round(100*time.Microsecond)),
				Figures: map[string]float64{"serving_ms": ms(took)}}
		case err != nil:
			last = err.Error()
		default:
			last = st.String()
		}
		if p.exited() {
			return failed(CheckHealth, "exited", fmt.Sprintf("the process exited with %d before its health service answered SERVING", p.code))
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if status.Code(err) == codes.Unavailable {
				return failed(CheckHealth, "not gRPC",
					fmt.Sprintf("PORT %d accepts connections but no gRPC call got an answer within %s of exec (last error: %s): the process does not speak gRPC (HTTP/2) there; check an HTTP service with processtest or twelvecheck", p.port, s.startTimeout, last))
			}
			return failed(CheckHealth, "never SERVING",
				fmt.Sprintf("the health service did not answer SERVING within %s of exec (last answer: %s)", s.startTimeout, last))
		}
		time.Sleep(20 * time.Millisecond) // polling with a deadline
	}
}

// loadRun is the steady load of the rolling stop.
type loadRun struct {
	sent, failed atomic.Int64
	mu           sync.Mutex
	kinds        map[string]int
	first        string
}

func (l *loadRun) fail(err error) {
	l.failed.Add(1)
	kind := status.Code(err).String()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = map[string]int{}
	}
	l.kinds[kind]++
	if l.first == "" {
		l.first = err.Error()
	}
}

func rollingStop(ctx context.Context, p *proc, c *caller, s settings) processtest.Result {
	removed := make(chan struct{})
	var removedAt time.Time
	stopAll := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(stopAll)
		wg.Wait()
	}()

	// The load: workers at a steady pace until the balancer removes the
	// instance, as a balancer stops sending then.
	l := &loadRun{}
	every := time.Duration(s.workers) * time.Second / time.Duration(s.rate)
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				select {
				case <-removed:
					return
				case <-stopAll:
					return
				case <-tick.C:
				}
				l.sent.Add(1)
				if err := c.load(context.Background()); err != nil {
					l.fail(err)
				}
			}
		}()
	}

	// The balancer model: a poll every interval; removed after fall
	// answers in a row that are not SERVING. polled tells the main
	// goroutine of each poll, so that SIGTERM comes just after one.
	polled := make(chan struct{}, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(s.interval)
		defer tick.Stop()
		bad := 0
		for {
			select {
			case <-stopAll:
				return
			case <-tick.C:
			}
			st, err := c.health(context.Background(), min(s.interval, time.Second))
			if err != nil || st != healthpb.HealthCheckResponse_SERVING {
				bad++
			} else {
				bad = 0
			}
			if bad >= s.fall {
				removedAt = time.Now()
				close(removed)
				return
			}
			select {
			case polled <- struct{}{}:
			default:
			}
		}
	}()

	// The watcher: when health first answers something else than SERVING
	// (an answer, not a failed call), and when the listener stops
	// accepting.
	var notServing, closed atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stopAll:
				return
			case <-time.After(10 * time.Millisecond): // the watcher's pace
			}
			now := time.Now().UnixNano()
			if notServing.Load() == 0 {
				if st, err := c.health(context.Background(), time.Second); err == nil && st != healthpb.HealthCheckResponse_SERVING {
					notServing.Store(now)
				}
			}
			if closed.Load() == 0 {
				if conn, err := net.DialTimeout("tcp", p.addr(), 200*time.Millisecond); err != nil {
					closed.Store(now)
				} else {
					_ = conn.Close()
				}
			}
		}
	}()

	warm := time.NewTimer(s.warmup)
	select {
	case <-warm.C:
	case <-ctx.Done():
		warm.Stop()
		return failed(CheckRollingStop, "cancelled", "the check's context ended before SIGTERM")
	}
	select { // just after a poll of the balancer: its removal takes the longest
	case <-polled:
	case <-time.After(s.interval + 2*time.Second):
	}
	rate := float64(l.sent.Load()) / time.Since(p.begin).Seconds()
	term := time.Now()
	p.signal(syscall.SIGTERM)
	exitedIn := p.wait(ctx, s.grace)
	took := time.Since(term)
	// A balancer keeps sending until it removes the instance, whether the
	// process is still there or not.
	select {
	case <-removed:
	case <-ctx.Done():
	case <-time.After(time.Duration(s.fall+1)*s.interval + 2*time.Second):
	}
	close(stopAll)
	wg.Wait()
	stopAll = make(chan struct{}) // for the deferred close

	res := processtest.Result{Name: CheckRollingStop, Status: processtest.Pass, Figures: map[string]float64{
		"sent": float64(l.sent.Load()), "failed": float64(l.failed.Load()), "rate_per_s": rate,
	}}
	var problems []string
	since := func(ns int64) time.Duration { return time.Unix(0, ns).Sub(term) }
	if ns := notServing.Load(); ns != 0 {
		res.Figures["to_not_serving_ms"] = ms(since(ns))
	}
	if ns := closed.Load(); ns != 0 {
		res.Figures["to_closed_ms"] = ms(since(ns))
	}
	if !removedAt.IsZero() {
		res.Figures["to_removed_ms"] = ms(removedAt.Sub(term))
	}
	if !exitedIn {
		problems = append(problems, fmt.Sprintf("still running %s after SIGTERM: hung; killed", s.grace))
	} else {
		res.Figures["to_exit_ms"] = ms(took)
		if p.code != 0 {
			problems = append(problems, fmt.Sprintf("exited %d after SIGTERM, want 0", p.code))
		}
	}
	if n := l.failed.Load(); n > 0 {
		l.mu.Lock()
		kinds := make([]string, 0, len(l.kinds))
		for _, k := range slices.Sorted(maps.Keys(l.kinds)) {
			kinds = append(kinds, fmt.Sprintf("%s %d", k, l.kinds[k]))
		}
		first := l.first
		l.mu.Unlock()
		problems = append(problems, fmt.Sprintf("%d of %d calls failed (%s); first: %s", n, l.sent.Load(), strings.Join(kinds, ", "), first))
	}
	ns, cl := notServing.Load(), closed.Load()
	switch {
	case ns == 0:
		problems = append(problems, "the health service never stopped answering SERVING: a balancer cannot tell the instance is stopping")
	case cl != 0 && cl < ns:
		problems = append(problems, "the listener closed before the health service stopped answering SERVING: calls a balancer still sends are refused")
	}
	if removedAt.IsZero() && ns != 0 {
		problems = append(problems, fmt.Sprintf("the process stopped before the balancer model (every %s, after %d) removed it: calls still sent would be lost", s.interval, s.fall))
	}
	if len(problems) > 0 {
		res.Status, res.Problems = processtest.Fail, problems
	}
	res.Summary = fmt.Sprintf("%d calls, %d failed; exit after %s", l.sent.Load(), l.failed.Load(), took.Round(time.Millisecond))
	return res
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// proc is the run of the binary.
type proc struct {
	cmd            *exec.Cmd
	begin          time.Time
	port           int
	stdout, stderr capture
	done           chan struct{}
	code           int
	killed         bool
}

func start(bin processtest.Binary, port int) (*proc, error) {
	p := &proc{port: port, done: make(chan struct{})}
	p.cmd = exec.Command(bin.Path, bin.Args...)
	p.cmd.Env = []string{}
	for _, k := range slices.Sorted(maps.Keys(bin.Env)) {
		if k != "PORT" {
			p.cmd.Env = append(p.cmd.Env, k+"="+bin.Env[k])
		}
	}
	p.cmd.Env = append(p.cmd.Env, "PORT="+strconv.Itoa(port))
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.cmd.WaitDelay = 2 * time.Second
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p.begin = time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(p.port)) }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) signal(sig os.Signal) { _ = p.cmd.Process.Signal(sig) }

// wait waits until the process ended, d passed or ctx is done, and
// reports whether it ended.
func (p *proc) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
	case <-t.C:
	case <-ctx.Done():
	}
	return p.exited()
}

// kill sends SIGKILL to the process group it started, also after the
// process itself exited, and waits for the end, bounded.
func (p *proc) kill() {
	if p.killed {
		return
	}
	p.killed = true
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second): // WaitDelay ends Wait well before
	}
}

// capture is a bounded buffer safe for concurrent use.
type capture struct {
	mu  sync.Mutex
	buf []byte
}

const captureLimit = 4 << 20

func (c *capture) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := captureLimit - len(c.buf); room > 0 {
		c.buf = append(c.buf, b[:min(len(b), room)]...)
	}
	return len(b), nil
}

// tail returns the last 40 lines written.
func (c *capture) tail() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	lines := strings.Split(strings.TrimRight(string(c.buf), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines[max(0, len(lines)-40):]
}

// freePort returns a free TCP port below the ephemeral range (see
// internal/freeport): no connection of the load takes it before the
// process binds it.
func freePort() (int, error) { return freeport.Port() }
