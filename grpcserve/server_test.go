package grpcserve_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"

	oteltrace "go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// check asks the health service for service's status; an error is
// returned as the status UNKNOWN with the error.
func check(conn *grpc.ClientConn, service string) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	return resp.GetStatus(), err
}

// waitHealth polls the health service until it answers want.
func waitHealth(t testing.TB, conn *grpc.ClientConn, want healthpb.HealthCheckResponse_ServingStatus) {
	t.Helper()
	var st healthpb.HealthCheckResponse_ServingStatus
	var err error
	if !testkit.Within(waitFor, func() bool {
		st, err = check(conn, "")
		return err == nil && st == want
	}) {
		t.Fatalf("health = %v, %v after %s, want %v", st, err, waitFor, want)
	}
}

func call(ctx context.Context, conn *grpc.ClientConn, in string, opts ...grpc.CallOption) (string, error) {
	out := new(wrapperspb.StringValue)
	err := conn.Invoke(ctx, "/test.Echo/Echo", wrapperspb.String(in), out, opts...)
	return out.GetValue(), err
}

// TestNew_port checks that the server takes PORT, with no HTTP server
// there, that health follows the group's readiness, checks included, and
// that a stop turns it NOT_SERVING before the server stops accepting.
func TestNew_port(t *testing.T) {
	port := testkit.FreePort(t)
	healthy := make(chan error, 1)
	healthy <- errors.New("cache down")
	r := start(t, lifecycle.Config{Port: port, ShutdownTimeout: 10 * time.Second, DrainDelay: 5 * time.Second, DrainMin: 300 * time.Millisecond, DrainQuiet: 200 * time.Millisecond},
		logging.Config{}, nil, func(g *lifecycle.Group) {
			g.Check("cache", time.Second, func(context.Context) error {
				err := <-healthy
				healthy <- err
				return err
			})
		})
	conn := dial(t, "127.0.0.1:"+strconv.Itoa(port))
	r.logs.waitEvents(t, "serving", 1)
	if st, err := check(conn, ""); err != nil || st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health with a failing check = %v, %v; want NOT_SERVING", st, err)
	}
	<-healthy
	healthy <- nil
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)
	if st, err := check(conn, "test.Echo"); err != nil || st != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("health of test.Echo = %v, %v; want SERVING", st, err)
	}
	if _, err := check(conn, "no.Such"); status.Code(err) != codes.NotFound {
		t.Errorf("health of an unknown service: %v, want NotFound", err)
	}
	hc := &http.Client{Timeout: 2 * time.Second}
	if resp, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port)); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Errorf("an HTTP /readyz answered 200 on PORT, want the gRPC server alone there")
		}
	}
	if got, err := call(context.Background(), conn, "hi"); err != nil || got != "hi" {
		t.Fatalf("Echo = %q, %v", got, err)
	}
	listening := r.logs.events(t, "listening")
	if len(listening) != 1 || listening[0]["actor"] != "grpc" || !strings.HasSuffix(listening[0]["addr"].(string), ":"+strconv.Itoa(port)) {
		t.Errorf("listening events %v, want one, of grpc on PORT", listening)
	}

	// Calls go on for a while after the stop, as from a balancer that has
	// not yet noticed: the drain serves them all and ends once they stop.
	stopped := time.Now()
	r.stop()
	waitHealth(t, conn, healthpb.HealthCheckResponse_NOT_SERVING)
	const keepOn = 1500 * time.Millisecond
	for time.Since(stopped) < keepOn {
		if got, err := call(context.Background(), conn, "during"); err != nil || got != "during" {
			t.Fatalf("Echo during the drain = %q, %v", got, err)
		}
		time.Sleep(20 * time.Millisecond) // the pace of the load, not a synchronisation
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
	d := r.logs.events(t, "drain ended")
	if len(d) != 1 || d[0]["reason"] != "traffic stopped" || d[0]["took"].(float64) < keepOn.Seconds()-0.1 {
		t.Errorf("drain ended %v, want traffic stopped after the calls (%s): the calls are traffic", d, keepOn)
	}
}

