//go:build unix

package grpc

import (
	"context"
	"os"
	"strconv"
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
	"github.com/twelvekit/twelvekit/internal/testkit"
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

// waitEntry waits at most patience for a line of c's log with msg and
// returns it.
func waitEntry(t *testing.T, c *testkit.Proc, msg string) map[string]any {
	t.Helper()
	e := c.WaitEvent(msg, patience)
	if e == nil {
		t.Fatalf("no %q logged within %s", msg, patience)
	}
	return e
}

// TestServe_grpc stops a real gRPC server served with grpcserve on PORT
// through a signal, under calls, as a balancer following health sees it.
func TestServe_grpc(t *testing.T) {
	port := testkit.FreePort(t)
	cmd := testkit.Self(t, "^TestChildProcess$")
	cmd.Env = append(cmd.Env, childEnv+"=1", "PORT="+strconv.Itoa(port))
	c := testkit.Start(t, cmd)

	waitEntry(t, c, "ready")
	conn, err := grpc.NewClient("passthrough:///"+testkit.Addr(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
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
	waitEntry(t, c, "work started")
	testkit.Eventually(t, patience, "20 calls sent", func() bool { return sent.Load() >= 20 })

	signalled := time.Now()
	stopped.Store(true)
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitEntry(t, c, "stopping: signal received")
	if st, err := status(); err != nil || st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health after SIGTERM = %v, %v; want NOT_SERVING", st, err)
	}
	bad := 0
	testkit.Poll(t, patience, 100*time.Millisecond, "three answers in a row not SERVING", func() bool {
		if st, err := status(); err != nil || st != healthpb.HealthCheckResponse_SERVING {
			bad++
		} else {
			bad = 0
		}
		return bad >= 3
	})
	stopLoad()
	<-loadDone

	if err := <-slow; err != nil {
		t.Errorf("the call in flight at SIGTERM: %v, want it to finish", err)
	}
	code, ok := c.Wait(patience)
	if !ok {
		t.Fatalf("still running %s after SIGTERM", patience)
	}
	took := time.Since(signalled)
	drain := c.WaitEvent("drain ended", patience) // at once: c has exited
	t.Logf("sent %d calls (%d after SIGTERM), %d failed; exited %d after %s; drain %v (%v)",
		sent.Load(), afterStop.Load(), failed.Load(), code, took.Round(time.Millisecond), drain["took"], drain["reason"])
	if code != 0 {
		t.Errorf("exit code %d, want 0", code)
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
