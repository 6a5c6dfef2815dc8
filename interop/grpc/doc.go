// Package grpc proves lifecycle's Group.Serve with a real gRPC server
// (google.golang.org/grpc): the test re-executes itself as a service whose
// only serving actor is a grpc.Server, signals it, and checks from outside
// that readiness waited for it, that the probes were served on PORT with no
// net/http actor, that the drain applied (calls kept succeeding after
// SIGTERM and it ended once they stopped), that the call in flight finished
// through GracefulStop, and that the process exited 0.
//
// It lives in a module of its own so that the root module never requires
// gRPC.
package grpc
