package loggingtest_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/logging"
	"github.com/twelvekit/twelvekit/logging/loggingtest"
)

func TestNew_records(t *testing.T) {
	t.Parallel()
	log, logs := loggingtest.New(t)
	log.Debug("debug too", zap.Int("n", 1))
	log.Named("orders").Warn("low stock", zap.String("sku", "a-1"))
	logging.NewSlog(log).Info("from slog", "user", "ann")
	logging.Middleware(log)(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))

	all := logs.All()
	var got []string
	for _, e := range all {
		got = append(got, fmt.Sprintf("%s %s %s", e.Level, e.LoggerName, e.Message))
	}
	want := "debug  debug too|warn orders low stock|info  from slog|warn  request"
	if strings.Join(got, "|") != want {
		t.Errorf("entries = %q, want %q", strings.Join(got, "|"), want)
	}
	if m := all[1].ContextMap(); m["sku"] != "a-1" {
		t.Errorf("fields = %v, want sku a-1", m)
	}
	if n := logs.FilterField(zap.String("user", "ann")).Len(); n != 1 {
		t.Errorf("FilterField found %d entries, want 1", n)
	}
	if n := logs.FilterLevelExact(zapcore.WarnLevel).Len(); n != 2 {
		t.Errorf("%d warn entries, want 2", n)
	}
	if !logging.NewSlog(log).Enabled(t.Context(), slog.LevelDebug) {
		t.Error("debug is not enabled")
	}
}

// fakeTB records what New does with its testing.TB.
type fakeTB struct {
	testing.TB
	failed   bool
	cleanups []func()
	logs     []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Failed() bool      { return f.failed }
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Logf(format string, args ...any) {
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func TestNew_printsEntriesWhenTheTestFails(t *testing.T) {
	t.Parallel()
	for _, failed := range []bool{false, true} {
		tb := &fakeTB{TB: t, failed: failed}
		log, _ := loggingtest.New(tb)
		log.Info("first", zap.Int("n", 1))
		log.Error("second")
		for _, fn := range tb.cleanups {
			fn()
		}
		switch {
		case !failed && len(tb.logs) != 0:
			t.Errorf("a passing test printed %q", tb.logs)
		case failed && (len(tb.logs) != 2 || tb.logs[0] != `logged: info "first" map[n:1]` || tb.logs[1] != `logged: error "second" map[]`):
			t.Errorf("a failing test printed %q, want both entries", tb.logs)
		}
	}
}

// TestNew_slogRequestContext: a slog record logged with a request's context
// carries the request's fields on the observer too.
func TestNew_slogRequestContext(t *testing.T) {
	t.Parallel()
	log, logs := loggingtest.New(t)
	sl := logging.NewSlog(log)
	h := logging.Middleware(log)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		sl.InfoContext(r.Context(), "first")
		sl.InfoContext(r.Context(), "second")
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("X-Request-ID", "req-9")
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(httptest.NewRecorder(), r)
	for _, msg := range []string{"first", "second"} {
		got := logs.FilterMessage(msg).All()
		if len(got) != 1 {
			t.Fatalf("%d entries %q, want 1", len(got), msg)
		}
		m := got[0].ContextMap()
		if m["request_id"] != "req-9" || m["trace_id"] != "4bf92f3577b34da6a3ce929d0e0e4736" || m["span_id"] != "00f067aa0ba902b7" {
			t.Errorf("%s: fields %v, want the request's request_id, trace_id and span_id", msg, m)
		}
	}
}
