package logging_test

import (
	"context"
	"net/http"
	"os"

	"github.com/twelvekit/twelvekit/logging"
)

// A consumer makes a message's request context from its headers, as the
// HTTP middleware does for a request: the handler's events and slog records
// carry the message's request ID and trace.
func ExampleNewRequestContext() {
	log := logging.New(logging.Config{Service: "billing"},
		logging.WithWriter(os.Stdout), logging.WithEnvironment(nil), logging.WithClock(exampleClock))
	headers := http.Header{} // a NATS message's headers, an AMQP table, Kafka record headers...
	headers.Set("X-Request-ID", "req-42")
	headers.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")

	var tr logging.Trace
	if v := headers.Values("Traceparent"); len(v) == 1 {
		tr, _ = logging.ParseTraceparent(v[0]) // not valid: no trace
	}
	ctx := logging.NewRequestContext(context.Background(), log, headers.Get("X-Request-ID"), tr)

	logging.NewSlog(log).InfoContext(ctx, "invoice sent", "invoice", 7)
	logging.FromContext(ctx).Info("message handled")
	// Output:
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"invoice sent","service":"billing","request_id":"req-42","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_sampled":true,"invoice":7}
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"message handled","service":"billing","request_id":"req-42","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","trace_sampled":true}
}
