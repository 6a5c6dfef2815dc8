package logging_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
	"github.com/twelvekit/twelvekit/logging/loggingtest"
)

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// serve runs h on a new loopback server, closed when the test ends.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// get makes one request with a 10 s limit and returns the response with its
// body read.
func get(t *testing.T, srv *httptest.Server, path string, header http.Header) (*http.Response, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestMiddleware_event(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Service: "shop"})
	mux := http.NewServeMux()
	var inside struct {
		id     string
		stable bool
	}
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		logging.FromContext(r.Context()).Info("inside")
		inside.id = logging.RequestID(r.Context())
		first := logging.FromContext(r.Context())
		inside.stable = first == logging.FromContext(r.Context())
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "hello")
	})
	srv := serve(t, logging.Middleware(log)(mux))
	resp, body := get(t, srv, "/orders/7?token=tok-in-query", http.Header{
		"X-Request-Id":  {"abc-123"},
		"User-Agent":    {"tester/1.0"},
		"Authorization": {"Bearer tok-in-authorization"},
		"Cookie":        {"session=tok-in-cookie"},
	})
	if resp.StatusCode != http.StatusCreated || body != "hello" {
		t.Fatalf("response = %d %q, want 201 hello", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("X-Request-ID response header = %q, want the incoming abc-123", got)
	}
	ev := buf.wait(t, 2)
	if ev[0]["msg"] != "inside" || ev[0]["request_id"] != "abc-123" {
		t.Errorf("handler's event = %v, want request_id abc-123", ev[0])
	}
	if inside.id != "abc-123" || !inside.stable {
		t.Errorf("RequestID = %q and FromContext stable = %v, want abc-123 and true", inside.id, inside.stable)
	}
	got := ev[1]
	if d, err := got["duration"].(interface{ Float64() (float64, error) }).Float64(); err != nil || d < 0 || d > 10 {
		t.Errorf("duration = %v, want seconds between 0 and 10", got["duration"])
	}
	if ra, _ := got["remote_addr"].(string); !strings.HasPrefix(ra, "127.0.0.1:") {
		t.Errorf("remote_addr = %q, want 127.0.0.1:<port>", ra)
	}
	delete(got, "duration")
	delete(got, "remote_addr")
	want := map[string]any{
		"level": "info", "ts": "2026-01-02T15:04:05.123456789Z", "msg": "request",
		"service": "shop", "release": "v1.2.3", "instance": "web.1",
		"method": "GET", "path": "/orders/7", "route": "GET /orders/{id}",
		"status": num("201"), "bytes": num("5"),
		"user_agent": "tester/1.0", "request_id": "abc-123",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request event (-want +got)\n%s", diff)
	}
	if s := buf.String(); strings.Contains(s, "tok-in-") {
		t.Errorf("a credential or the query reached the stream:\n%s", s)
	}
}

func TestMiddleware_requestID(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 200)
	tests := []struct {
		name  string
		in    []string // X-Request-ID values; nil for none
		keeps bool
	}{
		{"none", nil, false},
		{"uuid", []string{"6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b"}, true},
		{"heroku style", []string{"a1B2+c3/D4=e5-f6_g7.h8:i9"}, true},
		{"200 characters", []string{long}, true},
		{"201 characters", []string{long + "a"}, false},
		{"empty", []string{""}, false},
		{"space", []string{"abc def"}, false},
		{"quote", []string{`abc"def`}, false},
		{"newline", []string{"abc\ndef"}, false},
		{"non-ASCII", []string{"abcé"}, false},
		{"first of several", []string{"first", "second"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{})
			var ctxID string
			h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ctxID = logging.RequestID(r.Context())
			}))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.in != nil {
				r.Header["X-Request-Id"] = tt.in
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			got := w.Header().Get("X-Request-ID")
			if tt.keeps && got != tt.in[0] {
				t.Errorf("X-Request-ID = %q, want the incoming %q", got, tt.in[0])
			}
			if !tt.keeps && !uuid4.MatchString(got) {
				t.Errorf("X-Request-ID = %q, want a new UUID v4", got)
			}
			if ev := only(t, buf); ev["request_id"] != got || ctxID != got {
				t.Errorf("event request_id = %v and RequestID = %q, want both %q", ev["request_id"], ctxID, got)
			}
		})
	}
}

