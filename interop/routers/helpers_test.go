package routers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

// buffer is a writer safe for concurrent use.
type buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// events decodes every line written so far as one JSON object.
func (b *buffer) events(t testing.TB) []map[string]any {
	t.Helper()
	b.mu.Lock()
	s := strings.TrimSpace(b.b.String())
	b.mu.Unlock()
	var out []map[string]any
	if s == "" {
		return nil
	}
	for _, line := range strings.Split(s, "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON event: %v\n%s", err, line)
		}
		out = append(out, m)
	}
	return out
}

func newLogger(env map[string]string, cfg logging.Config) (*zap.Logger, *buffer) {
	buf := &buffer{}
	return logging.New(cfg, logging.WithWriter(buf), logging.WithEnvironment(env)), buf
}

// serve starts h on a loopback server that the test closes.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// get sends a GET to url with client and headers and returns the status.
func get(t *testing.T, client *http.Client, url string, header http.Header) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	client.Timeout = 10 * time.Second
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// requestEvents returns the "request" events of buf.
func requestEvents(t *testing.T, buf *buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range buf.events(t) {
		if ev["msg"] == "request" || ev["message"] == "request" {
			out = append(out, ev)
		}
	}
	return out
}
