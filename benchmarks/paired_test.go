package benchmarks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/logging"
)

// BenchmarkPaired measures every micro-benchmark target of the open issues
// as a paired, interleaved ratio timed by the thread's CPU clock (see
// paired): twelvekit first, its fair peer second. benchmarks/run.sh runs it
// several times and tabulates the x-PEER metrics with their spread.
func BenchmarkPaired(b *testing.B) {
	b.Run("config=map", benchPairedConfigMap)
	b.Run("config=process", benchPairedConfigProcess)
	b.Run("logging=middleware-incomingid", func(b *testing.B) { benchPairedMiddleware(b, true) })
	b.Run("logging=middleware-newid", func(b *testing.B) { benchPairedMiddleware(b, false) })
	b.Run("logging=slog", benchPairedSlog)
	for _, tt := range pairedURLs {
		b.Run("backing="+tt.family, func(b *testing.B) {
			paired(b,
				mustOp(b, "twelvekit", func() error { _, err := backing.Parse(tt.raw); return err }),
				mustOp(b, "neturl", func() error { _, err := url.Parse(tt.raw); return err }),
			)
		})
	}
	b.Run("admin=inprocess", benchPairedAdmin)
}

// pairedConfig is a service configuration both loaders read with the same
// tags (caarlos0/env's, which config is built on): strings, integers, a
// float, booleans, durations, a list, a URL, required variables, defaults
// and a nested struct with a prefix.
type pairedConfig struct {
	Port            int           `env:"PORT" envDefault:"8080"`
	Host            string        `env:"HOST" envDefault:"0.0.0.0"`
	DatabaseURL     string        `env:"DATABASE_URL,required"`
	RedisURL        string        `env:"REDIS_URL" envDefault:"redis://localhost:6379/0"`
	PublicURL       url.URL       `env:"PUBLIC_URL" envDefault:"https://shop.example.com"`
	APIKey          string        `env:"API_KEY,required"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info"`
	Workers         int           `env:"WORKERS" envDefault:"4"`
	QueueDepth      int           `env:"QUEUE_DEPTH" envDefault:"100"`
	SampleRatio     float64       `env:"SAMPLE_RATIO" envDefault:"0.25"`
	Debug           bool          `env:"DEBUG" envDefault:"false"`
	Maintenance     bool          `env:"MAINTENANCE"`
	RequestTimeout  time.Duration `env:"REQUEST_TIMEOUT" envDefault:"30s"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s"`
	DrainDelay      time.Duration `env:"DRAIN_DELAY" envDefault:"5s"`
	AllowedHosts    []string      `env:"ALLOWED_HOSTS" envSeparator:","`
	Region          string        `env:"REGION" envDefault:"eu-west-1"`
	Bucket          string        `env:"S3_BUCKET"`
	DB              struct {
		MaxConns int           `env:"MAX_CONNS" envDefault:"10"`
		Idle     time.Duration `env:"IDLE_TIMEOUT" envDefault:"5m"`
		ReadOnly bool          `env:"READ_ONLY"`
	} `envPrefix:"DB_"`
}

// pairedEnv is what the platform sets: 10 of the configuration's variables,
// and 3 it does not read.
func pairedEnv() map[string]string {
	return map[string]string{
		"PORT": "5000", "DATABASE_URL": "postgres://app@db.internal/shop", "API_KEY": "k3y",
		"WORKERS": "8", "REQUEST_TIMEOUT": "10s", "ALLOWED_HOSTS": "a.example.com,b.example.com",
		"S3_BUCKET": "uploads", "DB_MAX_CONNS": "20", "DEBUG": "true", "PUBLIC_URL": "https://shop.example.org",
		"DYNO": "web.1", "HOME": "/app", "PATH": "/usr/bin:/bin",
	}
}

// checkPaired fails unless c holds what pairedEnv sets and the defaults.
func checkPaired(b *testing.B, name string, c pairedConfig, err error) {
	b.Helper()
	if err != nil || c.Port != 5000 || c.Workers != 8 || c.DB.MaxConns != 20 || c.DB.Idle != 5*time.Minute ||
		len(c.AllowedHosts) != 2 || c.PublicURL.Host != "shop.example.org" || c.Region != "eu-west-1" || !c.Debug {
		b.Fatalf("%s loaded %+v, %v", name, c, err)
	}
}

// benchPairedConfigMap: config.Load with an environment map against
// caarlos0/env given the same map. Target (issue 15): within 1.05x.
func benchPairedConfigMap(b *testing.B) {
	m := pairedEnv()
	c, err := config.Load[pairedConfig](config.WithEnvironment(m))
	checkPaired(b, "twelvekit", c, err)
	var p pairedConfig
	checkPaired(b, "caarlos0", p, env.ParseWithOptions(&p, env.Options{Environment: m}))
	paired(b,
		mustOp(b, "twelvekit", func() error { _, err := config.Load[pairedConfig](config.WithEnvironment(m)); return err }),
		mustOp(b, "caarlos0", func() error { var c pairedConfig; return env.ParseWithOptions(&c, env.Options{Environment: m}) }),
	)
}

