// Package grpc proves the gRPC wiring of github.com/twelvekit/twelvekit/grpcserve
// on lifecycle's serving actors with a real gRPC server
// (google.golang.org/grpc), across the process boundary: the test
// re-executes itself as a service whose only serving actor is a grpc.Server
// on PORT, signals it, and checks from outside, with grpc-go's client, that
// the health service said SERVING once ready and NOT_SERVING from SIGTERM
// on, that the drain applied (calls kept succeeding after SIGTERM until a
// client following the health service stopped sending, and it ended once
// they stopped), that the call in flight finished through GracefulStop, and
// that the process exited 0.
//
// It lives in a module of its own so that the root module never requires
// gRPC.
package grpc