// TestNew_logs checks the call's event, its request context and the
// request ID sent back, under both key presets.
func TestNew_logs(t *testing.T) {
	const (
		traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
		traceID     = "4bf92f3577b34da6a3ce929d0e0e4736"
	)
	for _, keys := range []logging.Keys{logging.KeysZap, logging.KeysGCP} {
		t.Run(keys.String(), func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			r := start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{Keys: keys},
				map[string]string{"GOOGLE_CLOUD_PROJECT": "p1"}, nil, grpcserve.WithListener(ln))
			conn := dial(t, ln.Addr().String())
			waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)

			ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "req-7", "traceparent", traceparent)
			var header metadata.MD
			if _, err := call(ctx, conn, "hi", grpc.Header(&header)); err != nil {
				t.Fatal(err)
			}
			if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "req-7" {
				t.Errorf("x-request-id sent back = %v, want [req-7]", got)
			}
			var fresh metadata.MD
			if _, err := call(context.Background(), conn, "again", grpc.Header(&fresh)); err != nil {
				t.Fatal(err)
			}
			ev := r.logs.waitEvents(t, "request", 2)
			inner := r.logs.waitEvents(t, "in handler", 2)
			traceKey, wantTrace := "trace_id", any(traceID)
			if keys == logging.KeysGCP {
				traceKey, wantTrace = "logging.googleapis.com/trace", "projects/p1/traces/"+traceID
			}
			e := ev[0]
			for k, want := range map[string]any{"method": "/test.Echo/Echo", "code": "OK", "request_id": "req-7", traceKey: wantTrace} {
				if e[k] != want {
					t.Errorf("event %s = %v, want %v (event %v)", k, e[k], want, e)
				}
			}
			if _, ok := e["duration"].(float64); !ok || !strings.HasPrefix(e["peer"].(string), "127.0.0.1:") || e["user_agent"] == "" {
				t.Errorf("event %v lacks duration, peer or user_agent", e)
			}
			if inner[0]["request_id"] != "req-7" || inner[0]["id"] != "req-7" || inner[0][traceKey] != wantTrace {
				t.Errorf("handler's logger event %v, want the request's IDs", inner[0])
			}
			id := fresh.Get("x-request-id")
			if len(id) != 1 || len(id[0]) != 36 || ev[1]["request_id"] != id[0] || inner[1]["id"] != id[0] {
				t.Errorf("new request ID sent back %v, event %v, handler %v: want one new ID everywhere", id, ev[1]["request_id"], inner[1]["id"])
			}
			if _, ok := ev[1][traceKey]; ok {
				t.Errorf("a call without a trace logged one: %v", ev[1])
			}
			if n := len(r.logs.events(t, "request")); n != 2 {
				t.Errorf("%d request events, want one per call (health calls not logged)", n)
			}
		})
	}
}

// TestNew_panic checks that a panicking handler answers Internal, that the
// event carries the panic and its stack once, and that the server goes on.
func TestNew_panic(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil, grpcserve.WithListener(ln))
	conn := dial(t, ln.Addr().String())
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)
	if _, err := call(context.Background(), conn, "panic"); status.Code(err) != codes.Internal {
		t.Errorf("Echo panicking = %v, want Internal", err)
	}
	stream, err := conn.NewStream(context.Background(), &echoDesc.Streams[0], "/test.Echo/Count")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.SendMsg(wrapperspb.String("panic")); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	if err := stream.RecvMsg(new(wrapperspb.StringValue)); status.Code(err) != codes.Internal {
		t.Errorf("Count panicking = %v, want Internal", err)
	}
	if got, err := call(context.Background(), conn, "after"); err != nil || got != "after" {
		t.Errorf("Echo after the panics = %q, %v; want the server to go on", got, err)
	}
	ev := r.logs.waitEvents(t, "request", 3)
	for i, want := range []string{"echo panicked", "count panicked"} {
		e := ev[i]
		if e["level"] != "error" || e["code"] != "Internal" || e["panic"] != want {
			t.Errorf("event %v, want error, Internal, panic %q", e, want)
		}
		if st, _ := e["stacktrace"].(string); !strings.Contains(st, "grpcserve_test") {
			t.Errorf("event's stack %q does not reach the handler", st)
		}
	}
	if strings.Count(r.logs.text(), "echo panicked") != 1 {
		t.Errorf("the panic is logged %d times, want once", strings.Count(r.logs.text(), "echo panicked"))
	}
	if ev[2]["code"] != "OK" || ev[2]["level"] != "info" {
		t.Errorf("event after the panics %v", ev[2])
	}
	r.stop()
	if err := r.wait(t); err != nil {
		t.Fatalf("Run = %v, want nil", err)
	}
}

