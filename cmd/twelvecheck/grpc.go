package main

import (
	"context"
	"io"
	"time"

	"github.com/twelvekit/twelvekit/grpcserve/grpccheck"
	"github.com/twelvekit/twelvekit/processtest"
)

// grpcOptions are the flags that apply to a gRPC binary, as grpccheck's
// options.
func grpcOptions(interval time.Duration, fall int, tight bool, grace, start time.Duration, rate, workers int) []grpccheck.Option {
	if tight {
		interval, fall = time.Second, 1
	}
	return []grpccheck.Option{
		grpccheck.WithBalancer(interval, fall),
		grpccheck.WithGracePeriod(grace),
		grpccheck.WithStartTimeout(start),
		grpccheck.WithLoadRate(rate, workers),
	}
}

// runGRPC checks a gRPC binary: its port, its health service and a rolling
// stop under gRPC load.
func runGRPC(ctx context.Context, bin processtest.Binary, opts []grpccheck.Option, asJSON bool, stdout, stderr io.Writer) int {
	rep, err := grpccheck.Check(ctx, bin, opts...)
	return report(rep, err, asJSON, stdout, stderr)
}
