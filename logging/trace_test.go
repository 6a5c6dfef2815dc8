package logging_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/twelvekit/twelvekit/logging"
)

const (
	validTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	validTraceID     = "4bf92f3577b34da6a3ce929d0e0e4736"
	validSpanID      = "00f067aa0ba902b7"
)

// serveTraced serves one request with headers h through Middleware on a
// logger of cfg, and returns the request's event, the event the handler
// logged through FromContext and the trace TraceFromContext gave.
func serveTraced(t *testing.T, cfg logging.Config, env map[string]string, h http.Header, opts ...logging.MiddlewareOption) (req, inside map[string]any, tr logging.Trace, out string) {
	t.Helper()
	buf := newBuffer()
	log := logging.New(cfg, logging.WithWriter(buf), logging.WithEnvironment(env), logging.WithClock(fixedClock))
	handler := logging.Middleware(log, opts...)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr = logging.TraceFromContext(r.Context())
		logging.FromContext(r.Context()).Info("inside")
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for k, v := range h {
		r.Header[k] = v
	}
	handler.ServeHTTP(httptest.NewRecorder(), r)
	ev := buf.events(t)
	if len(ev) != 2 {
		t.Fatalf("got %d events, want 2:\n%s", len(ev), buf.String())
	}
	return ev[1], ev[0], tr, buf.String()
}

// pick returns the values of keys in ev, leaving out keys it lacks.
func pick(ev map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for _, k := range keys {
		if v, ok := ev[k]; ok {
			out[k] = v
		}
	}
	return out
}

var traceKeys = []string{"trace_id", "span_id", "trace_sampled",
	"logging.googleapis.com/trace", "logging.googleapis.com/spanId", "logging.googleapis.com/trace_sampled"}

