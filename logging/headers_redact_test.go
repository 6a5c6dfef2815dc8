package logging_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/internal/redact"
	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
	"github.com/twelvekit/twelvekit/logging"
)

// TestMiddleware_headersFailClosed asks WithHeaders for 40 headers that
// carry credentials, each holding the canary: none reaches the stream,
// while the headers known to carry none and those declared public show.
func TestMiddleware_headersFailClosed(t *testing.T) {
	t.Parallel()
	if len(redacttest.Headers) < 30 {
		t.Fatalf("%d credential headers, want at least 30", len(redacttest.Headers))
	}
	log, buf := newLogger(logging.Config{})
	names := append([]string{"Accept", "User-Agent", "X-Forwarded-For", "Content-Type"}, redacttest.Headers...)
	h := logging.Middleware(log,
		logging.WithHeaders(names...),
		logging.WithPublicHeaders("X-Tenant"),
	)(http.NotFoundHandler())
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, n := range redacttest.Headers {
		r.Header.Add(n, "Bearer "+redacttest.Canary)
		r.Header.Add(n, redacttest.Canary+"-second")
	}
	r.Header.Set("Accept", "text/html")
	r.Header.Set("User-Agent", "probe/1.0")
	r.Header.Set("X-Forwarded-For", "203.0.113.7")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Tenant", "acme")
	h.ServeHTTP(httptest.NewRecorder(), r)
	ev := only(t, buf)
	if s := buf.String(); redacttest.Leaks(s) {
		t.Fatalf("a credential header reached the stream:\n%s", s)
	}
	got, _ := ev["headers"].(map[string]any)
	want := map[string]string{"Accept": "text/html", "User-Agent": "probe/1.0",
		"X-Forwarded-For": "203.0.113.7", "Content-Type": "application/json", "X-Tenant": "acme"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("header %s = %v, want %q shown", k, got[k], v)
		}
	}
	for _, n := range redacttest.Headers {
		if v := got[http.CanonicalHeaderKey(n)]; v != "[REDACTED]" {
			t.Errorf("header %s = %v, want [REDACTED]", n, v)
		}
	}
	if !strings.Contains(buf.String(), `"X-Custom":"[REDACTED]"`) {
		t.Errorf("a header of the program's own, not declared public, is not masked:\n%s", buf.String())
	}
}

// FuzzHeaders asks WithHeaders for an arbitrary header holding the canary:
// unless the header is one of the few known to carry no credential, its
// value never reaches the stream. The seeds run with every go test.
func FuzzHeaders(f *testing.F) {
	for _, h := range redacttest.Headers {
		f.Add(h, "")
	}
	f.Add("x-api-key", " ; second")
	f.Add("ACCEPT", "")
	f.Fuzz(func(t *testing.T, name, value string) {
		canonical := http.CanonicalHeaderKey(name)
		if redact.Header(canonical) || !validHeader(canonical) {
			return
		}
		log, buf := newLogger(logging.Config{})
		h := logging.Middleware(log, logging.WithHeaders(name))(http.NotFoundHandler())
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header[canonical] = []string{redacttest.Canary + value}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if redacttest.Leaks(buf.String()) {
			t.Fatalf("header %q logged in clear:\n%s", name, buf.String())
		}
	})
}

// validHeader reports whether name is a header name a client can send
// (an RFC 9110 token that is not User-Agent, which the request log has
// as a field of its own).
func validHeader(name string) bool {
	if name == "" || name == "User-Agent" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"(),/:;<=>?@[\\]{}", c) >= 0 {
			return false
		}
	}
	return true
}