func TestMiddleware_requestIDsAreUnique(t *testing.T) {
	t.Parallel()
	h := logging.Middleware(zap.NewNop())(http.NotFoundHandler())
	seen := make(map[string]bool)
	for range 1000 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		id := w.Header().Get("X-Request-ID")
		if seen[id] {
			t.Fatalf("request ID %s made twice", id)
		}
		seen[id] = true
	}
}

func TestMiddleware_statusLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		write   func(w http.ResponseWriter)
		opts    []logging.MiddlewareOption
		status  string
		level   string
		noEvent bool
	}{
		{"nothing written", func(http.ResponseWriter) {}, nil, "200", "info", false},
		{"body only", func(w http.ResponseWriter) { _, _ = io.WriteString(w, "x") }, nil, "200", "info", false},
		{"302", func(w http.ResponseWriter) { w.WriteHeader(302) }, nil, "302", "info", false},
		{"103 then 204", func(w http.ResponseWriter) { w.WriteHeader(103); w.WriteHeader(204) }, nil, "204", "info", false},
		{"404", func(w http.ResponseWriter) { w.WriteHeader(404) }, nil, "404", "warn", false},
		{"499", func(w http.ResponseWriter) { w.WriteHeader(499) }, nil, "499", "warn", false},
		{"500", func(w http.ResponseWriter) { w.WriteHeader(500) }, nil, "500", "error", false},
		{"second WriteHeader ignored", func(w http.ResponseWriter) { w.WriteHeader(503); w.WriteHeader(200) }, nil, "503", "error", false},
		{"custom: 404 is info", func(w http.ResponseWriter) { w.WriteHeader(404) },
			[]logging.MiddlewareOption{logging.WithStatusLevel(func(s int) logging.Level {
				if s == 404 {
					return logging.LevelInfo
				}
				return logging.LevelError
			})}, "404", "info", false},
		{"custom: 200 is debug, below the level", func(http.ResponseWriter) {},
			[]logging.MiddlewareOption{logging.WithStatusLevel(func(int) logging.Level { return logging.LevelDebug })}, "", "", true},
		{"nil options keep the default", func(w http.ResponseWriter) { w.WriteHeader(404) },
			[]logging.MiddlewareOption{nil, logging.WithStatusLevel(nil)}, "404", "warn", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{})
			h := logging.Middleware(log, tt.opts...)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { tt.write(w) }))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil))
			if tt.noEvent {
				if s := buf.String(); s != "" {
					t.Errorf("got an event below the level: %s", s)
				}
				return
			}
			ev := only(t, buf)
			if fmt.Sprint(ev["status"]) != tt.status || ev["level"] != tt.level {
				t.Errorf("status, level = %v, %v; want %s, %s", ev["status"], ev["level"], tt.status, tt.level)
			}
			if _, ok := ev["route"]; ok {
				t.Errorf("route = %v without a ServeMux, want none", ev["route"])
			}
		})
	}
}

func TestMiddleware_skipPaths(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	var ids []string
	h := logging.Middleware(log, logging.WithSkipPaths("/healthz"), logging.WithSkipPaths("/readyz"))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ids = append(ids, logging.RequestID(r.Context()))
		}))
	for _, p := range []string{"/healthz", "/readyz", "/healthz/deep", "/orders"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, p, nil))
		if w.Header().Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID on a skipped path", p)
		}
	}
	var paths []any
	for _, ev := range buf.events(t) {
		paths = append(paths, ev["path"])
	}
	if diff := cmp.Diff([]any{"/healthz/deep", "/orders"}, paths); diff != "" {
		t.Errorf("logged paths (-want +got)\n%s", diff)
	}
	for _, id := range ids {
		if id == "" {
			t.Error("a request had no ID in its context")
		}
	}
}

