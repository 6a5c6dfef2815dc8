package logging_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/twelvekit/twelvekit/logging"
)

// A request with a W3C traceparent header: the request's logger and the
// slog records a library logs with the request's context carry its trace,
// here with the keys Google Cloud Logging links to Cloud Trace.
func ExampleMiddleware_trace() {
	env := map[string]string{"GOOGLE_CLOUD_PROJECT": "shop-prod"}
	log := logging.New(logging.Config{Keys: logging.KeysGCP, Service: "shop"},
		logging.WithWriter(os.Stdout), logging.WithEnvironment(env), logging.WithClock(exampleClock))
	db := logging.NewSlog(log).With("component", "db") // a library on log/slog
	h := logging.Middleware(log, logging.WithSkipPaths("/orders"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		db.InfoContext(r.Context(), "query", "rows", 1)
	}))
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	r.Header.Set("X-Request-ID", "req-1")
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	// Output:
	// {"severity":"INFO","time":"2026-01-02T15:04:05Z","message":"query","service":"shop","component":"db","request_id":"req-1","logging.googleapis.com/trace":"projects/shop-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736","logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace_sampled":true,"rows":1}
}

// A worker puts a job's logger in its context; slog records logged with
// that context carry the job's fields.
func ExampleNewContext() {
	log := logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(os.Stdout), logging.WithEnvironment(nil), logging.WithClock(exampleClock))
	sl := logging.NewSlog(log)
	ctx := logging.NewContext(context.Background(), log.With(zapString("job_id", "j-7")))
	sl.InfoContext(ctx, "job done")
	// Output:
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"job done","service":"shop","job_id":"j-7"}
}

// SetLevel changes the level from code, for every logger that shares it,
// and says so in the stream.
func ExampleSetLevel() {
	log := logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(os.Stdout), logging.WithEnvironment(nil), logging.WithClock(exampleClock))
	log.Debug("not written")
	if err := logging.SetLevel(log, logging.LevelDebug); err != nil {
		fmt.Println(err)
	}
	log.Debug("written")
	// Output:
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"log level changed","service":"shop","from":"info","to":"debug"}
	// {"level":"debug","ts":"2026-01-02T15:04:05Z","msg":"written","service":"shop"}
}
