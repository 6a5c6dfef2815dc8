package logging_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// fixedClock is the clock of the loggers these tests build.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 123456789, time.UTC) }

// testEnv is the environment of the loggers these tests build.
func testEnv() map[string]string {
	return map[string]string{"RELEASE": "v1.2.3", "DYNO": "web.1"}
}

// buffer is a writer safe for concurrent use, as testkit.Buffer is, that
// is also a zapcore.WriteSyncer counting its Syncs.
type buffer struct {
	testkit.Buffer
	mu    sync.Mutex
	syncs int
}

func newBuffer() *buffer { return &buffer{} }

func (b *buffer) Sync() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.syncs++
	return nil
}

// lines returns the lines written so far.
func (b *buffer) lines() []string {
	s := strings.TrimSuffix(b.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// events decodes every line as one JSON object; a line that is not one
// fails the test.
func (b *buffer) events(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range b.lines() {
		out = append(out, decode(t, l))
	}
	return out
}

// wait returns the events once there are at least n, or fails the test
// after 10 s.
func (b *buffer) wait(t testing.TB, n int) []map[string]any {
	t.Helper()
	if !testkit.Within(10*time.Second, func() bool { return len(b.lines()) >= n }) {
		t.Fatalf("got %d events after 10s, want %d:\n%s", len(b.lines()), n, b.String())
	}
	return b.events(t)
}

func decode(t testing.TB, line string) map[string]any {
	t.Helper()
	var m map[string]any
	d := json.NewDecoder(strings.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("not one JSON object per line: %v\n%s", err, line)
	}
	if d.More() {
		t.Fatalf("more than one JSON value on a line:\n%s", line)
	}
	return m
}

// newLogger returns a logger of cfg writing to a new buffer, with the test
// environment and clock.
func newLogger(cfg logging.Config, opts ...logging.Option) (*zap.Logger, *buffer) {
	buf := newBuffer()
	opts = append([]logging.Option{
		logging.WithWriter(buf),
		logging.WithEnvironment(testEnv()),
		logging.WithClock(fixedClock),
	}, opts...)
	return logging.New(cfg, opts...), buf
}

// only returns the single event in buf, failing the test if there is not
// exactly one.
func only(t testing.TB, buf *buffer) map[string]any {
	t.Helper()
	ev := buf.events(t)
	if len(ev) != 1 {
		t.Fatalf("got %d events, want 1:\n%s", len(ev), buf.String())
	}
	return ev[0]
}

// num is a number as decode returns it.
func num(s string) any { return json.Number(s) }

// contextWith returns r's context with key set to v.
func contextWith(r *http.Request, key, v any) context.Context {
	return context.WithValue(r.Context(), key, v)
}

func zapInt(k string, v int) zap.Field { return zap.Int(k, v) }

func itoa(i int) string { return strconv.Itoa(i) }

func zapString(k, v string) zap.Field { return zap.String(k, v) }
