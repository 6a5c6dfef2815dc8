//go:build unix

package grpc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/twelvekit/twelvekit/lifecycle"
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

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Error("listen", zap.Error(err))
		return 1
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		g.Traffic() // the drain sees gRPC's requests
		if md, ok := metadata.FromIncomingContext(ctx); ok && len(md.Get("delay")) > 0 {
			d, _ := time.ParseDuration(md.Get("delay")[0])
			time.Sleep(d) // the work the call stands for
		}
		return h(ctx, req)
	}))
	healthpb.RegisterHealthServer(srv, health.NewServer())
	log.Info("grpc listening", zap.String("addr", lis.Addr().String()))
	g.Serve("grpc", func(ctx context.Context, ready func()) error {
		ready() // bound: connections wait in the backlog until Serve accepts
		return srv.Serve(lis)
	}, func(ctx context.Context) error {
		done := make(chan struct{})
		go func() {
			srv.GracefulStop() // stops accepting, waits for the calls in flight
			close(done)
		}()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			srv.Stop() // out of time: cut the calls short
			<-done
			return ctx.Err()
		}
	})
	return lifecycle.ExitCode(g.Run(context.Background()))
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

func probe(t *testing.T, hc *http.Client, url string) int {
	t.Helper()
	resp, err := hc.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestServe_grpc stops a real gRPC server through lifecycle's Serve.
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

	addr := c.waitEntry(t, "grpc listening")["addr"].(string)
	c.waitEntry(t, "ready")
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: patience}
	readyz := fmt.Sprintf("http://127.0.0.1:%d/readyz", port)
	if code := probe(t, hc, readyz); code != 200 {
		t.Fatalf("readyz on PORT = %d, want 200: probes without a net/http actor", code)
	}

	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	call := func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, patience)
		defer cancel()
		resp, err := client.Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			err = fmt.Errorf("status %v", resp.GetStatus())
		}
		return err
	}
	if err := call(context.Background()); err != nil {
		t.Fatalf("first call: %v", err)
	}

	// Steady calls, as a balancer would send until it notices the stop.
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
			if err := call(context.Background()); err != nil {
				failed.Add(1)
				t.Errorf("call during the drain: %v", err)
			}
		}
	}()
	defer func() { stopLoad(); <-loadDone }()
	slow := make(chan error, 1)
	go func() {
		slow <- call(metadata.AppendToOutgoingContext(context.Background(), "delay", "1500ms"))
	}()
	time.Sleep(200 * time.Millisecond) // let the slow call and some load start

	signalled := time.Now()
	stopped.Store(true)
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.waitEntry(t, "stopping: signal received")
	if code := probe(t, hc, readyz); code != 503 {
		t.Errorf("readyz after SIGTERM = %d, want 503", code)
	}
	<-time.After(time.Until(signalled.Add(700 * time.Millisecond))) // the balancer takes a while to notice
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
	if afterStop.Load() < 20 || failed.Load() > 0 {
		t.Errorf("%d calls after SIGTERM, %d failed: want the drain to keep serving them all", afterStop.Load(), failed.Load())
	}
	if drain == nil || drain["reason"] != "traffic stopped" {
		t.Errorf("drain ended with %v, want traffic stopped (the calls are traffic)", drain)
	}
	if took > 4*time.Second {
		t.Errorf("exited %s after SIGTERM, want soon after the calls stopped (the longest drain is 5s)", took)
	}
}
