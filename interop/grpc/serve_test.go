//go:build unix

package grpc

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

const (
	childEnv = "GRPC_TEST_CHILD"
	patience = 20 * time.Second
)

// TestChildProcess is the service the test starts; skipped in a normal run.
func TestChildProcess(t *testing.T) {
	if os.Getenv(childEnv) == "" {
		t.Skip("the service run by TestServe_grpc")
	}
	os.Exit(childMain())
}

func childMain() int {
	log := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.Lock(os.Stdout), zapcore.DebugLevel))
	defer log.Sync()
	port, _ := strconv.Atoi(os.Getenv("PORT"))
	cfg := lifecycle.Config{Port: port, ShutdownTimeout: 10 * time.Second,
		DrainDelay: 5 * time.Second, DrainMin: time.Second, DrainQuiet: 300 * time.Millisecond}
	if err := cfg.Validate(); err != nil {
		log.Error("config", zap.Error(err))
		return 78
	}
	g := lifecycle.New(cfg, lifecycle.WithLogger(log))
	srv, err := grpcserve.New(g, log)
	if err != nil {
		log.Error("grpcserve", zap.Error(err))
		return 1
	}
	srv.RegisterService(&workDesc, nil)
	return lifecycle.ExitCode(g.Run(context.Background()))
}

// workDesc is a service described by hand, test.Work: Do takes a duration
// in a StringValue and works that long, logging "work started" first.
var workDesc = grpc.ServiceDesc{
	ServiceName: "test.Work",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Do", Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
		req := new(wrapperspb.StringValue)
		if err := dec(req); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, r any) (any, error) {
			d, _ := time.ParseDuration(r.(*wrapperspb.StringValue).GetValue())
			if d > 0 {
				logging.FromContext(ctx).Info("work started", zap.Duration("work", d))
				time.Sleep(d) // the work the call stands for
			}
			return wrapperspb.String("done"), nil
		}
		if in == nil {
			return h(ctx, req)
		}
		return in(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/test.Work/Do"}, h)
	}}},
}

// child is the running service and its JSON log.
type child struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []map[string]any
	exited chan struct{}
	code   int
}

func (c *child) entry(msg string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

func (c *child) waitEntry(t *testing.T, msg string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		if e := c.entry(msg); e != nil {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q logged within %s", msg, patience)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

// TestServe_grpc stops a real gRPC server served with grpcserve on PORT
// through a signal, under calls, as a balancer following health sees it.
func TestServe_grpc(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	c := &child{exited: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], "-test.run=^TestChildProcess$")
	c.cmd.Env = append(os.Environ(), childEnv+"=1", "PORT="+strconv.Itoa(port))
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				c.mu.Lock()
				c.lines = append(c.lines, m)
				c.mu.Unlock()
			}
		}
		_ = c.cmd.Wait()
		c.code = c.cmd.ProcessState.ExitCode()
		close(c.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-c.exited:
		default:
			_ = c.cmd.Process.Kill()
			<-c.exited
		}
		if t.Failed() {
			c.mu.Lock()
			for _, l := range c.lines {
				t.Log(l)
			}
			c.mu.Unlock()
		}
	})

	c.waitEntry(t, "ready")
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	status := func() (healthpb.HealthCheckResponse_ServingStatus, error) {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		return resp.GetStatus(), err
	}
	if st, err := status(); err != nil || st != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health once ready = %v, %v; want SERVING on PORT with no net/http server", st, err)
	}
	call := func(work string) error {
		ctx, cancel := context.WithTimeout(context.Background(), patience)
		defer cancel()
		return conn.Invoke(ctx, "/test.Work/Do", wrapperspb.String(work), new(wrapperspb.StringValue))
	}
	if err := call("0s"); err != nil {
		t.Fatalf("first call: %v", err)
	}

	// Steady calls, as a balancer sends them until it notices the stop:
	// here, after three answers of the health service in a row that are
	// not SERVING, asked every 100ms.
	var sent, failed, afterStop atomic.Int64
	var stopped atomic.Bool
	loadCtx, stopLoad := context.WithCancel(context.Background())
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-loadCtx.Done():
				return
			case <-tick.C:
			}
			sent.Add(1)
			if stopped.Load() {
				afterStop.Add(1)
			}
			if err := call("0s"); err != nil {
				failed.Add(1)
				t.Errorf("call during the drain: %v", err)
			}
		}
	}()
	defer func() { stopLoad(); <-loadDone }()
	slow := make(chan error, 1)
	go func() { slow <- call("1500ms") }()
	c.waitEntry(t, "work started")
	deadline := time.Now().Add(patience)
	for sent.Load() < 20 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d calls sent within %s", sent.Load(), patience)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}

	signalled := time.Now()
	stopped.Store(true)
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.waitEntry(t, "stopping: signal received")
	if st, err := status(); err != nil || st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health after SIGTERM = %v, %v; want NOT_SERVING", st, err)
	}
	poll := time.NewTicker(100 * time.Millisecond)
	for bad := 0; bad < 3; {
		select {
		case <-poll.C:
		case <-time.After(patience):
			t.Fatal("the balancer model's poll stalled")
		}
		if st, err := status(); err != nil || st != healthpb.HealthCheckResponse_SERVING {
			bad++
		} else {
			bad = 0
		}
	}
	poll.Stop()
	stopLoad()
	<-loadDone

	if err := <-slow; err != nil {
		t.Errorf("the call in flight at SIGTERM: %v, want it to finish", err)
	}
	select {
	case <-c.exited:
	case <-time.After(patience):
		t.Fatalf("still running %s after SIGTERM", patience)
	}
	took := time.Since(signalled)
	drain := c.entry("drain ended")
	t.Logf("sent %d calls (%d after SIGTERM), %d failed; exited %d after %s; drain %v (%v)",
		sent.Load(), afterStop.Load(), failed.Load(), c.code, took.Round(time.Millisecond), drain["took"], drain["reason"])
	if c.code != 0 {
		t.Errorf("exit code %d, want 0", c.code)
	}
	if afterStop.Load() < 10 || failed.Load() > 0 {
		t.Errorf("%d calls after SIGTERM, %d failed: want the drain to keep serving them all", afterStop.Load(), failed.Load())
	}
	if drain == nil || drain["reason"] != "traffic stopped" {
		t.Errorf("drain ended with %v, want traffic stopped (the calls are traffic)", drain)
	}
	if took > 4*time.Second {
		t.Errorf("exited %s after SIGTERM, want soon after the calls stopped (the longest drain is 5s)", took)
	}
}