func TestMiddleware_panic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		keys       logging.Keys
		handler    http.HandlerFunc
		skip       []string
		repanic    any // what escapes the middleware
		code       int // status the client gets, when it gets one
		status     string
		panicValue any // nil: no panic field
	}{
		{"before writing", logging.KeysZap, func(http.ResponseWriter, *http.Request) { panic("boom") },
			nil, nil, 500, "500", "boom"},
		{"error value, gcp keys", logging.KeysGCP, func(http.ResponseWriter, *http.Request) { panic(errors.New("broken")) },
			nil, nil, 500, "500", "broken"},
		{"on a skipped path", logging.KeysZap, func(http.ResponseWriter, *http.Request) { panic("boom") },
			[]string{"/p"}, nil, 500, "500", "boom"},
		{"after the status", logging.KeysZap, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusAccepted)
			panic("late")
		}, nil, http.ErrAbortHandler, 202, "202", "late"},
		{"ErrAbortHandler", logging.KeysZap, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusOK)
			panic(http.ErrAbortHandler)
		}, nil, http.ErrAbortHandler, 200, "200", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{Keys: tt.keys})
			h := logging.Middleware(log, logging.WithSkipPaths(tt.skip...))(tt.handler)
			w := httptest.NewRecorder()
			func() {
				defer func() {
					if p := recover(); p != tt.repanic {
						t.Errorf("escaped panic = %v, want %v", p, tt.repanic)
					}
				}()
				h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/p", nil))
			}()
			if w.Code != tt.code {
				t.Errorf("client status = %d, want %d", w.Code, tt.code)
			}
			ev := only(t, buf)
			stackKey, levelKey, wantLevel := "stacktrace", "level", "error"
			if tt.keys == logging.KeysGCP {
				stackKey, levelKey, wantLevel = "stack_trace", "severity", "ERROR"
			}
			if tt.panicValue == nil {
				if _, ok := ev["panic"]; ok {
					t.Errorf("event has a panic field for ErrAbortHandler: %v", ev)
				}
				if fmt.Sprint(ev["status"]) != tt.status {
					t.Errorf("status = %v, want %s", ev["status"], tt.status)
				}
				return
			}
			if ev["panic"] != tt.panicValue || fmt.Sprint(ev["status"]) != tt.status || ev[levelKey] != wantLevel {
				t.Errorf("event = %v, want panic %v, status %s, level %s", ev, tt.panicValue, tt.status, wantLevel)
			}
			stack, _ := ev[stackKey].(string)
			if first, _, _ := strings.Cut(stack, "\n"); !strings.Contains(first, "logging_test.TestMiddleware_panic") {
				t.Errorf("stack starts with %q, want the panicking function; whole stack:\n%s", first, stack)
			}
		})
	}
}

func TestMiddleware_panicOverHTTP(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	srv := serve(t, logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		panic("boom")
	})))
	resp, body := get(t, srv, "/", nil)
	if resp.StatusCode != 500 || strings.TrimSpace(body) != "Internal Server Error" {
		t.Errorf("response = %d %q, want 500 Internal Server Error", resp.StatusCode, body)
	}
	if ev := buf.wait(t, 1)[0]; ev["panic"] != "boom" {
		t.Errorf("event = %v, want panic boom", ev)
	}
}

// Fakes for the optional interfaces of a response writer.
type (
	fakeHijacker   struct{}
	fakeReaderFrom struct{ w io.Writer }
)

func (fakeHijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errors.New("fake hijacker")
}

func (f fakeReaderFrom) ReadFrom(r io.Reader) (int64, error) { return io.Copy(f.w, r) }

