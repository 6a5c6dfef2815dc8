package logging_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/twelvekit/twelvekit/logging"
)

func TestParseTraceparent(t *testing.T) {
	t.Parallel()
	const tid, sid = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	tests := []struct {
		name    string
		in      string
		ok      bool
		sampled bool
	}{
		{"sampled", "00-" + tid + "-" + sid + "-01", true, true},
		{"not sampled", "00-" + tid + "-" + sid + "-00", true, false},
		{"later version, longer", "01-" + tid + "-" + sid + "-03-extra", true, true},
		{"later version, exact", "cc-" + tid + "-" + sid + "-01", true, true},
		{"version 00 longer", "00-" + tid + "-" + sid + "-01-extra", false, false},
		{"version ff", "ff-" + tid + "-" + sid + "-01", false, false},
		{"uppercase", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + sid + "-01", false, false},
		{"zero trace", "00-00000000000000000000000000000000-" + sid + "-01", false, false},
		{"zero span", "00-" + tid + "-0000000000000000-01", false, false},
		{"short", "00-" + tid + "-" + sid, false, false},
		{"no dash after flags", "01-" + tid + "-" + sid + "-01x", false, false},
		{"empty", "", false, false},
		{"not hex", "00-" + tid[:31] + "g-" + sid + "-01", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr, ok := logging.ParseTraceparent(tt.in)
			if ok != tt.ok {
				t.Fatalf("ParseTraceparent(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if !ok {
				if tr != (logging.Trace{}) {
					t.Errorf("invalid value gave %+v, want the zero Trace", tr)
				}
				return
			}
			if tr.Sampled != tt.sampled || tr.TraceID[0] != 0x4b || tr.TraceID[15] != 0x36 || tr.SpanID[7] != 0xb7 {
				t.Errorf("ParseTraceparent(%q) = %+v", tt.in, tr)
			}
		})
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestNewRequestContext(t *testing.T) {
	t.Parallel()
	tr, _ := logging.ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	t.Run("kept ID and trace under gcp keys", func(t *testing.T) {
		t.Parallel()
		log, buf := newLogger(logging.Config{Keys: logging.KeysGCP}, logging.WithEnvironment(map[string]string{"GOOGLE_CLOUD_PROJECT": "test-project"}))
		ctx := logging.NewRequestContext(context.Background(), log, "abc-1", tr)
		if got := logging.RequestID(ctx); got != "abc-1" {
			t.Errorf("RequestID = %q, want abc-1", got)
		}
		if got := logging.TraceFromContext(ctx); got != tr {
			t.Errorf("TraceFromContext = %+v, want %+v", got, tr)
		}
		logging.FromContext(ctx).Info("one")
		child, cancel := context.WithCancel(ctx) // derived contexts carry it too
		defer cancel()
		logging.NewSlog(log).InfoContext(child, "two")
		for _, e := range buf.wait(t, 2) {
			if e["request_id"] != "abc-1" || e["logging.googleapis.com/trace"] != "projects/test-project/traces/4bf92f3577b34da6a3ce929d0e0e4736" ||
				e["logging.googleapis.com/spanId"] != "00f067aa0ba902b7" || e["logging.googleapis.com/trace_sampled"] != true {
				t.Errorf("event %v lacks the request's fields", e)
			}
			if _, ok := e["trace_id"]; ok {
				t.Errorf("event %v has trace_id under LOG_KEYS=gcp", e)
			}
		}
	})
	for _, bad := range []string{"", "has space", string(make([]byte, 201)), "quote\""} {
		t.Run("new ID for "+bad, func(t *testing.T) {
			t.Parallel()
			ctx := logging.NewRequestContext(context.Background(), nil, bad, logging.Trace{})
			id := logging.RequestID(ctx)
			if !uuidRE.MatchString(id) {
				t.Errorf("RequestID = %q, want a new UUID", id)
			}
			if other := logging.RequestID(logging.NewRequestContext(context.Background(), nil, bad, logging.Trace{})); other == id {
				t.Errorf("two requests got the same ID %q", id)
			}
			if logging.TraceFromContext(ctx).IsValid() {
				t.Error("a context made without a trace has one")
			}
		})
	}
	t.Run("same fields as the middleware", func(t *testing.T) {
		t.Parallel()
		log, buf := newLogger(logging.Config{})
		h := logging.Middleware(log, logging.WithSkipPaths("/"))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			logging.FromContext(r.Context()).Info("http")
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("X-Request-ID", "same")
		r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		h.ServeHTTP(httptest.NewRecorder(), r)
		var none context.Context // a nil context counts as Background
		logging.FromContext(logging.NewRequestContext(none, log, "same", tr)).Info("msg")
		ev := buf.wait(t, 2)
		delete(ev[0], "msg")
		delete(ev[1], "msg")
		if len(ev[0]) != len(ev[1]) {
			t.Fatalf("http event %v, message event %v: want the same fields", ev[0], ev[1])
		}
		for k, v := range ev[0] {
			if ev[1][k] != v {
				t.Errorf("field %s: http %v, message %v", k, v, ev[1][k])
			}
		}
	})
}
