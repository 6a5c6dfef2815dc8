// Package grpcserve makes a gRPC server (google.golang.org/grpc) as much a
// part of a twelvekit process as an HTTP one: served on PORT, ready when
// the group is, drained and stopped in the group's order, answering
// grpc.health.v1 from the group's readiness, and logging one event per call
// with the fields, keys and request context of logging.Middleware.
//
// It is a module of its own, so that the twelvekit module never requires
// grpc-go.
//
// # Wiring
//
// A process with a gRPC API, its config, logs and graceful stop:
//
//	type Config struct {
//		Lifecycle lifecycle.Config // PORT, MANAGEMENT_PORT, SHUTDOWN_TIMEOUT, DRAIN_*
//		Logging   logging.Config   // LOG_LEVEL, LOG_FORMAT, LOG_KEYS
//	}
//
//	func main() {
//		cfg, err := config.Load[Config]()
//		if err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(lifecycle.ExitCode(err))
//		}
//		log := logging.New(cfg.Logging)
//		g := lifecycle.New(cfg.Lifecycle, lifecycle.WithLogger(log))
//		srv, err := grpcserve.New(g, log)
//		if err == nil {
//			pb.RegisterGreeterServer(srv, greeter{})
//			err = g.Run(context.Background())
//		}
//		os.Exit(lifecycle.ExitCode(err))
//	}
//
// # Port and probes
//
// The server takes PORT, as Cloud Run and a Procfile's web process route to
// it; the group then starts no HTTP server there. Kubernetes' gRPC probes
// (grpc: {port: 8080}) and grpc-health-probe ask the health service. HTTP
// probes /livez and /readyz are served on MANAGEMENT_PORT when it is set,
// for balancers that need them. With [WithAddr] the server listens
// elsewhere and the group serves the HTTP probes on PORT as usual.
//
// # Health
//
// The grpc.health.v1.Health service answers SERVING for the server ("")
// and each of its services while the group is ready (every serving actor
// ready, startup functions done, every lifecycle Check passing) and
// NOT_SERVING otherwise, from the first moment of a stop; NotFound (Watch:
// SERVICE_UNKNOWN) for a service the server does not have. Its calls are
// probes, as /readyz is: not logged, not traffic, and a stop's drain waits
// until a recent prober has been answered NOT_SERVING.
//
// # Calls
//
// Every other call (unary or stream) counts as traffic for the drain and is
// logged once, when it ends, with the message "request" and these fields:
//
//	method      the full method, such as /helloworld.Greeter/SayHello
//	code        the status code's name, such as OK or Internal
//	duration    seconds from the start of the call to the handler's return
//	peer        the client's address
//	user_agent  the client's user-agent metadata
//	request_id  the request ID
//	trace_id, span_id, trace_sampled
//	            the call's trace (logging.googleapis.com/trace and its
//	            siblings under LOG_KEYS=gcp), when it has one
//
// The level is error for the codes that say the server failed (Unknown,
// DeadlineExceeded, Unimplemented, Internal, Unavailable, DataLoss), info
// for OK and warn for the others. The request ID is the x-request-id
// metadata when it is well formed, or a new UUID; it is sent back in the
// response's header metadata as x-request-id. The trace is the
// OpenTelemetry span the call's context carries (with otelgrpc's stats
// handler, see [WithServerOptions]), or else the traceparent metadata when
// there is exactly one and it is valid. The handler's context is a request
// context of logging.NewRequestContext: logging.FromContext,
// logging.RequestID, logging.TraceFromContext and the records of
// logging.NewSlog logged with it carry the same IDs.
//
// A panic in a handler is recovered: the call's event is logged at error
// with the panic value under "panic" and the stack, once, and the client
// gets codes.Internal; the process goes on.
package grpcserve
