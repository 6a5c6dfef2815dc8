//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/examples/helloworld/helloworld"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/twelvekit/twelvekit/grpcserve/grpccheck"
	"github.com/twelvekit/twelvekit/processtest"
)

// patience bounds every wait of the tests.
const patience = 20 * time.Second

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// build builds greeter once per test process, into a temporary directory
// TestMain removes.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() { binPath, _, buildErr = testkit.BuildMain(".") })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// instance is a running greeter (killed with its process group when the
// test ends) on its port.
type instance struct {
	*testkit.Proc
	t    *testing.T
	port int
}

// startGreeter runs the binary with PORT and the extra variables.
func startGreeter(t *testing.T, env ...string) *instance {
	t.Helper()
	return startAt(t, testkit.FreePort(t), env...)
}

// startAt runs the binary with PORT=port and the extra variables.
func startAt(t *testing.T, port int, env ...string) *instance {
	t.Helper()
	cmd := exec.Command(build(t))
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(port)}, env...)
	return &instance{Proc: testkit.Start(t, cmd), t: t, port: port}
}

// logged returns the events with message msg written so far; a line of
// stdout that is not a JSON object fails the test.
func (in *instance) logged(msg string) []map[string]any {
	in.t.Helper()
	var out []map[string]any
	for _, e := range testkit.Events(in.t, in.Stdout()) {
		if e["msg"] == msg || e["message"] == msg {
			out = append(out, e)
		}
	}
	return out
}

// waitLogged waits until n events with message msg are logged.
func (in *instance) waitLogged(t *testing.T, msg string, n int) []map[string]any {
	t.Helper()
	testkit.Eventually(t, patience, fmt.Sprintf("%d %q events", n, msg), func() bool { return len(in.logged(msg)) >= n })
	return in.logged(msg)
}

// dial connects to the instance and waits until its health is SERVING.
func (in *instance) dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:"+strconv.Itoa(in.port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var resp *healthpb.HealthCheckResponse
	if !testkit.Within(patience, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		resp, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
	}) {
		t.Fatalf("health not SERVING within %s: %v %v", patience, resp.GetStatus(), err)
	}
	return conn
}

func (in *instance) stop(t *testing.T) int {
	t.Helper()
	if err := in.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, ok := in.Wait(patience)
	if !ok {
		t.Fatalf("still running %s after SIGTERM", patience)
	}
	return code
}

func sayHello(ctx context.Context, conn *grpc.ClientConn, name string, opts ...grpc.CallOption) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, patience)
	defer cancel()
	r, err := helloworld.NewGreeterClient(conn).SayHello(ctx, &helloworld.HelloRequest{Name: name}, opts...)
	return r.GetMessage(), err
}

// TestGreeter_contract checks port, health and a rolling stop under
// SayHello load behind a balancer that follows the health service.
func TestGreeter_contract(t *testing.T) {
	t.Parallel()
	grpccheck.Run(t, processtest.Binary{Path: build(t), Env: map[string]string{"PATH": os.Getenv("PATH")}},
		grpccheck.WithMethod("/helloworld.Greeter/SayHello", &helloworld.HelloRequest{Name: "check"}, new(helloworld.HelloReply)),
		grpccheck.WithBalancer(500*time.Millisecond, 2))
}

// TestGreeter_logs checks the reply, the request ID sent back and the one
// event per call with the caller's request ID and trace, under both key
// presets, and that stdout holds only JSON events.
func TestGreeter_logs(t *testing.T) {
	t.Parallel()
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	for _, tc := range []struct {
		name     string
		env      []string
		traceKey string
		trace    string
	}{
		{"zap keys", nil, "trace_id", traceID},
		{"gcp keys", []string{"LOG_KEYS=gcp", "GOOGLE_CLOUD_PROJECT=greet-1"}, "logging.googleapis.com/trace", "projects/greet-1/traces/" + traceID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			// One call tells the drain little of the traffic: DRAIN_DELAY
			// bounds the wait at the stop, which this test does not study.
			in := startGreeter(t, append([]string{"LOG_LEVEL=debug", "DRAIN_DELAY=1s"}, tc.env...)...)
			conn := in.dial(t)
			ctx := metadata.AppendToOutgoingContext(context.Background(),
				"x-request-id", "greet-42", "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
			var header metadata.MD
			msg, err := sayHello(ctx, conn, "Ada", grpc.Header(&header))
			if err != nil || msg != "Hello Ada" {
				t.Fatalf("SayHello = %q, %v; want Hello Ada", msg, err)
			}
			if got := header.Get("x-request-id"); len(got) != 1 || got[0] != "greet-42" {
				t.Errorf("x-request-id sent back %v, want greet-42", got)
			}
			ev := in.waitLogged(t, "request", 1)
			if len(ev) != 1 {
				t.Fatalf("%d request events for one call: %v", len(ev), ev)
			}
			e := ev[0]
			if e["request_id"] != "greet-42" || e[tc.traceKey] != tc.trace || e["method"] != "/helloworld.Greeter/SayHello" || e["code"] != "OK" {
				t.Errorf("event %v: want request_id greet-42, %s %s, the method and OK", e, tc.traceKey, tc.trace)
			}
			if g := in.waitLogged(t, "greeting", 1)[0]; g["request_id"] != "greet-42" || g[tc.traceKey] != tc.trace {
				t.Errorf("the handler's event %v lacks the call's IDs", g)
			}
			if code := in.stop(t); code != 0 {
				t.Errorf("exit code %d after SIGTERM, want 0", code)
			}
			testkit.Events(t, in.Stdout()) // fails on a line that is not JSON
		})
	}
}

// TestGreeter_panic checks that a panicking handler answers Internal, is
// logged once with its stack, and that the process goes on.
func TestGreeter_panic(t *testing.T) {
	t.Parallel()
	in := startGreeter(t, "GREETER_PANIC_NAME=boom")
	conn := in.dial(t)
	if _, err := sayHello(context.Background(), conn, "boom"); status.Code(err) != codes.Internal {
		t.Fatalf("SayHello(boom) = %v, want Internal", err)
	}
	if msg, err := sayHello(context.Background(), conn, "Grace"); err != nil || msg != "Hello Grace" {
		t.Fatalf("SayHello after the panic = %q, %v; want the process to go on", msg, err)
	}
	ev := in.waitLogged(t, "request", 2)
	e := ev[0]
	st, _ := e["stacktrace"].(string)
	if e["level"] != "error" || e["code"] != "Internal" || !strings.Contains(e["panic"].(string), "asked to panic") || !strings.Contains(st, "SayHello") {
		t.Errorf("panic event %v: want error, Internal, the panic and a stack through SayHello", e)
	}
	n := 0
	for _, l := range testkit.Events(t, in.Stdout()) {
		if b, _ := json.Marshal(l); strings.Contains(string(b), "asked to panic") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the panic appears in %d events, want 1", n)
	}
	if code := in.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
