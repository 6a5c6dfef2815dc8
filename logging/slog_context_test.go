package logging_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

type otherKey struct{}

// TestNewSlog_requestContext logs through slog with a request's context, as
// a library (gorm, a client) does, and finds the request's fields.
func TestNewSlog_requestContext(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Service: "shop"})
	sl := logging.NewSlog(log).With("component", "db")
	grouped := logging.NewSlog(log).WithGroup("sql").With("table", "orders")
	h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging.FromContext(r.Context()).Info("zap")
		sl.InfoContext(r.Context(), "slog", "rows", 3)
		sl.InfoContext(r.Context(), "slog again", "rows", 3) // the request's fields encoded once for sl
		grouped.InfoContext(r.Context(), "grouped", "rows", 4)
		grouped.InfoContext(r.Context(), "grouped", "rows", 4)
		sl.InfoContext(context.WithValue(r.Context(), otherKey{}, 1), "derived")
		sl.InfoContext(context.WithValue(r.Context(), otherKey{}, 1), "derived")
		sl.Info("no context")
	}))
	r := httptest.NewRequest(http.MethodGet, "/orders", nil)
	r.Header.Set("X-Request-ID", "req-42")
	r.Header.Set("Traceparent", validTraceparent)
	h.ServeHTTP(httptest.NewRecorder(), r)

	ev := buf.events(t)
	if len(ev) != 9 {
		t.Fatalf("got %d events, want 9:\n%s", len(ev), buf.String())
	}
	reqFields := map[string]any{"request_id": "req-42", "trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}
	keys := []string{"request_id", "trace_id", "span_id", "trace_sampled"}
	for i, msg := range []string{"zap", "slog", "slog again", "grouped", "grouped", "derived", "derived"} {
		if ev[i]["msg"] != msg {
			t.Fatalf("event %d = %v, want %q", i, ev[i], msg)
		}
		if diff := cmp.Diff(reqFields, pick(ev[i], keys...)); diff != "" {
			t.Errorf("%s: request fields (-want +got)\n%s", msg, diff)
		}
		if ev[i]["service"] != "shop" {
			t.Errorf("%s: service = %v, want shop once", msg, ev[i]["service"])
		}
	}
	for _, i := range []int{1, 2} {
		if ev[i]["component"] != "db" || ev[i]["rows"] != num("3") {
			t.Errorf("slog event lost its own fields: %v", ev[i])
		}
	}
	wantGroup := map[string]any{"table": "orders", "rows": num("4")}
	for _, i := range []int{3, 4} {
		if diff := cmp.Diff(wantGroup, ev[i]["sql"]); diff != "" {
			t.Errorf("grouped event's group (-want +got)\n%s\n%s", diff, buf.lines()[i])
		}
	}
	if got := pick(ev[7], keys...); len(got) != 0 {
		t.Errorf("record without context has request fields %v", got)
	}
	// Each key once: a repeated JSON key would be lost by most readers.
	for i, line := range buf.lines() {
		for _, k := range []string{`"request_id"`, `"service"`, `"component"`} {
			if n := countSub(line, k); n > 1 {
				t.Errorf("event %d has %s %d times: %s", i, k, n, line)
			}
		}
	}
}

func countSub(s, sub string) int {
	n := 0
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			n++
		}
	}
	return n
}

// TestNewSlog_newContext finds the fields of a logger put in a context with
// NewContext, without the fields the slog logger already has.
func TestNewSlog_newContext(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Service: "shop"})
	worker := log.With(zap.String("component", "worker"))
	sl := logging.NewSlog(worker)
	job := worker.With(zap.String("job_id", "j-7"))
	ctx := logging.NewContext(context.Background(), job)
	sl.InfoContext(ctx, "job")
	other := logging.NewSlog(log).With("lib", "http")
	other.InfoContext(ctx, "other")
	sl.InfoContext(logging.NewContext(context.Background(), worker), "same logger")

	ev := buf.events(t)
	if len(ev) != 3 {
		t.Fatalf("got %d events, want 3:\n%s", len(ev), buf.String())
	}
	if diff := cmp.Diff(map[string]any{"component": "worker", "job_id": "j-7"}, pick(ev[0], "component", "job_id", "lib")); diff != "" {
		t.Errorf("job event (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff(map[string]any{"component": "worker", "job_id": "j-7", "lib": "http"}, pick(ev[1], "component", "job_id", "lib")); diff != "" {
		t.Errorf("other slog logger's event (-want +got)\n%s", diff)
	}
	if _, ok := ev[2]["job_id"]; ok {
		t.Errorf("same logger event = %v, want no job_id", ev[2])
	}
	for i, line := range buf.lines() {
		for _, k := range []string{`"component"`, `"service"`} {
			if n := countSub(line, k); n != 1 {
				t.Errorf("event %d has %s %d times, want once: %s", i, k, n, line)
			}
		}
	}
}