// TestNew_stream checks a stream's event and its handler's context.
func TestNew_stream(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil, grpcserve.WithListener(ln))
	conn := dial(t, ln.Addr().String())
	ctx := metadata.AppendToOutgoingContext(context.Background(), "x-request-id", "s-1")
	stream, err := conn.NewStream(ctx, &echoDesc.Streams[0], "/test.Echo/Count")
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.SendMsg(wrapperspb.String("go")); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	n := 0
	for {
		if err := stream.RecvMsg(new(wrapperspb.StringValue)); err != nil {
			break
		}
		n++
	}
	if h, _ := stream.Header(); n != 3 || fmt.Sprint(h.Get("x-request-id")) != "[s-1]" {
		t.Errorf("got %d messages and header %v, want 3 and x-request-id s-1", n, h)
	}
	e := r.logs.waitEvents(t, "request", 1)[0]
	if e["method"] != "/test.Echo/Count" || e["code"] != "OK" || e["request_id"] != "s-1" {
		t.Errorf("stream event %v", e)
	}
	if c := r.logs.waitEvents(t, "counting", 1)[0]; c["request_id"] != "s-1" {
		t.Errorf("stream handler's logger %v, want request_id s-1", c)
	}
}

// TestNew_timeout checks that a call still running at the shutdown timeout
// is cut short by Stop and that the group names the server.
func TestNew_timeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 500 * time.Millisecond}, logging.Config{}, nil, nil,
		grpcserve.WithListener(ln), grpcserve.WithName("api"))
	conn := dial(t, ln.Addr().String())
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)
	errc := make(chan error, 1)
	go func() {
		_, err := call(context.Background(), conn, "block")
		errc <- err
	}()
	select {
	case <-r.e.entered:
	case <-time.After(waitFor):
		t.Fatal("the blocking call never reached its handler")
	}
	r.stop()
	err = r.wait(t)
	if !errors.Is(err, lifecycle.ErrShutdownTimeout) || !strings.Contains(err.Error(), "api") {
		t.Errorf("Run = %v, want a timeout naming api", err)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Error("the call cut short succeeded")
		}
	case <-time.After(waitFor):
		t.Error("the call cut short never returned")
	}
}

// TestNew_watch checks that a Watch stream sees SERVING, then NOT_SERVING
// at the stop, and ends without holding the stop.
func TestNew_watch(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 10 * time.Second, DrainDelay: 3 * time.Second, DrainMin: 100 * time.Millisecond}, logging.Config{}, nil, nil, grpcserve.WithListener(ln))
	conn := dial(t, ln.Addr().String())
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)
	w, err := healthpb.NewHealthClient(conn).Watch(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := w.Recv(); err != nil || m.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("first Watch status %v, %v; want SERVING", m.GetStatus(), err)
	}
	stopped := time.Now()
	r.stop()
	if m, err := w.Recv(); err != nil || m.GetStatus() != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Fatalf("Watch status at the stop %v, %v; want NOT_SERVING", m.GetStatus(), err)
	}
	if err := r.wait(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if d := time.Since(stopped); d > 5*time.Second {
		t.Errorf("the stop took %s with a Watch stream open, want it not held", d)
	}
	for {
		if _, err := w.Recv(); err != nil {
			break
		}
	}
}

// TestNew_errors checks the misuses.
func TestNew_errors(t *testing.T) {
	if _, err := grpcserve.New(nil, nil); err == nil || !strings.Contains(err.Error(), "nil group") {
		t.Errorf("New(nil) = %v", err)
	}
	g := lifecycle.New(lifecycle.Config{})
	g.Go("grpc", func(ctx context.Context) error { return nil })
	if _, err := grpcserve.New(g, nil); err == nil {
		t.Error("New with a name already used: nil error")
	}
}

// TestNew_addr checks WithAddr: the server listens there and logs it, and
// the group's HTTP probes take PORT.
func TestNew_addr(t *testing.T) {
	port, addr := testkit.FreePort(t), "127.0.0.1:"+strconv.Itoa(testkit.FreePort(t))
	r := start(t, lifecycle.Config{Port: port, ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil, grpcserve.WithAddr(addr))
	waitHealth(t, dial(t, addr), healthpb.HealthCheckResponse_SERVING)
	hc := &http.Client{Timeout: 2 * time.Second}
	resp, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", port))
	if err != nil {
		t.Fatalf("HTTP /readyz on PORT beside a server on another address: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/readyz on PORT = %d, want 200", resp.StatusCode)
	}
	found := false
	for _, e := range r.logs.events(t, "listening") {
		found = found || e["actor"] == "grpc" && e["addr"] == addr
	}
	if !found {
		t.Errorf("no listening event for grpc at %s: %v", addr, r.logs.events(t, "listening"))
	}
	r.stop()
	if err := r.wait(t); err != nil {
		t.Fatalf("Run = %v", err)
	}
}

// TestNew_portTaken checks that a PORT already taken fails Run with an
// error naming the server.
func TestNew_portTaken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := start(t, lifecycle.Config{Port: ln.Addr().(*net.TCPAddr).Port, ShutdownTimeout: 2 * time.Second}, logging.Config{}, nil, nil)
	if err := r.wait(t); err == nil || !strings.Contains(err.Error(), `"grpc"`) {
		t.Errorf("Run with PORT taken = %v, want an error naming grpc", err)
	}
}

