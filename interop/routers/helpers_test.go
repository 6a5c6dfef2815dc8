package routers_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

func newLogger(env map[string]string, cfg logging.Config) (*zap.Logger, *testkit.Buffer) {
	buf := &testkit.Buffer{}
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
func requestEvents(t *testing.T, buf *testkit.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ev := range testkit.Events(t, buf.String()) {
		if ev["msg"] == "request" || ev["message"] == "request" {
			out = append(out, ev)
		}
	}
	return out
}
