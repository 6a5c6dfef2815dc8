//go:build unix

package grpccheck_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/grpcserve/grpccheck"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"github.com/twelvekit/twelvekit/processtest"
)

const childEnv = "GRPCCHECK_CHILD"

// TestChild is the service the tests check, run in a child process;
// skipped in a normal run.
func TestChild(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "grpcserve":
		os.Exit(goodService())
	case "nodrain":
		os.Exit(badService())
	case "http":
		_ = http.ListenAndServe(":"+os.Getenv("PORT"), http.NotFoundHandler())
		os.Exit(1)
	}
	t.Skip("the service the tests of grpccheck start")
}

// goodService serves with grpcserve on PORT.
func goodService() int {
	port, _ := strconv.Atoi(os.Getenv("PORT"))
	log := logging.New(logging.Config{})
	g := lifecycle.New(lifecycle.Config{Port: port, ShutdownTimeout: 10 * time.Second, DrainDelay: 5 * time.Second, DrainMin: time.Second}, lifecycle.WithLogger(log))
	if _, err := grpcserve.New(g, log); err != nil {
		return 1
	}
	return lifecycle.ExitCode(g.Run(context.Background()))
}

// badService is a gRPC server with a health service that always says
// SERVING and a stop with no drain: Stop at SIGTERM.
func badService() int {
	ln, err := net.Listen("tcp", ":"+os.Getenv("PORT"))
	if err != nil {
		return 1
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, health.NewServer())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	go func() { <-sigs; srv.Stop() }()
	_ = srv.Serve(ln)
	return 0
}

func child(kind string) processtest.Binary {
	return processtest.Binary{Path: os.Args[0], Args: []string{"-test.run=^TestChild$"},
		Env: map[string]string{childEnv: kind, "PATH": os.Getenv("PATH")}}
}

func TestCheck_grpcserve(t *testing.T) {
	t.Parallel()
	rep := grpccheck.Run(t, child("grpcserve"), grpccheck.WithBalancer(300*time.Millisecond, 2))
	if !rep.Passed() || len(rep.Results) != 3 {
		t.Fatalf("report:\n%s", rep)
	}
	rs, _ := rep.Result(grpccheck.CheckRollingStop)
	if rs.Figures["sent"] < 150 || rs.Figures["to_removed_ms"] <= 0 {
		t.Errorf("rolling stop figures %v: want a steady load and a removal", rs.Figures)
	}
}

func TestCheck_noDrain(t *testing.T) {
	t.Parallel()
	rep, err := grpccheck.Check(context.Background(), child("nodrain"), grpccheck.WithBalancer(300*time.Millisecond, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []processtest.CheckName{grpccheck.CheckPort, grpccheck.CheckHealth} {
		if r, _ := rep.Result(name); r.Status != processtest.Pass {
			t.Errorf("%s: %v, want pass", name, r)
		}
	}
	rs, _ := rep.Result(grpccheck.CheckRollingStop)
	if rs.Status != processtest.Fail || len(rs.Problems) < 2 || rs.Figures["failed"] == 0 {
		t.Errorf("rolling stop of a server with no drain: %+v, want it failed", rs)
	}
	t.Logf("report:\n%s", rep)
}

func TestCheck_notGRPC(t *testing.T) {
	t.Parallel()
	rep, err := grpccheck.Check(context.Background(), processtest.Binary{Path: "/bin/sleep", Args: []string{"60"}},
		grpccheck.WithStartTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := rep.Result(grpccheck.CheckPort); r.Status != processtest.Fail {
		t.Errorf("port of a process that listens nowhere: %+v, want fail", r)
	}
	if r, _ := rep.Result(grpccheck.CheckRollingStop); r.Status != processtest.Skip {
		t.Errorf("rolling stop after a failed port: %+v, want skip", r)
	}
	if _, err := grpccheck.Check(context.Background(), processtest.Binary{Path: "/no/such/binary"}); err == nil {
		t.Error("Check of a missing binary: nil error")
	}
}

func TestCheck_http(t *testing.T) {
	t.Parallel()
	rep, err := grpccheck.Check(context.Background(), child("http"), grpccheck.WithStartTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := rep.Result(grpccheck.CheckPort); r.Status != processtest.Pass {
		t.Errorf("port of an HTTP server: %+v, want pass", r)
	}
	r, _ := rep.Result(grpccheck.CheckHealth)
	if r.Status != processtest.Fail || len(r.Problems) != 1 || !strings.Contains(r.Problems[0], "does not speak gRPC") {
		t.Errorf("health of an HTTP server: %+v, want a failure saying it does not speak gRPC", r)
	}
	if r, _ := rep.Result(grpccheck.CheckRollingStop); r.Status != processtest.Skip {
		t.Errorf("rolling stop of an HTTP server: %+v, want skip", r)
	}
}
