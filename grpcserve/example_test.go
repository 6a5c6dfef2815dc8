package grpcserve_test

import (
	"context"
	"os"
	"time"

	"google.golang.org/grpc"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// A gRPC-only process: the server on $PORT with health, call logs and the
// graceful stop; register the services, then run the group.
func ExampleNew() {
	log := logging.New(logging.Config{})
	g := lifecycle.New(lifecycle.Config{Port: 8080, ShutdownTimeout: 25 * time.Second}, lifecycle.WithLogger(log))
	srv, err := grpcserve.New(g, log, grpcserve.WithServerOptions(grpc.MaxRecvMsgSize(1<<20)))
	if err != nil {
		os.Exit(lifecycle.ExitCode(err))
	}
	srv.RegisterService(&echoDesc, &echo{}) // pb.RegisterGreeterServer(srv, greeter{}) with generated code
	os.Exit(lifecycle.ExitCode(g.Run(context.Background())))
}