func TestMiddleware_traceparent(t *testing.T) {
	t.Parallel()
	// The valid values come from the examples of the W3C Trace Context
	// recommendation; the invalid ones break one of its rules each.
	tests := []struct {
		name   string
		header []string
		want   map[string]any // nil: no trace
	}{
		{"valid, sampled", []string{validTraceparent},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}},
		{"valid, not sampled", []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": false}},
		{"other flags with sampled", []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09"},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}},
		{"future version, longer", []string{"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds"},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}},
		{"future version, same length", []string{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}},
		{"version ff", []string{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, nil},
		{"version 00, longer", []string{validTraceparent + "-01"}, nil},
		{"future version, no dash after flags", []string{"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x"}, nil},
		{"too short", []string{validTraceparent[:54]}, nil},
		{"trace ID all zeros", []string{"00-00000000000000000000000000000000-00f067aa0ba902b7-01"}, nil},
		{"parent ID all zeros", []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"}, nil},
		{"uppercase", []string{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01"}, nil},
		{"non-hex", []string{"00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"}, nil},
		{"uppercase version", []string{"0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}, nil},
		{"wrong separators", []string{"00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01"}, nil},
		{"newline inside", []string{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0\n"}, nil},
		{"10 KB", []string{"00-" + strings.Repeat("ab", 5000)}, nil},
		{"two headers", []string{validTraceparent, validTraceparent}, nil},
		{"empty", []string{""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, inside, tr, out := serveTraced(t, logging.Config{}, nil, http.Header{"Traceparent": tt.header})
			want := tt.want
			if want == nil {
				want = map[string]any{}
			}
			if diff := cmp.Diff(want, pick(req, traceKeys...)); diff != "" {
				t.Errorf("request event's trace (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(want, pick(inside, traceKeys...)); diff != "" {
				t.Errorf("request logger's trace (-want +got)\n%s", diff)
			}
			if tr.IsValid() != (tt.want != nil) {
				t.Errorf("TraceFromContext valid = %v, want %v", tr.IsValid(), tt.want != nil)
			}
			if tt.want == nil && len(tt.header) > 0 && len(tt.header[0]) > 8 && strings.Contains(out, tt.header[0][3:11]) {
				t.Errorf("the invalid header reached the stream:\n%s", out)
			}
		})
	}
}

func TestMiddleware_cloudTraceContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    http.Header
		want map[string]any
	}{
		{"trace, span, sampled", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/74;o=1"}},
			map[string]any{"trace_id": validTraceID, "span_id": "000000000000004a", "trace_sampled": true}},
		{"largest span", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/18446744073709551615;o=0"}},
			map[string]any{"trace_id": validTraceID, "span_id": "ffffffffffffffff", "trace_sampled": false}},
		{"trace only", http.Header{"X-Cloud-Trace-Context": {validTraceID}},
			map[string]any{"trace_id": validTraceID, "trace_sampled": false}},
		{"traceparent wins", http.Header{"X-Cloud-Trace-Context": {"11111111111111111111111111111111/1;o=1"}, "Traceparent": {validTraceparent}},
			map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}},
		{"invalid traceparent, no fallback", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/1"}, "Traceparent": {"junk"}}, map[string]any{}},
		{"span above 2^64", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/18446744073709551616;o=1"}}, map[string]any{}},
		{"hex span", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/4a;o=1"}}, map[string]any{}},
		{"uppercase trace", http.Header{"X-Cloud-Trace-Context": {strings.ToUpper(validTraceID) + "/1;o=1"}}, map[string]any{}},
		{"zero trace", http.Header{"X-Cloud-Trace-Context": {strings.Repeat("0", 32) + "/1;o=1"}}, map[string]any{}},
		{"bad options", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/1;o=2"}}, map[string]any{}},
		{"empty span", http.Header{"X-Cloud-Trace-Context": {validTraceID + "/;o=1"}}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, inside, _, _ := serveTraced(t, logging.Config{}, nil, tt.h)
			if diff := cmp.Diff(tt.want, pick(req, traceKeys...)); diff != "" {
				t.Errorf("request event's trace (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, pick(inside, traceKeys...)); diff != "" {
				t.Errorf("request logger's trace (-want +got)\n%s", diff)
			}
		})
	}
}

func TestMiddleware_traceGCPKeys(t *testing.T) {
	t.Parallel()
	h := http.Header{"Traceparent": {validTraceparent}}
	tests := []struct {
		name string
		env  map[string]string
		want map[string]any
	}{
		{"GOOGLE_CLOUD_PROJECT", map[string]string{"GOOGLE_CLOUD_PROJECT": "shop-prod", "GCP_PROJECT": "other"}, map[string]any{
			"logging.googleapis.com/trace":         "projects/shop-prod/traces/" + validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
		{"GCP_PROJECT", map[string]string{"GCP_PROJECT": "fn-proj"}, map[string]any{
			"logging.googleapis.com/trace":         "projects/fn-proj/traces/" + validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
		{"GCLOUD_PROJECT", map[string]string{"GCLOUD_PROJECT": "old-proj", "CLOUDSDK_CORE_PROJECT": "sdk"}, map[string]any{
			"logging.googleapis.com/trace":         "projects/old-proj/traces/" + validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
		{"CLOUDSDK_CORE_PROJECT", map[string]string{"CLOUDSDK_CORE_PROJECT": "example.com:sdk-proj"}, map[string]any{
			"logging.googleapis.com/trace":         "projects/example.com:sdk-proj/traces/" + validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
		{"no project", nil, map[string]any{
			"trace_id":                             validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
		{"not a project ID", map[string]string{"GOOGLE_CLOUD_PROJECT": "a b\"c"}, map[string]any{
			"trace_id":                             validTraceID,
			"logging.googleapis.com/spanId":        validSpanID,
			"logging.googleapis.com/trace_sampled": true,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, inside, _, _ := serveTraced(t, logging.Config{Keys: logging.KeysGCP}, tt.env, h)
			if diff := cmp.Diff(tt.want, pick(req, traceKeys...)); diff != "" {
				t.Errorf("request event's trace (-want +got)\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, pick(inside, traceKeys...)); diff != "" {
				t.Errorf("request logger's trace (-want +got)\n%s", diff)
			}
		})
	}
}

func TestWithTraceFrom(t *testing.T) {
	t.Parallel()
	mine := logging.Trace{
		TraceID: [16]byte{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c},
		SpanID:  [8]byte{0xb9, 0xc7, 0xc9, 0x89, 0xf9, 0x79, 0x18, 0xe1},
	}
	type key struct{}
	from := logging.WithTraceFrom(func(ctx context.Context) logging.Trace {
		tr, _ := ctx.Value(key{}).(logging.Trace)
		return tr
	})
	h := http.Header{"Traceparent": {validTraceparent}}

	// The hook's trace wins over the header.
	buf := newBuffer()
	log := logging.New(logging.Config{}, logging.WithWriter(buf), logging.WithEnvironment(nil))
	inner := logging.Middleware(log, from)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	outer := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), key{}, mine)))
	})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header = h
	outer.ServeHTTP(httptest.NewRecorder(), r)
	want := map[string]any{"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b9c7c989f97918e1", "trace_sampled": false}
	if diff := cmp.Diff(want, pick(only(t, buf), traceKeys...)); diff != "" {
		t.Errorf("hook's trace (-want +got)\n%s", diff)
	}

	// No span in the context: the header's trace.
	req, _, _, _ := serveTraced(t, logging.Config{}, nil, h, from)
	want = map[string]any{"trace_id": validTraceID, "span_id": validSpanID, "trace_sampled": true}
	if diff := cmp.Diff(want, pick(req, traceKeys...)); diff != "" {
		t.Errorf("fallback to the header (-want +got)\n%s", diff)
	}
}

// FuzzTraceHeaders feeds arbitrary headers to the middleware: it never
// panics, a value it takes gives IDs of the right form that it re-encodes
// exactly (traceparent) and it never writes a header's raw bytes it did not
// take as IDs.
func FuzzTraceHeaders(f *testing.F) {
	for _, s := range []string{validTraceparent, validTraceparent + "-x", "ff" + validTraceparent[2:],
		"cc" + validTraceparent[2:] + "-future", validTraceID + "/74;o=1", strings.Repeat("0", 55), "\n\x00\"\\"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, v string, traceparent bool) {
		name := "X-Cloud-Trace-Context"
		if traceparent {
			name = "Traceparent"
		}
		var buf bytes.Buffer
		log := logging.New(logging.Config{}, logging.WithWriter(&buf), logging.WithEnvironment(nil), logging.WithClock(fixedClock))
		var tr logging.Trace
		h := logging.Middleware(log)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			tr = logging.TraceFromContext(r.Context())
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header[name] = []string{v}
		h.ServeHTTP(httptest.NewRecorder(), r)
		ev := decode(t, strings.TrimSpace(buf.String()))
		id, has := ev["trace_id"].(string)
		if has != tr.IsValid() {
			t.Fatalf("trace_id %q logged = %v, TraceFromContext valid = %v", id, has, tr.IsValid())
		}
		if !has {
			if _, ok := ev["span_id"]; ok {
				t.Fatalf("span_id without trace_id: %v", ev)
			}
			return
		}
		if len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" || id == strings.Repeat("0", 32) {
			t.Fatalf("trace_id = %q, want 32 lowercase hex digits, not all zeros", id)
		}
		if !strings.Contains(v, id) {
			t.Fatalf("trace_id %q is not in the header %q", id, v)
		}
		if traceparent {
			span, _ := ev["span_id"].(string)
			flags := "00"
			if ev["trace_sampled"] == true {
				flags = "01"
			}
			re := v[:2] + "-" + id + "-" + span + "-"
			if !strings.HasPrefix(v, re) || v[:2] == "ff" || (v[:2] == "00" && len(v) != 55) {
				t.Fatalf("header %q taken as %s..%s", v, re, flags)
			}
		}
	})
}
