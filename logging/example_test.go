package logging_test

import (
	"context"
	"encoding/json"
	"fmt"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/logging"
)

// exampleClock is the clock of the Examples, so that their output is the same
// on every run.
func exampleClock() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }

// New builds the process's logger from its Config. In a service the Config
// comes from the environment and the events go to stdout; here the
// environment is a map and the clock is fixed, so the output is always the
// same.
func ExampleNew() {
	type Config struct {
		Logging logging.Config
	}
	env := map[string]string{
		"LOG_LEVEL":    "info",
		"SERVICE_NAME": "shop",
		"RELEASE":      "4f2a9c1",
		"DYNO":         "web.1",
	}
	cfg, err := config.Load[Config](config.WithEnvironment(env))
	if err != nil {
		fmt.Println(err)
		return
	}
	log := logging.New(cfg.Logging,
		logging.WithWriter(os.Stdout),
		logging.WithEnvironment(env),
		logging.WithClock(exampleClock),
	)
	defer log.Sync()

	log.Info("order placed", zap.Int("order", 42), zap.Duration("took", 1500*time.Millisecond))
	log.Debug("not written: the level is info")
	// Output:
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"order placed","service":"shop","release":"4f2a9c1","instance":"web.1","order":42,"took":1.5}
}

// With LOG_KEYS=gcp the events use the names Google Cloud Logging reads:
// time, severity and message.
func ExampleNew_gcp() {
	log := logging.New(logging.Config{Keys: logging.KeysGCP, Service: "shop"},
		logging.WithWriter(os.Stdout),
		logging.WithEnvironment(map[string]string{"K_REVISION": "shop-00042-xyz"}),
		logging.WithClock(exampleClock),
	)
	log.Warn("stock low", zap.Int("left", 3))
	// Output:
	// {"severity":"WARNING","time":"2026-01-02T15:04:05Z","message":"stock low","service":"shop","release":"shop-00042-xyz","left":3}
}

// NewSlog gives code that uses log/slog a logger on the same stream and the
// same level as the zap logger.
func ExampleNewSlog() {
	log := logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(os.Stdout),
		logging.WithEnvironment(nil),
		logging.WithClock(exampleClock),
	)
	sl := logging.NewSlog(log)

	sl.Info("payment captured",
		slog.Int("order", 42),
		slog.Group("card", slog.String("brand", "visa"), slog.String("last4", "4242")),
		slog.Any("api_key", config.NewSecret("sk_live_123")), // redacts itself
	)
	sl.With("worker", 3).WithGroup("job").Warn("retrying", "attempt", 2)
	sl.Debug("not written: the level is info")
	// Output:
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"payment captured","service":"shop","order":42,"card":{"brand":"visa","last4":"4242"},"api_key":"[REDACTED]"}
	// {"level":"warn","ts":"2026-01-02T15:04:05Z","msg":"retrying","service":"shop","worker":3,"job":{"attempt":2}}
}

// Middleware logs one event per request and gives the handler a logger that
// carries the request's ID. The duration varies from run to run, so this
// Example prints the other fields.
func ExampleMiddleware() {
	var out strings.Builder
	log := logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(&out),
		logging.WithEnvironment(nil),
		logging.WithClock(exampleClock),
	)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		logging.FromContext(r.Context()).Info("loading order", zap.String("id", r.PathValue("id")))
		fmt.Fprintln(w, "order", r.PathValue("id"))
	})
	handler := logging.Middleware(log, logging.WithSkipPaths("/healthz"))(mux)

	req := httptest.NewRequest(http.MethodGet, "/orders/42?token=never-logged", nil)
	req.Header.Set("X-Request-ID", "req-7f3a")
	req.Header.Set("Authorization", "Bearer never-logged")
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)

	fmt.Println("response X-Request-ID:", rec.Header().Get("X-Request-ID"))
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev map[string]any
		_ = json.Unmarshal([]byte(line), &ev)
		delete(ev, "duration")
		delete(ev, "ts")
		b, _ := json.Marshal(ev) // sorted keys
		fmt.Println(string(b))
	}
	// Output:
	// response X-Request-ID: req-7f3a
	// {"id":"42","level":"info","msg":"loading order","request_id":"req-7f3a","service":"shop"}
	// {"bytes":9,"level":"info","method":"GET","msg":"request","path":"/orders/42","remote_addr":"192.0.2.1:1234","request_id":"req-7f3a","route":"GET /orders/{id}","service":"shop","status":200,"user_agent":""}
}

// LevelHandler shows and changes the level of the whole process at run
// time: here through httptest, in a service on an internal port.
func ExampleLevelHandler() {
	log := logging.New(logging.Config{Level: logging.LevelInfo, Service: "shop"},
		logging.WithWriter(os.Stdout),
		logging.WithEnvironment(nil),
		logging.WithClock(exampleClock),
	)
	levels := logging.LevelHandler(log)
	call := func(method, body string) {
		rec := httptest.NewRecorder()
		levels.ServeHTTP(rec, httptest.NewRequest(method, "/debug/level", strings.NewReader(body)))
		fmt.Print(method, " ", rec.Code, " ", rec.Body.String())
	}

	log.Debug("not written yet")
	call(http.MethodGet, "")
	call(http.MethodPut, `{"level":"debug"}`)
	log.Debug("written now")
	call(http.MethodPut, `{"level":"verbose"}`)
	// Output:
	// GET 200 {"level":"info"}
	// {"level":"info","ts":"2026-01-02T15:04:05Z","msg":"log level changed","service":"shop","from":"info","to":"debug"}
	// PUT 200 {"level":"debug"}
	// {"level":"debug","ts":"2026-01-02T15:04:05Z","msg":"written now","service":"shop"}
	// PUT 400 {"error":"logging: no valid level in the body; want one of debug, info, warn, error, as {\"level\":\"debug\"}"}
}

// RedirectStdLog sends the standard library's log package, used by older
// libraries and by net/http's own error messages, into the stream.
func ExampleRedirectStdLog() {
	log := logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(os.Stdout),
		logging.WithEnvironment(nil),
		logging.WithClock(exampleClock),
	)
	restore := logging.RedirectStdLog(log, logging.LevelWarn)
	defer restore()

	stdlog.Printf("cache: %d entries evicted", 12)
	// Output:
	// {"level":"warn","ts":"2026-01-02T15:04:05Z","msg":"cache: 12 entries evicted","service":"shop"}
}

// A library that logs through the request's logger when there is one, and
// through its own otherwise.
func ExampleLookupLogger() {
	own := zap.NewExample()
	logFor := func(ctx context.Context) *zap.Logger {
		if log, ok := logging.LookupLogger(ctx); ok {
			return log
		}
		return own
	}
	logFor(context.Background()).Info("no request: the library's own logger")
	logFor(logging.NewContext(context.Background(), own.With(zap.String("job", "42")))).Info("the job's logger")
	// Output:
	// {"level":"info","msg":"no request: the library's own logger"}
	// {"level":"info","msg":"the job's logger","job":"42"}
}
