//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	buildOut  []byte
)

// build builds greeter once per test process, into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "greeter-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "greeter")
		buildOut, buildErr = exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	return binPath
}

// instance is a running greeter and its JSON events.
type instance struct {
	cmd    *exec.Cmd
	port   int
	mu     sync.Mutex
	events []map[string]any
	exited chan struct{}
	code   int
}

// startGreeter runs the binary with PORT and the extra variables.
func startGreeter(t *testing.T, env ...string) *instance {
	t.Helper()
	return startAt(t, testkit.FreePort(t), env...)
}

// startAt runs the binary with PORT=port and the extra variables. It keeps
// every event but the calls' own ("request") when env sets
// GREETER_TEST_QUIET.
func startAt(t *testing.T, port int, env ...string) *instance {
	t.Helper()
	in := &instance{port: port, exited: make(chan struct{})}
	quiet := slices.Contains(env, "GREETER_TEST_QUIET=1")
	in.cmd = exec.Command(build(t))
	in.cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(in.port)}, env...)
	in.cmd.Stderr = os.Stderr
	out, err := in.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"not_json": sc.Text()}
			}
			if quiet && m["msg"] == "request" && m["code"] == "OK" {
				continue
			}
			in.mu.Lock()
			in.events = append(in.events, m)
			in.mu.Unlock()
		}
		_ = in.cmd.Wait()
		in.code = in.cmd.ProcessState.ExitCode()
		close(in.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-in.exited:
		default:
			_ = in.cmd.Process.Kill()
			<-in.exited
		}
		if t.Failed() {
			in.mu.Lock()
			for _, e := range in.events {
				t.Log(e)
			}
			in.mu.Unlock()
		}
	})
	return in
}

// logged returns the events with message msg.
func (in *instance) logged(msg string) []map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	var out []map[string]any
	for _, e := range in.events {
		if e["msg"] == msg || e["message"] == msg {
			out = append(out, e)
		}
		if _, bad := e["not_json"]; bad && msg == "" {
			out = append(out, e)
		}
	}
	return out
}

// waitLogged polls until n events with message msg are logged.
func (in *instance) waitLogged(t *testing.T, msg string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(patience)
	for {
		if es := in.logged(msg); len(es) >= n {
			return es
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %q events within %s, want %d", len(in.logged(msg)), msg, patience, n)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

// dial connects to the instance and waits until its health is SERVING.
func (in *instance) dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///127.0.0.1:"+strconv.Itoa(in.port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	deadline := time.Now().Add(patience)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("health not SERVING within %s: %v %v", patience, resp.GetStatus(), err)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

func (in *instance) stop(t *testing.T) int {
	t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-in.exited:
		return in.code
	case <-time.After(patience):
		t.Fatalf("still running %s after SIGTERM", patience)
		return 0
	}
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
			if bad := in.logged(""); len(bad) > 0 {
				t.Errorf("stdout lines that are not JSON: %v", bad)
			}
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
	in.mu.Lock()
	n := 0
	for _, l := range in.events {
		if b, _ := json.Marshal(l); strings.Contains(string(b), "asked to panic") {
			n++
		}
	}
	in.mu.Unlock()
	if n != 1 {
		t.Errorf("the panic appears in %d events, want 1", n)
	}
	if code := in.stop(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
}
