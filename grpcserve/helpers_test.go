package grpcserve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// waitFor bounds every wait of the tests.
const waitFor = 15 * time.Second

// echo is a test service, test.Echo, described by hand: Echo answers its
// request, or panics when asked to, or blocks until release is closed when
// asked to; Count streams the numbers 1 to 3.
type echo struct {
	release chan struct{}
	entered chan struct{}
}

var echoDesc = grpc.ServiceDesc{
	ServiceName: "test.Echo",
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{{MethodName: "Echo", Handler: func(srv any, ctx context.Context, dec func(any) error, in grpc.UnaryServerInterceptor) (any, error) {
		req := new(wrapperspb.StringValue)
		if err := dec(req); err != nil {
			return nil, err
		}
		h := func(ctx context.Context, r any) (any, error) {
			return srv.(*echo).echo(ctx, r.(*wrapperspb.StringValue))
		}
		if in == nil {
			return h(ctx, req)
		}
		return in(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/test.Echo/Echo"}, h)
	}}},
	Streams: []grpc.StreamDesc{{StreamName: "Count", ServerStreams: true, Handler: func(srv any, ss grpc.ServerStream) error {
		req := new(wrapperspb.StringValue)
		if err := ss.RecvMsg(req); err != nil {
			return err
		}
		if req.GetValue() == "panic" {
			panic("count panicked")
		}
		logging.FromContext(ss.Context()).Info("counting")
		for i := range 3 {
			if err := ss.SendMsg(wrapperspb.String(strings.Repeat("x", i+1))); err != nil {
				return err
			}
		}
		return nil
	}}},
}

func (e *echo) echo(ctx context.Context, req *wrapperspb.StringValue) (*wrapperspb.StringValue, error) {
	switch req.GetValue() {
	case "panic":
		panic("echo panicked")
	case "block":
		e.entered <- struct{}{}
		<-e.release
	}
	logging.FromContext(ctx).Info("in handler", zap.String("id", logging.RequestID(ctx)))
	return wrapperspb.String(req.GetValue()), nil
}

// buffer collects the JSON lines of a logger.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// text returns everything logged so far.
func (b *buffer) text() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// events returns the events logged so far with message msg.
func (b *buffer) events(t testing.TB, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.b.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q", line)
		}
		if m["msg"] == msg || m["message"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// waitEvents polls until at least n events with message msg are logged.
func (b *buffer) waitEvents(t testing.TB, msg string, n int) []map[string]any {
	t.Helper()
	if !testkit.Within(waitFor, func() bool { return len(b.events(t, msg)) >= n }) {
		t.Fatalf("%d %q events within %s, want %d", len(b.events(t, msg)), msg, waitFor, n)
	}
	return b.events(t, msg)
}

// running is a group run in the background.
type running struct {
	g    *lifecycle.Group
	srv  *grpc.Server
	logs *buffer
	e    *echo
	done chan error
	stop context.CancelFunc
}

// start runs a group of cfg with a server from New and the echo service;
// the cleanup stops it and waits for Run.
func start(t *testing.T, cfg lifecycle.Config, lcfg logging.Config, env map[string]string, setup func(*lifecycle.Group), opts ...grpcserve.Option) *running {
	t.Helper()
	r := &running{logs: &buffer{}, e: &echo{release: make(chan struct{}), entered: make(chan struct{}, 8)}, done: make(chan error, 1)}
	log := logging.New(lcfg, logging.WithWriter(r.logs), logging.WithEnvironment(env))
	r.g = lifecycle.New(cfg, lifecycle.WithLogger(log))
	if setup != nil {
		setup(r.g)
	}
	srv, err := grpcserve.New(r.g, log, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = srv
	srv.RegisterService(&echoDesc, r.e)
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { r.done <- r.g.Run(ctx) }()
	var once sync.Once
	t.Cleanup(func() {
		cancel()
		once.Do(func() { close(r.e.release) })
		select {
		case err := <-r.done:
			r.done <- err
		case <-time.After(waitFor):
			t.Errorf("Run did not return within %s", waitFor)
		}
		if t.Failed() {
			t.Logf("log:\n%s", r.logs.text())
		}
	})
	return r
}

// wait returns Run's result.
func (r *running) wait(t testing.TB) error {
	t.Helper()
	select {
	case err := <-r.done:
		r.done <- err
		return err
	case <-time.After(waitFor):
		t.Fatalf("Run did not return within %s", waitFor)
		return nil
	}
}

// dial returns a client connection to addr, closed at the test's end.
func dial(t testing.TB, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
