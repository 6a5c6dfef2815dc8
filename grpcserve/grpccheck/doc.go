// Package grpccheck checks a gRPC service binary from outside, as a
// platform and a gRPC-aware balancer see it, with grpc-go's own client: the
// gRPC counterpart of github.com/twelvekit/twelvekit/processtest, whose
// [processtest.Binary] and [processtest.Report] it shares. A service's own
// tests import it:
//
//	func TestContract(t *testing.T) {
//		bin := buildMyService(t) // go build -o ...
//		grpccheck.Run(t, processtest.Binary{Path: bin},
//			grpccheck.WithMethod("/helloworld.Greeter/SayHello",
//				&helloworld.HelloRequest{Name: "check"}, new(helloworld.HelloReply)))
//	}
//
// # The checks
//
//   - port: started with PORT set to a free port (and exactly the
//     variables of Binary.Env besides), the process accepts on it within the
//     start timeout (10 s).
//   - health: grpc.health.v1's Check on PORT answers SERVING within the
//     start timeout, and at its first SERVING a call of the load succeeds:
//     the service never says SERVING before it can serve. A service with no
//     health service fails, saying so, and so does a process that accepts on
//     PORT but does not speak gRPC there (an HTTP/1 server: check it with
//     processtest).
//   - rolling-stop: a steady load (200 calls/s from 8 callers on one
//     connection; the health service's Check by default, or the method of
//     [WithMethod]) runs behind a balancer model that asks the health
//     service every interval and removes the instance after fall answers in
//     a row that are not SERVING (2 s and 3, HAProxy's defaults;
//     [WithBalancer]). After the warmup (1 s), just after a poll of the
//     model, the process gets SIGTERM; the load stops sending when the
//     model removes the instance, as a balancer does. It passes when no call
//     failed, health stopped answering SERVING (watched every 10 ms) before
//     the listener closed, the model removed the instance before the
//     process stopped serving, and the process exited 0 within the grace
//     period (30 s). Figures: calls sent and failed (by status code), the
//     load's rate, and the times from SIGTERM to NOT_SERVING, to the
//     removal, to the listener closing and to the exit.
//
// A check that cannot run because an earlier one failed is skipped, saying
// why. Every wait is bounded; the kit connects to 127.0.0.1 only and kills
// only the process group it started.
package grpccheck
