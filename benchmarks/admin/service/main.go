// Command service is the fair peer of twelvekit's examples/hello and of an
// admin task: the same service glued by hand from caarlos0/env (config),
// zap (JSON logs on stdout), oklog/run (the run group) and net/http, with no
// twelvekit package. Without arguments it serves GET / and the /livez and
// /readyz probes on $PORT behind a request-logging middleware and stops
// gracefully on SIGTERM or SIGINT; with the argument "hello" it runs a
// one-off task that loads the same config, builds the same logger and prints
// "task done", as benchmarks/admin/task does on twelvekit's admin package.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/oklog/run"
	"go.uber.org/zap"
)

type config struct {
	Port            int           `env:"PORT" envDefault:"8080"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s"`
	DrainDelay      time.Duration `env:"DRAIN_DELAY" envDefault:"5s"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	Greeting        string        `env:"GREETING" envDefault:"hello, world"`
	DatabaseURL     string        `env:"DATABASE_URL" envDefault:"postgres://localhost/shop"`
}

func main() { os.Exit(serve(os.Args[1:])) }

func serve(args []string) int {
	var cfg config
	if err := env.Parse(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 78
	}
	zc := zap.NewProductionConfig()
	zc.OutputPaths = []string{"stdout"}
	if err := zc.Level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintln(os.Stderr, "LOG_LEVEL:", err)
		return 78
	}
	log, err := zc.Build()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer log.Sync()

	if len(args) > 0 {
		if args[0] != "hello" {
			fmt.Fprintf(os.Stderr, "unknown command %q\n", args[0])
			return 64
		}
		fmt.Println("task done")
		return 0
	}

	var ready atomic.Bool
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, cfg.Greeting) })
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		log.Error("listen", zap.Error(err))
		return 1
	}
	srv := &http.Server{Handler: logRequests(log, mux), ReadHeaderTimeout: 10 * time.Second}

	var g run.Group
	g.Add(func() error {
		ready.Store(true)
		return srv.Serve(ln)
	}, func(error) {
		ready.Store(false)
		time.Sleep(cfg.DrainDelay) // let load balancers see /readyz fail
		ctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	g.Add(run.SignalHandler(context.Background(), syscall.SIGTERM, os.Interrupt))
	err = g.Run()
	var sig run.SignalError
	if err != nil && !errors.As(err, &sig) && !errors.Is(err, http.ErrServerClosed) {
		log.Error("stopped", zap.Error(err))
		return 1
	}
	return 0
}

// logRequests logs one event per request with the fields a team logs.
func logRequests(log *zap.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Info("request", zap.String("method", r.Method), zap.String("path", r.URL.Path),
			zap.Int("status", sw.status), zap.Duration("duration", time.Since(start)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
