package lifecycle

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// waitFor bounds every wait of the tests.
const waitFor = 10 * time.Second

// harness runs a Group in the background with fake signals and an observed
// logger.
type harness struct {
	g    *Group
	logs *observer.ObservedLogs
	sigs chan os.Signal
	done chan error
	// cancel cancels Run's context.
	cancel context.CancelFunc
}

// newHarness returns a group with cfg, a signal channel and an observed
// logger. Extra options are applied after those.
func newHarness(t testing.TB, cfg Config, opts ...Option) *harness {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	sigs := make(chan os.Signal, 8)
	all := append([]Option{WithLogger(zap.New(core)), withSignals(sigs)}, opts...)
	return &harness{g: New(cfg, all...), logs: logs, sigs: sigs}
}

// start runs the group in the background; cleanup makes sure Run returned.
func (h *harness) start(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	h.done = make(chan error, 1)
	go func() { h.done <- h.g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.done:
		case <-time.After(waitFor):
			t.Errorf("Run did not return within %s of the test's end", waitFor)
		}
	})
}

// wait returns Run's result, failing the test if it takes longer than d.
func (h *harness) wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-h.done:
		h.done <- err // let the cleanup see it too
		return err
	case <-time.After(d):
		t.Fatalf("Run did not return within %s", d)
		return nil
	}
}

// waitLog waits until an entry with message msg has been logged.
func (h *harness) waitLog(t testing.TB, msg string) observer.LoggedEntry {
	t.Helper()
	var e observer.LoggedEntry
	if !testkit.Within(waitFor, func() bool {
		es := h.logs.FilterMessage(msg).All()
		if len(es) > 0 {
			e = es[0]
		}
		return len(es) > 0
	}) {
		t.Fatalf("no log entry %q within %s; got %v", msg, waitFor, messages(h.logs))
	}
	return e
}

// count returns how many entries have the message msg.
func (h *harness) count(msg string) int { return h.logs.FilterMessage(msg).Len() }

func messages(logs *observer.ObservedLogs) []string {
	var out []string
	for _, e := range logs.All() {
		out = append(out, e.Message)
	}
	return out
}

// localListener returns a listener on a free loopback port.
func localListener(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// client returns an HTTP client without keep-alives, bounded in time; its
// idle connections are closed when the test ends.
func client(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: waitFor}
}

// get fetches url and returns the status and body.
func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

// waitStatus polls url until it answers want.
func waitStatus(t testing.TB, c *http.Client, url string, want int) string {
	t.Helper()
	var body, last string
	if !testkit.Within(waitFor, func() bool {
		resp, err := c.Get(url)
		if err != nil {
			last = err.Error()
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body, last = string(b), resp.Status+" "+string(b)
		return resp.StatusCode == want
	}) {
		t.Fatalf("GET %s never answered %d within %s; last: %s", url, want, waitFor, last)
	}
	return body
}

// decodeReady parses a /readyz body.
func decodeReady(t testing.TB, body string) readyBody {
	t.Helper()
	var b readyBody
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatalf("readyz body %q: %v", body, err)
	}
	return b
}

// recv waits for a value on c.
func recv[T any](t testing.TB, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(waitFor):
		t.Fatalf("%s: nothing within %s", what, waitFor)
		var zero T
		return zero
	}
}

// http404 answers 404 to everything.
type http404 struct{}

func (http404) ServeHTTP(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
