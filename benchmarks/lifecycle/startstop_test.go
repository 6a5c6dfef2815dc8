package lifecyclebench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/oklog/run"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// BenchmarkStartStop times one cycle of a web process in one process: bind a
// loopback port, serve one request, stop gracefully. The baselines are a bare
// net/http server stopped with Shutdown and the same on an oklog/run group.
func BenchmarkStartStop(b *testing.B) {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello\n") })
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	b.Run("net/http", func(b *testing.B) {
		for b.Loop() {
			ln := listen(b)
			srv := &http.Server{Handler: hello, ReadHeaderTimeout: 10 * time.Second}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(ln) }()
			get(b, client, ln)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := srv.Shutdown(ctx); err != nil {
				b.Fatal(err)
			}
			cancel()
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				b.Fatal(err)
			}
		}
	})
	b.Run("oklog/run", func(b *testing.B) {
		for b.Loop() {
			ln := listen(b)
			srv := &http.Server{Handler: hello, ReadHeaderTimeout: 10 * time.Second}
			var g run.Group
			g.Add(func() error { return srv.Serve(ln) }, func(error) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				srv.Shutdown(ctx)
			})
			ctx, cancel := context.WithCancel(context.Background())
			g.Add(run.ContextHandler(ctx))
			done := make(chan error, 1)
			go func() { done <- g.Run() }()
			get(b, client, ln)
			cancel()
			<-done
		}
	})
	b.Run("lifecycle", func(b *testing.B) {
		for b.Loop() {
			ln := listen(b)
			g := lifecycle.New(lifecycle.Config{})
			g.HTTP("web", hello, lifecycle.WithListener(ln))
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- g.Run(ctx) }()
			get(b, client, ln)
			cancel()
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		}
	})
}

func listen(b *testing.B) net.Listener {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return ln
}

func get(b *testing.B, c *http.Client, ln net.Listener) {
	b.Helper()
	resp, err := c.Get("http://" + ln.Addr().String() + "/")
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		b.Fatalf("status %d", resp.StatusCode)
	}
}