// benchPairedConfigProcess: config.Load[T]() reading the process
// environment, as a service calls it, against env.Parse. Target (issue
// 15): within 1.05x.
func benchPairedConfigProcess(b *testing.B) {
	for k, v := range pairedEnv() {
		b.Setenv(k, v)
	}
	c, err := config.Load[pairedConfig]()
	checkPaired(b, "twelvekit", c, err)
	var p pairedConfig
	checkPaired(b, "caarlos0", p, env.Parse(&p))
	paired(b,
		mustOp(b, "twelvekit", func() error { _, err := config.Load[pairedConfig](); return err }),
		mustOp(b, "caarlos0", func() error { var c pairedConfig; return env.Parse(&c) }),
	)
}

// discardWriter is a ResponseWriter that keeps nothing but its header map,
// cleared before every request.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}

// recordingWriter records the status and body size for the hand-written
// middleware.
type recordingWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *recordingWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *recordingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

// handWrittenMiddleware is the request logger a team writes by hand when
// it logs the same nine fields as logging.Middleware: method, path, route,
// status, bytes, duration, remote address, user agent and a request ID,
// kept from X-Request-Id or made from 16 random bytes, and sent back in the
// response header.
func handWrittenMiddleware(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			id := r.Header.Get("X-Request-Id")
			if id == "" {
				var raw [16]byte
				_, _ = rand.Read(raw[:])
				id = hex.EncodeToString(raw[:])
			}
			w.Header().Set("X-Request-Id", id)
			rw := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rw, r)
			log.Info("request",
				zap.String("method", r.Method),
				zap.String("path", r.URL.Path),
				zap.String("route", r.Pattern),
				zap.Int("status", rw.status),
				zap.Int("bytes", rw.bytes),
				zap.Duration("duration", time.Since(start)),
				zap.String("remote_addr", r.RemoteAddr),
				zap.String("user_agent", r.UserAgent()),
				zap.String("request_id", id),
			)
		})
	}
}

// benchPairedMiddleware: one GET /orders/42 through a ServeMux route behind
// logging.Middleware against the hand-written nine-field middleware, both
// writing through the same logging.New logger to io.Discard; with an
// incoming X-Request-Id or without one (both then make an ID). Target
// (issue 12): at most 1.1x, and at most 3 allocations more.
func benchPairedMiddleware(b *testing.B, incoming bool) {
	log := logging.New(logging.Config{Service: "shop"}, logging.WithWriter(io.Discard),
		logging.WithEnvironment(map[string]string{"RELEASE": "4f2a9c1e", "DYNO": "web.1"}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"42","status":"paid"}`)
	})
	req := httptest.NewRequest("GET", "/orders/42", nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench")
	if incoming {
		req.Header.Set("X-Request-Id", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b")
	}
	serve := func(h http.Handler) func() {
		w := &discardWriter{h: http.Header{}}
		return func() {
			clear(w.h)
			h.ServeHTTP(w, req)
		}
	}
	paired(b,
		variant{"twelvekit", serve(logging.Middleware(log)(mux))},
		variant{"handwritten", serve(handWrittenMiddleware(log)(mux))},
		variant{"bare", serve(mux)},
	)
}

// benchPairedSlog: one info event with 8 attributes through logging.NewSlog
// against slog.NewJSONHandler, both to io.Discard. Target (issue 12):
// faster (below 1).
func benchPairedSlog(b *testing.B) {
	ours := logging.NewSlog(logging.New(logging.Config{Service: "shop"}, logging.WithWriter(io.Discard),
		logging.WithEnvironment(map[string]string{})))
	peer := slog.New(slog.NewJSONHandler(io.Discard, nil))
	ctx := context.Background()
	event := func(l *slog.Logger) func() {
		return func() {
			l.LogAttrs(ctx, slog.LevelInfo, "order paid",
				slog.String("order", "A-1042"), slog.String("customer", "c-77"), slog.String("currency", "EUR"),
				slog.Int("items", 3), slog.Int("cents", 4599), slog.Float64("discount", 0.1),
				slog.Bool("first", true), slog.Duration("took", 1250*time.Microsecond))
		}
	}
	paired(b, variant{"twelvekit", event(ours)}, variant{"slogjson", event(peer)})
}

// pairedURLs are one URL per backing family, as platforms hand them out.
var pairedURLs = []struct{ family, raw string }{
	{"postgres", "postgres://app:s3cr%40t@db.internal:5432/shop?sslmode=require&application_name=web"},
	{"mysql", "mysql://app:s3cret@db.internal:3306/shop?parseTime=true"},
	{"redis", "redis://:s3cret@cache.internal:6379/2"},
	{"amqp", "amqps://app:s3cret@rabbit.internal/vhost"},
	{"mqtt", "mqtt://app:s3cret@broker.internal:1883"},
	{"nats", "nats://app:s3cret@nats.internal:4222"},
}

// benchPairedAdmin is the library's own share of an admin task run, in
// process: config loading (the App's, lifecycle's and logging's), the
// logger, flag parsing and the task, without exec and package
// initialisation. Target (issue 13): under 0.1 ms. There is no peer; the
// figure is twelvekit-ns/op.
func benchPairedAdmin(b *testing.B) {
	type cfg struct {
		DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://localhost/shop"`
	}
	var c cfg
	app := admin.New("shop", &c)
	app.Task("hello", "print one line", func(_ context.Context, call *admin.Call) error {
		_, err := fmt.Fprintln(call.Stdout, "task done")
		return err
	})
	opts := []admin.Option{admin.WithOutput(io.Discard, io.Discard), admin.WithEnvironment(pairedEnv())}
	paired(b, variant{"twelvekit", func() {
		if code := app.Run(context.Background(), []string{"hello"}, opts...); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}})
}
