//go:build !race

// The race detector allocates, so allocation counts are checked only in a
// build without it: test.sh runs the tests of this file again without
// -race.

package logging_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/logging"
)

func TestNewSlog_disabledDebugAllocatesNothing(t *testing.T) {
	log := logging.New(logging.Config{Level: logging.LevelInfo}, logging.WithWriter(io.Discard), logging.WithEnvironment(nil))
	sl := logging.NewSlog(log).With("component", "orders")
	ctx := context.Background()
	for name, f := range map[string]func(){
		"Debug":        func() { sl.Debug("not logged", "order", 42, "user", "ann") },
		"DebugContext": func() { sl.DebugContext(ctx, "not logged", "order", 42) },
		"LogAttrs": func() {
			sl.LogAttrs(ctx, slog.LevelDebug, "not logged", slog.Int("order", 42), slog.String("user", "ann"))
		},
		"Log below info": func() { sl.Log(ctx, slog.LevelInfo-1, "not logged") },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s: a disabled call makes %v allocations, want 0", name, n)
		}
	}
}

// eightFields is the benchmark's event: 8 typed fields.
func eightFields(l *zap.Logger) {
	l.Info("order placed",
		zap.String("order_id", "ord_4f2a9c1e"),
		zap.Int("items", 3),
		zap.Float64("amount", 129.95),
		zap.String("currency", "EUR"),
		zap.Bool("gift", false),
		zap.Duration("took", 1500*time.Microsecond),
		zap.String("customer", "cus_81b0"),
		zap.Int64("attempt", 1),
	)
}

func TestNew_allocatesLikeZap(t *testing.T) {
	ours := logging.New(logging.Config{}, logging.WithWriter(io.Discard), logging.WithEnvironment(testEnv()))
	raw := zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(zapcore.AddSync(io.Discard)),
		zap.InfoLevel,
	))
	got := testing.AllocsPerRun(1000, func() { eightFields(ours) })
	want := testing.AllocsPerRun(1000, func() { eightFields(raw) })
	if got != want {
		t.Errorf("an event with 8 fields makes %v allocations, want %v as with a hand-built zap core", got, want)
	}
}

// discardWriter is a response writer that allocates nothing.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

func TestMiddleware_allocations(t *testing.T) {
	log := logging.New(logging.Config{}, logging.WithWriter(io.Discard), logging.WithEnvironment(nil))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok"))
	})
	wrapped := logging.Middleware(log)(mux)
	w := &discardWriter{h: make(http.Header)}
	withID := httptest.NewRequest(http.MethodGet, "/orders/7", nil)
	withID.Header.Set("X-Request-ID", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b")
	withoutID := httptest.NewRequest(http.MethodGet, "/orders/7", nil)
	traced := httptest.NewRequest(http.MethodGet, "/orders/7", nil)
	traced.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")

	bare := testing.AllocsPerRun(1000, func() { mux.ServeHTTP(w, withoutID) })
	for _, tt := range []struct {
		name string
		r    *http.Request
		max  float64
	}{
		{"incoming ID", withID, 2},
		{"new ID", withoutID, 2},
		{"new ID and a trace", traced, 2},
	} {
		got := testing.AllocsPerRun(1000, func() { wrapped.ServeHTTP(w, tt.r) }) - bare
		if got > tt.max {
			t.Errorf("%s: the middleware adds %v allocations to the bare handler's %v, want at most %v", tt.name, got, bare, tt.max)
		}
	}
}

func TestNewSlog_contextDisabledAllocatesNothing(t *testing.T) {
	log, _ := newLogger(logging.Config{})
	sl := logging.NewSlog(log)
	ctx := logging.NewContext(context.Background(), log.With(zap.String("job_id", "j-7")))
	if n := testing.AllocsPerRun(1000, func() { sl.DebugContext(ctx, "not logged", "k", 1) }); n != 0 {
		t.Errorf("a disabled call with a context makes %v allocations, want 0", n)
	}
	if n := testing.AllocsPerRun(1000, func() { sl.LogAttrs(ctx, slog.LevelInfo, "logged", slog.Int("k", 1)) }); n != 0 {
		t.Errorf("an enabled call with a context's fields makes %v allocations, want 0", n)
	}
	var rctx context.Context
	logging.Middleware(log)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { rctx = r.Context() })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if n := testing.AllocsPerRun(1000, func() { sl.LogAttrs(rctx, slog.LevelInfo, "logged", slog.Int("k", 1)) }); n != 0 {
		t.Errorf("an enabled call with a request's context makes %v allocations, want 0", n)
	}
}
