package redact

import (
	"log/slog"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// TestCorpus plants the canary in every credential place of the corpus:
// Text never shows it.
func TestCorpus(t *testing.T) {
	t.Parallel()
	vals := redacttest.Values()
	if len(vals) < 300 {
		t.Fatalf("corpus has %d values, want at least 300", len(vals))
	}
	for _, v := range vals {
		if out := Text(v); redacttest.Leaks(out) {
			t.Errorf("Text(%q) = %q shows the canary", v, out)
		}
		if out, ok := URL(v); ok && redacttest.Leaks(out) {
			t.Errorf("URL(%q) = %q shows the canary", v, out)
		}
	}
}

// TestShown: the rule keeps hosts, ports, database names, role user names
// and safe query values visible.
func TestShown(t *testing.T) {
	t.Parallel()
	for _, s := range redacttest.ShownValues() {
		out := Text(s.In)
		for _, w := range s.Want {
			if !strings.Contains(out, w) {
				t.Errorf("Text(%q) = %q, want it to show %q", s.In, out, w)
			}
		}
		if strings.Contains(out, "pw") && strings.Contains(s.In, ":pw@") {
			t.Errorf("Text(%q) = %q shows the password", s.In, out)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"hunter2", Mask},
		{"true", "true"},
		{"OFF", "OFF"},
		{"1234", Mask},
		{"db.internal", "db.internal"},
		{"db.internal:5432", "db.internal:5432"},
		{"10.0.0.7", "10.0.0.7"},
		{"[::1]:6379", "[::1]:6379"},
		{"localhost", "localhost"},
		{"ghp_abc.def", Mask},
		{"Zq7canary9Wx.example", Mask},
		{"abc.123", Mask},
		{"singleword", Mask},
		{"postgres://app:hunter2@db:5432/shop", "postgres://app:[REDACTED]@db:5432/shop"},
		{"postgres://app@db/shop", "postgres://app@db/shop"},
		{"postgres://db/shop?sslmode=require&foo=bar", "postgres://db/shop?sslmode=require&[REDACTED]=[REDACTED]"},
		{"redis://:hunter2@cache:6379/0", "redis://:[REDACTED]@cache:6379/0"},
		{"nats://hunter2@host:4222", "nats://[REDACTED]@host:4222"},
		{"nats://app:hunter2@host:4222", "nats://[REDACTED]@host:4222"},
		{"https://hunter2:x-oauth-basic@host/", "https://[REDACTED]@host/"},
		{"https://host/a/b?page=2#frag", "https://host/[REDACTED]/[REDACTED]?[REDACTED]=[REDACTED]#[REDACTED]"},
		{"https://host/p?to=ops@shop.example", "https://[REDACTED]"},
		{"amqp://u:p@mq/vh/extra", "amqp://u:[REDACTED]@mq/vh/[REDACTED]"},
		{"sqlite:///var/db/app.db?_auth_pass=x", "sqlite:///var/db/app.db?_auth_pass=[REDACTED]"},
		{"sqlite:app.db?mode=ro", "sqlite:app.db?mode=ro"},
		{"jdbc:oracle:thin:app/pw@//db:1521/svc", "jdbc:oracle:[REDACTED]"},
		{"jdbc:sqlserver://db:1433;databaseName=shop;password=pw", "jdbc:sqlserver://db:1433;databaseName=shop;password=[REDACTED]"},
		{"Server=db;Database=x;Foo=bar", "Server=db;Database=x;[REDACTED]"},
		{"host=db foo=bar password=x", "host=db [REDACTED] password=[REDACTED]"},
		{"abc==", Mask},
		{"foo=bar;baz=1", Mask},
		{"rediss://cache:6379/0?skip_verify=true" + InsecureNote, "rediss://cache:6379/0?skip_verify=true" + InsecureNote},
		{"foo://u:p@h:1/a?b=c", "foo://[REDACTED]@h:1/[REDACTED]?[REDACTED]=[REDACTED]"},
		{"postgres://db:port/x", "postgres://db:[REDACTED]/x"},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.want {
			t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeType(t *testing.T) {
	t.Parallel()
	type level int8
	type mode string
	safe := []any{true, 1, int8(1), uint16(1), 1.5, time.Second, level(1), slog.LevelInfo,
		time.Now(), time.UTC, netip.Addr{}, netip.AddrPort{}, netip.Prefix{}, []int{1},
		map[int]bool{}, new(int), [2]time.Duration{}}
	for _, v := range safe {
		if !SafeType(reflect.TypeOf(v)) {
			t.Errorf("SafeType(%T) = false, want true", v)
		}
	}
	unsafe := []any{"x", mode("x"), []byte("x"), []string{"x"}, map[string]int{}, struct{}{}, new(string)}
	for _, v := range unsafe {
		if SafeType(reflect.TypeOf(v)) {
			t.Errorf("SafeType(%T) = true, want false", v)
		}
	}
	if got := Show(reflect.TypeFor[string](), "x", true); got != "x" {
		t.Errorf("Show(public) = %q, want x", got)
	}
	if got := Show(reflect.TypeFor[string](), "x", false); got != Mask {
		t.Errorf("Show(string) = %q, want %q", got, Mask)
	}
	if got := Show(nil, "8080", false); got != Mask {
		t.Errorf("Show(nil type) = %q, want %q", got, Mask)
	}
	if got := Show(reflect.TypeFor[int](), "8080", false); got != "8080" {
		t.Errorf("Show(int) = %q, want 8080", got)
	}
}

func TestHeader(t *testing.T) {
	t.Parallel()
	for _, h := range redacttest.Headers {
		if Header(h) {
			t.Errorf("Header(%q) = true: a credential header would be logged", h)
		}
	}
	for _, h := range []string{"Accept", "content-type", "USER-AGENT", "X-Forwarded-For", "X-Request-ID"} {
		if !Header(h) {
			t.Errorf("Header(%q) = false, want true", h)
		}
	}
}