// spanTagger puts a fixed OpenTelemetry span context in each call's
// context, as otelgrpc's stats handler puts the server span there.
type spanTagger struct{ sc oteltrace.SpanContext }

func (s spanTagger) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context {
	return oteltrace.ContextWithSpanContext(ctx, s.sc)
}
func (spanTagger) HandleRPC(context.Context, stats.RPCStats) {}
func (spanTagger) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (spanTagger) HandleConn(context.Context, stats.ConnStats) {}

// TestNew_otelSpan checks that the span of the call's context wins over
// the caller's traceparent, as the server span of a tracer should.
func TestNew_otelSpan(t *testing.T) {
	sc := oteltrace.NewSpanContext(oteltrace.SpanContextConfig{
		TraceID:    oteltrace.TraceID{0x11, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		SpanID:     oteltrace.SpanID{0x22, 1, 2, 3, 4, 5, 6, 7},
		TraceFlags: oteltrace.FlagsSampled,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil,
		grpcserve.WithListener(ln), grpcserve.WithServerOptions(grpc.StatsHandler(spanTagger{sc})))
	conn := dial(t, ln.Addr().String())
	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if _, err := call(ctx, conn, "hi"); err != nil {
		t.Fatal(err)
	}
	e := r.logs.waitEvents(t, "request", 1)[0]
	if e["trace_id"] != sc.TraceID().String() || e["span_id"] != sc.SpanID().String() || e["trace_sampled"] != true {
		t.Errorf("event %v, want the span's trace %s and span %s", e, sc.TraceID(), sc.SpanID())
	}
}

// TestNew_healthList checks List and Watch of an unknown service.
func TestNew_healthList(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil, grpcserve.WithListener(ln))
	conn := dial(t, ln.Addr().String())
	waitHealth(t, conn, healthpb.HealthCheckResponse_SERVING)
	hc := healthpb.NewHealthClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	list, err := hc.List(ctx, &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "test.Echo", "grpc.health.v1.Health"} {
		if st := list.GetStatuses()[name].GetStatus(); st != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("List[%q] = %v, want SERVING", name, st)
		}
	}
	w, err := hc.Watch(ctx, &healthpb.HealthCheckRequest{Service: "no.Such"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err := w.Recv(); err != nil || m.GetStatus() != healthpb.HealthCheckResponse_SERVICE_UNKNOWN {
		t.Errorf("Watch of an unknown service: %v, %v; want SERVICE_UNKNOWN", m.GetStatus(), err)
	}
	cancel()
	for {
		if _, err := w.Recv(); err != nil {
			break
		}
	}
}

// TestNew_badMetadata checks that a malformed request ID is replaced and
// that a malformed or repeated traceparent gives no trace, never logged.
func TestNew_badMetadata(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, lifecycle.Config{ShutdownTimeout: 5 * time.Second}, logging.Config{}, nil, nil, grpcserve.WithListener(ln))
	conn := dial(t, ln.Addr().String())
	const valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	cases := []struct {
		name string
		md   []string
	}{
		{"id with a space, uppercase traceparent", []string{"x-request-id", "bad id", "traceparent", strings.ToUpper(valid)}},
		{"id too long, repeated traceparent", []string{"x-request-id", strings.Repeat("a", 201), "traceparent", valid, "traceparent", valid}},
		{"version ff", []string{"traceparent", "ff" + valid[2:]}},
	}
	for i, tc := range cases {
		var header metadata.MD
		ctx := metadata.AppendToOutgoingContext(context.Background(), tc.md...)
		if _, err := call(ctx, conn, "hi", grpc.Header(&header)); err != nil {
			t.Fatal(err)
		}
		id := header.Get("x-request-id")
		e := r.logs.waitEvents(t, "request", i+1)[i]
		if len(id) != 1 || len(id[0]) != 36 || e["request_id"] != id[0] {
			t.Errorf("%s: ID sent back %v, logged %v; want one new UUID", tc.name, id, e["request_id"])
		}
		if _, ok := e["trace_id"]; ok {
			t.Errorf("%s: event %v has a trace", tc.name, e)
		}
	}
	if strings.Contains(r.logs.text(), "bad id") || strings.Contains(r.logs.text(), "4BF92F") {
		t.Error("a malformed value was logged")
	}
}
