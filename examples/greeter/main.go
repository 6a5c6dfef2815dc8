// Command greeter is a gRPC-only twelvekit process: helloworld.Greeter
// (google.golang.org/grpc/examples/helloworld) on $PORT (8080 when unset),
// grpc.health.v1 on the same port tied to readiness, one JSON event per
// call on stdout, config from the environment and a graceful stop on
// SIGTERM that loses no call. It serves no HTTP, unless MANAGEMENT_PORT
// asks for the HTTP probes.
//
//	go run .
//	grpcurl -plaintext -d '{"name":"Ada"}' localhost:8080 helloworld.Greeter/SayHello
//	grpc-health-probe -addr localhost:8080
package main

import (
	"context"
	"fmt"
	"os"

	"google.golang.org/grpc/examples/helloworld/helloworld"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// Config is every variable greeter reads.
type Config struct {
	Lifecycle lifecycle.Config // PORT, MANAGEMENT_PORT, SHUTDOWN_TIMEOUT, DRAIN_*
	Logging   logging.Config   // LOG_LEVEL, LOG_FORMAT, LOG_KEYS...
	// PanicName lets an operator see the panic recovery at work.
	PanicName string `env:"GREETER_PANIC_NAME" desc:"a name whose greeting panics, to see the panic recovery at work (the call gets Internal, the process goes on); unset for none"`
}

func main() { os.Exit(run()) }

func run() int {
	cfg, err := config.Load[Config](config.WithDotEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return lifecycle.ExitCode(err) // 78, EX_CONFIG
	}
	log := logging.New(cfg.Logging)
	defer log.Sync()

	g := lifecycle.New(cfg.Lifecycle, lifecycle.WithLogger(log))
	srv, err := grpcserve.New(g, log)
	if err != nil {
		return lifecycle.ExitCode(err)
	}
	helloworld.RegisterGreeterServer(srv, greeter{panicName: cfg.PanicName})
	return lifecycle.ExitCode(g.Run(context.Background()))
}

// greeter implements helloworld.Greeter.
type greeter struct {
	helloworld.UnimplementedGreeterServer
	panicName string
}

// SayHello answers "Hello " and the name.
func (s greeter) SayHello(ctx context.Context, req *helloworld.HelloRequest) (*helloworld.HelloReply, error) {
	if s.panicName != "" && req.GetName() == s.panicName {
		panic("greeter: asked to panic for this name")
	}
	logging.FromContext(ctx).Debug("greeting")
	return &helloworld.HelloReply{Message: "Hello " + req.GetName()}, nil
}