func TestMiddleware_keepsOptionalInterfaces(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		f, h, r bool
		make    func(rec *httptest.ResponseRecorder) http.ResponseWriter
	}{
		{"none", false, false, false, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct{ http.ResponseWriter }{rec}
		}},
		{"Flusher", true, false, false, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Flusher
			}{rec, rec}
		}},
		{"Hijacker", false, true, false, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Hijacker
			}{rec, fakeHijacker{}}
		}},
		{"ReaderFrom", false, false, true, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				io.ReaderFrom
			}{rec, fakeReaderFrom{rec}}
		}},
		{"Flusher Hijacker", true, true, false, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Flusher
				http.Hijacker
			}{rec, rec, fakeHijacker{}}
		}},
		{"Flusher ReaderFrom", true, false, true, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Flusher
				io.ReaderFrom
			}{rec, rec, fakeReaderFrom{rec}}
		}},
		{"Hijacker ReaderFrom", false, true, true, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Hijacker
				io.ReaderFrom
			}{rec, fakeHijacker{}, fakeReaderFrom{rec}}
		}},
		{"all three", true, true, true, func(rec *httptest.ResponseRecorder) http.ResponseWriter {
			return struct {
				http.ResponseWriter
				http.Flusher
				http.Hijacker
				io.ReaderFrom
			}{rec, rec, fakeHijacker{}, fakeReaderFrom{rec}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{})
			rec := httptest.NewRecorder()
			h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				f, fok := w.(http.Flusher)
				hj, hok := w.(http.Hijacker)
				rf, rok := w.(io.ReaderFrom)
				if fok != tt.f || hok != tt.h || rok != tt.r {
					t.Errorf("handler sees Flusher %v, Hijacker %v, ReaderFrom %v; want %v, %v, %v", fok, hok, rok, tt.f, tt.h, tt.r)
				}
				if hok {
					if _, _, err := hj.Hijack(); err == nil || err.Error() != "fake hijacker" {
						t.Errorf("Hijack error = %v, want the wrapped writer's", err)
					}
				}
				if rok {
					if n, err := rf.ReadFrom(strings.NewReader("abcd")); n != 4 || err != nil {
						t.Errorf("ReadFrom = %d, %v; want 4, nil", n, err)
					}
				}
				if fok {
					f.Flush()
				}
				_, _ = io.WriteString(w, "xy")
			}))
			h.ServeHTTP(tt.make(rec), httptest.NewRequest(http.MethodGet, "/", nil))
			wantBytes := "2"
			if tt.r {
				wantBytes = "6"
			}
			ev := only(t, buf)
			if fmt.Sprint(ev["bytes"]) != wantBytes || fmt.Sprint(ev["status"]) != "200" {
				t.Errorf("bytes, status = %v, %v; want %s, 200", ev["bytes"], ev["status"], wantBytes)
			}
			if tt.f && !rec.Flushed {
				t.Error("Flush did not reach the wrapped writer")
			}
		})
	}
}

func TestMiddleware_realWriterFeatures(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	srv := serve(t, logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(10 * time.Second)); err != nil {
			t.Errorf("ResponseController.SetWriteDeadline: %v", err)
		}
		if err := rc.EnableFullDuplex(); err != nil {
			t.Errorf("ResponseController.EnableFullDuplex: %v", err)
		}
		if _, ok := w.(http.Hijacker); !ok {
			t.Error("the HTTP/1.1 writer lost http.Hijacker")
		}
		switch r.URL.Path {
		case "/copy": // io.Copy uses ReadFrom
			if _, ok := w.(io.ReaderFrom); !ok {
				t.Error("the HTTP/1.1 writer lost io.ReaderFrom")
			}
			_, _ = io.Copy(w, io.LimitReader(strings.NewReader(strings.Repeat("z", 10000)), 10000))
		case "/flush":
			_, _ = io.WriteString(w, "part")
			if err := rc.Flush(); err != nil {
				t.Errorf("ResponseController.Flush: %v", err)
			}
		case "/hijack":
			conn, brw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
			_ = brw.Flush()
		}
	})))
	if _, body := get(t, srv, "/copy", nil); len(body) != 10000 {
		t.Errorf("copy body has %d bytes, want 10000", len(body))
	}
	if _, body := get(t, srv, "/flush", nil); body != "part" {
		t.Errorf("flush body = %q, want part", body)
	}

	conn, err := net.DialTimeout("tcp", srv.Listener.Addr().String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	_, _ = io.WriteString(conn, "GET /hijack HTTP/1.1\r\nHost: x\r\nUpgrade: x\r\nConnection: Upgrade\r\n\r\n")
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(status, "HTTP/1.1 101") {
		t.Errorf("hijacked response = %q, %v; want HTTP/1.1 101", status, err)
	}

	ev := buf.wait(t, 3)
	var got []string
	for _, e := range ev {
		got = append(got, fmt.Sprint(e["path"], " ", e["status"], " ", e["bytes"]))
	}
	want := []string{"/copy 200 10000", "/flush 200 4", "/hijack 101 0"}
	if diff := cmp.Diff(want, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("events (-want +got)\n%s", diff)
	}
}

