package lifecycle

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

func TestGroup_HTTP_serverDefaults(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	type seen struct {
		readHeader, idle  time.Duration
		errorLog, handler bool
	}
	got := make(chan seen, 1)
	h.g.HTTP("web", http404{}, WithListener(localListener(t)), WithServer(func(s *http.Server) {
		got <- seen{s.ReadHeaderTimeout, s.IdleTimeout, s.ErrorLog != nil, s.Handler != nil}
	}), WithServer(nil))
	h.start(t)
	if s := recv(t, got, "server"); s != (seen{10 * time.Second, 120 * time.Second, true, true}) {
		t.Errorf("server defaults = %+v, want ReadHeaderTimeout 10s, IdleTimeout 120s, an ErrorLog and a Handler", s)
	}
}

// TestGroup_HTTP_readHeaderTimeout checks that WithServer overrides a default,
// and that ReadHeaderTimeout closes a connection whose headers never finish.
func TestGroup_HTTP_readHeaderTimeout(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln), WithServer(func(s *http.Server) {
		s.ReadHeaderTimeout = 100 * time.Millisecond
	}))
	h.start(t)
	h.waitLog(t, "ready")
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), waitFor)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n"); err != nil { // no final CRLF
		t.Fatal(err)
	}
	begin := time.Now()
	conn.SetReadDeadline(time.Now().Add(waitFor))
	_, err = io.ReadAll(conn)
	if err != nil {
		t.Fatalf("read: %v, want the server to close the connection", err)
	}
	if d := time.Since(begin); d > 2*time.Second {
		t.Errorf("server closed the slow connection after %s, want about 100ms", d)
	}
}

func TestGroup_HTTP_port(t *testing.T) {
	t.Parallel()
	port := testkit.FreePort(t)
	h := newHarness(t, Config{Port: port})
	h.g.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "on port") }))
	h.start(t)
	e := h.waitLog(t, "listening")
	if addr := e.ContextMap()["addr"]; !strings.HasSuffix(addr.(string), ":"+strconv.Itoa(port)) {
		t.Errorf("listening on %v, want port %d", addr, port)
	}
	c := client(t)
	waitStatus(t, c, "http://127.0.0.1:"+strconv.Itoa(port)+"/livez", 200)
	if code, body := get(t, c, "http://127.0.0.1:"+strconv.Itoa(port)+"/"); code != 200 || body != "on port" {
		t.Errorf("GET / = %d %q", code, body)
	}
}

func TestGroup_HTTP_portTaken(t *testing.T) {
	t.Parallel()
	taken := localListener(t)
	port := taken.Addr().(*net.TCPAddr).Port
	h := newHarness(t, Config{Port: port})
	h.g.HTTP("web", http404{}, WithAddr("127.0.0.1:"+strconv.Itoa(port)))
	h.start(t)
	err := h.wait(t, waitFor)
	if err == nil || !strings.Contains(err.Error(), taken.Addr().String()) || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Run = %v, want EADDRINUSE naming %s", err, taken.Addr())
	}
	if ExitCode(err) != 1 {
		t.Errorf("ExitCode = %d, want 1", ExitCode(err))
	}
}

// TestGroup_HTTP_keepAlivesEndAtStop checks that a keep-alive connection gets
// "Connection: close" during the drain, so the client reconnects through the
// load balancer.
func TestGroup_HTTP_keepAlivesEndAtStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{DrainDelay: 2 * time.Second, ShutdownTimeout: waitFor})
	ln := localListener(t)
	h.g.HTTP("web", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), WithListener(ln))
	h.start(t)
	h.waitLog(t, "ready")
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), waitFor)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(waitFor))
	br := bufio.NewReader(conn)
	roundTrip := func() *http.Response {
		t.Helper()
		if _, err := io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	if resp := roundTrip(); resp.Close {
		t.Fatal("keep-alive refused before the stop")
	}
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "draining: readiness fails, servers still serve")
	if resp := roundTrip(); resp.StatusCode != 200 || !resp.Close {
		t.Errorf("during the drain: status %d, close %v; want 200 with Connection: close", resp.StatusCode, resp.Close)
	}
	h.cancel()
}