func TestMiddleware_headers(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	h := logging.Middleware(log,
		logging.WithHeaders("x-forwarded-for", "Authorization"),
		logging.WithHeaders("Cookie", "X-Api-Key", "Accept", "X-Missing", ""),
	)(http.NotFoundHandler())
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header["X-Forwarded-For"] = []string{"203.0.113.7", "10.0.0.1"}
	r.Header.Set("Authorization", "Basic dG9rLWluLWF1dGg=")
	r.Header.Set("Cookie", "session=tok-in-cookie")
	r.Header.Set("X-Api-Key", "tok-in-key")
	r.Header.Set("Accept", "text/html")
	h.ServeHTTP(httptest.NewRecorder(), r)
	want := map[string]any{
		"X-Forwarded-For": "203.0.113.7, 10.0.0.1",
		"Authorization":   "[REDACTED]",
		"Cookie":          "[REDACTED]",
		"X-Api-Key":       "[REDACTED]",
		"Accept":          "text/html",
	}
	if diff := cmp.Diff(want, only(t, buf)["headers"]); diff != "" {
		t.Errorf("headers (-want +got)\n%s", diff)
	}
	if s := buf.String(); strings.Contains(s, "tok-in") || strings.Contains(s, "dG9r") {
		t.Errorf("a credential reached the stream:\n%s", s)
	}
}

func TestMiddleware_loggerInContextConcurrently(t *testing.T) {
	t.Parallel()
	log, logs := loggingtest.New(t)
	h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var wg sync.WaitGroup
		loggers := make([]*zap.Logger, 8)
		for i := range loggers {
			wg.Go(func() { loggers[i] = logging.FromContext(r.Context()) })
		}
		wg.Wait()
		for _, l := range loggers[1:] {
			if l != loggers[0] {
				t.Error("FromContext gave different loggers for one request")
			}
		}
		loggers[0].Info("work")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	work := logs.FilterMessage("work").All()
	if len(work) != 1 || !uuid4.MatchString(fmt.Sprint(work[0].ContextMap()["request_id"])) {
		t.Errorf("work entries = %v, want one with a request_id", work)
	}
}

func TestMiddleware_nilLogger(t *testing.T) {
	t.Parallel()
	called := false
	h := logging.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called = logging.FromContext(r.Context()) != nil
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if !called {
		t.Error("handler not called, or FromContext returned nil")
	}
}

func TestFromContext(t *testing.T) {
	t.Parallel()
	log, logs := loggingtest.New(t)
	for name, ctx := range map[string]context.Context{"nil": nil, "empty": context.Background()} {
		if l := logging.FromContext(ctx); l == nil {
			t.Errorf("%s context: FromContext returned nil", name)
		} else {
			l.Error("to nowhere")
		}
		if id := logging.RequestID(ctx); id != "" {
			t.Errorf("%s context: RequestID = %q, want empty", name, id)
		}
	}
	ctx := logging.NewContext(context.Background(), log)
	if logging.FromContext(ctx) != log {
		t.Error("FromContext did not return the logger given to NewContext")
	}
	if l := logging.FromContext(logging.NewContext(ctx, nil)); l == nil {
		t.Error("FromContext returned nil for a nil logger in the context")
	}
	if n := logs.Len(); n != 0 {
		t.Errorf("the no-op loggers wrote %d entries to the real one", n)
	}
}
