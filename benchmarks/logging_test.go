//go:build unix

package benchmarks

import (
	"context"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"syscall"
	"testing"
	"time"

	chimw "github.com/go-chi/chi/v5/middleware"
	"github.com/rs/zerolog"
	"go.uber.org/zap"
	"go.uber.org/zap/exp/zapslog"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/logging"
)

// The logging benchmarks write one event with 8 typed fields to io.Discard
// with each logger (BenchmarkLoggingZap, BenchmarkLoggingSlog), a debug event
// below the level (BenchmarkLoggingSlogDisabled), and one request through
// each request-logging middleware (BenchmarkLoggingMiddleware). Sub-benchmark
// names are key=value (lib=..., mw=...) so benchstat can compare them as
// columns; see bench-logging.sh.

// measure runs f in b.Loop and reports, besides ns/op, the CPU time of the
// benchmark's own thread per op as cpu-ns/op (on Linux and FreeBSD). On a
// shared machine other processes inflate the wall time of a run but not
// this thread's CPU time, so cpu-ns/op varies less from run to run; it
// leaves out the GC's background workers, which run on other threads, so it
// favours code that allocates more.
func measure(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	c0, ok := threadCPU()
	for b.Loop() {
		f()
	}
	if c1, ok1 := threadCPU(); ok && ok1 {
		b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	}
}

// threadCPU returns the CPU time the calling thread has used.
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1 // RUSAGE_THREAD on Linux and FreeBSD; EINVAL elsewhere
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}

// loggingEnv is the environment the twelvekit logger reads its static
// fields from in these benchmarks.
func loggingEnv() map[string]string {
	return map[string]string{"RELEASE": "4f2a9c1e", "DYNO": "web.1"}
}

// twelvekitLogger is logging.New as a service calls it, writing to
// io.Discard instead of stdout.
func twelvekitLogger() *zap.Logger {
	return logging.New(logging.Config{Service: "shop"},
		logging.WithWriter(io.Discard),
		logging.WithEnvironment(loggingEnv()))
}

// productionCore is the hand-built zap production JSON core: zap's
// production encoder config, the writer locked as zap.Open locks stdout,
// info level.
func productionCore() zapcore.Core {
	return zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(zapcore.AddSync(io.Discard)),
		zapcore.InfoLevel,
	)
}

// sameOutputLogger is the production core changed by hand to write what
// logging.New writes: time as RFC 3339 in UTC instead of epoch seconds, and
// the service, release and instance fields. Against it, the difference is
// logging.New's wiring alone.
func sameOutputLogger() *zap.Logger {
	ec := zap.NewProductionEncoderConfig()
	ec.EncodeTime = func(t time.Time, enc zapcore.PrimitiveArrayEncoder) {
		zapcore.RFC3339NanoTimeEncoder(t.UTC(), enc)
	}
	core := zapcore.NewCore(zapcore.NewJSONEncoder(ec), zapcore.Lock(zapcore.AddSync(io.Discard)), zapcore.InfoLevel)
	return zap.New(core).With(
		zap.String("service", "shop"), zap.String("release", "4f2a9c1e"), zap.String("instance", "web.1"))
}

func logZap8(l *zap.Logger) {
	l.Info("order placed",
		zap.String("order_id", "ord_4f2a9c1e"),
		zap.Int("items", 3),
		zap.Float64("amount", 129.95),
		zap.String("currency", "EUR"),
		zap.Bool("gift", false),
		zap.Duration("took", 1500*time.Microsecond),
		zap.String("customer", "cus_81b0"),
		zap.Int64("attempt", 1),
	)
}

func logSlog8(ctx context.Context, l *slog.Logger) {
	l.LogAttrs(ctx, slog.LevelInfo, "order placed",
		slog.String("order_id", "ord_4f2a9c1e"),
		slog.Int("items", 3),
		slog.Float64("amount", 129.95),
		slog.String("currency", "EUR"),
		slog.Bool("gift", false),
		slog.Duration("took", 1500*time.Microsecond),
		slog.String("customer", "cus_81b0"),
		slog.Int64("attempt", 1),
	)
}

// BenchmarkLoggingZap compares the logger of logging.New with a zap logger
// on a hand-built production JSON core (the target: within 1.05x, same
// allocations). zapsame is that core made by hand to write the same output
// as twelvekit's (see sameOutputLogger); zerolog is for orientation.
func BenchmarkLoggingZap(b *testing.B) {
	b.Run("lib=zap", func(b *testing.B) {
		l := zap.New(productionCore())
		measure(b, func() { logZap8(l) })
	})
	b.Run("lib=zapsame", func(b *testing.B) {
		l := sameOutputLogger()
		measure(b, func() { logZap8(l) })
	})
	b.Run("lib=twelvekit", func(b *testing.B) {
		l := twelvekitLogger()
		measure(b, func() { logZap8(l) })
	})
	b.Run("lib=zerolog", func(b *testing.B) {
		l := zerolog.New(io.Discard).With().Timestamp().Logger()
		measure(b, func() {
			l.Info().
				Str("order_id", "ord_4f2a9c1e").
				Int("items", 3).
				Float64("amount", 129.95).
				Str("currency", "EUR").
				Bool("gift", false).
				Dur("took", 1500*time.Microsecond).
				Str("customer", "cus_81b0").
				Int64("attempt", 1).
				Msg("order placed")
		})
	})
}

// BenchmarkLoggingSlog compares slog front ends writing the same event with
// LogAttrs: twelvekit's logging.NewSlog, slog.NewJSONHandler, zapslog over
// the production core, and as references zap called directly, on the
// production core (lib=zap) and on the logger of logging.New that
// NewSlog writes to (lib=zapnew). Targets: faster than slogjson and zapslog,
// within 1.6x of zap.
func BenchmarkLoggingSlog(b *testing.B) {
	ctx := context.Background()
	b.Run("lib=zap", func(b *testing.B) {
		l := zap.New(productionCore())
		measure(b, func() { logZap8(l) })
	})
	b.Run("lib=zapnew", func(b *testing.B) {
		l := twelvekitLogger()
		measure(b, func() { logZap8(l) })
	})
	for _, tt := range []struct {
		name string
		new  func() *slog.Logger
	}{
		{"lib=slogjson", func() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }},
		{"lib=zapslog", func() *slog.Logger { return slog.New(zapslog.NewHandler(productionCore())) }},
		{"lib=twelvekit", func() *slog.Logger { return logging.NewSlog(twelvekitLogger()) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			l := tt.new()
			measure(b, func() { logSlog8(ctx, l) })
		})
	}
}

// BenchmarkLoggingSlogDisabled is a debug call on an info logger, through
// each slog front end (the target: 0 allocations for twelvekit).
func BenchmarkLoggingSlogDisabled(b *testing.B) {
	for _, tt := range []struct {
		name string
		new  func() *slog.Logger
	}{
		{"lib=slogjson", func() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }},
		{"lib=zapslog", func() *slog.Logger { return slog.New(zapslog.NewHandler(productionCore())) }},
		{"lib=twelvekit", func() *slog.Logger { return logging.NewSlog(twelvekitLogger()) }},
	} {
		b.Run(tt.name, func(b *testing.B) {
			l := tt.new()
			measure(b, func() { l.Debug("cache miss", "key", "user:42", "shard", 3) })
		})
	}
}

// benchWriter is a response writer that allocates nothing, so that the
// middleware benchmarks measure the middleware.
type benchWriter struct{ h http.Header }

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *benchWriter) WriteHeader(int)             {}

// statusWriter is the response writer of the minimal middleware.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.bytes += n
	return n, err
}

// sameFieldsMiddleware is the minimal middleware logging the same fields
// as twelvekit's (route, remote address, user agent and a request ID
// added), without making the ID, setting the header, putting a logger in the
// context or recovering panics: against it, the difference is the work
// beyond encoding.
func sameFieldsMiddleware(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			log.Info("request",
				zap.String("method", r.Method),
				zap.String("path", r.URL.Path),
				zap.String("route", r.Pattern),
				zap.Int("status", sw.status),
				zap.Int("bytes", sw.bytes),
				zap.Duration("duration", time.Since(start)),
				zap.String("remote_addr", r.RemoteAddr),
				zap.String("user_agent", r.UserAgent()),
				zap.String("request_id", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b"),
			)
		})
	}
}

// minimalMiddleware is the request logger a team writes by hand: method,
// path, status, bytes and duration, nothing else.
func minimalMiddleware(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			log.Info("request",
				zap.String("method", r.Method),
				zap.String("path", r.URL.Path),
				zap.Int("status", sw.status),
				zap.Int("bytes", sw.bytes),
				zap.Duration("duration", time.Since(start)),
			)
		})
	}
}

// BenchmarkLoggingMiddleware serves one GET /orders/42 through a ServeMux
// route, bare and behind each request logger: the minimal hand-written zap
// middleware, the same logging twelvekit's fields (samefields),
// twelvekit's logging.Middleware (with a request ID to make, and with an
// incoming X-Request-ID to keep) and chi's RequestLogger writing to a
// discarded log.Logger. The zap-based ones write through the same
// logging.New logger to io.Discard. Targets: twelvekit's cost over bare at
// most 1.2x the minimal one's, and at most 3 allocations over bare.
func BenchmarkLoggingMiddleware(b *testing.B) {
	mux := http.NewServeMux()
	body := []byte(`{"id":"42","status":"paid"}`)
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body)
	})
	log := twelvekitLogger()
	withoutID := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/orders/42", nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0")
		return r
	}
	withID := func() *http.Request {
		r := withoutID()
		r.Header.Set("X-Request-ID", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b")
		return r
	}
	chi := chimw.RequestLogger(&chimw.DefaultLogFormatter{Logger: stdlog.New(io.Discard, "", stdlog.LstdFlags), NoColor: true})
	for _, tt := range []struct {
		name    string
		handler http.Handler
		req     func() *http.Request
	}{
		{"mw=bare", mux, withoutID},
		{"mw=minimal", minimalMiddleware(log)(mux), withoutID},
		{"mw=samefields", sameFieldsMiddleware(log)(mux), withoutID},
		{"mw=twelvekit", logging.Middleware(log)(mux), withoutID},
		{"mw=twelvekit-incomingid", logging.Middleware(log)(mux), withID},
		{"mw=chi", chi(mux), withoutID},
	} {
		b.Run(tt.name, func(b *testing.B) {
			w := &benchWriter{h: make(http.Header)}
			r := tt.req()
			measure(b, func() { tt.handler.ServeHTTP(w, r) })
		})
	}
}

// interleave runs fs in turns, batch operations of each per turn, for as
// many turns as the benchmark time allows, and returns the mean wall time
// of one operation of each. Load from other processes comes in bursts
// longer than a turn (a few hundred microseconds), so it weighs on every
// variant alike and their ratios stay steady where separate runs are not.
func interleave(b *testing.B, fs ...func()) []float64 {
	const batch = 64
	total := make([]time.Duration, len(fs))
	turns := 0
	for b.Loop() {
		for i, f := range fs {
			t0 := time.Now()
			for range batch {
				f()
			}
			total[i] += time.Since(t0)
		}
		turns++
	}
	// A turn's time, bytes and allocations mean nothing alone; the script
	// reads only the ratios.
	b.ReportMetric(0, "ns/op")
	ns := make([]float64, len(fs))
	for i, t := range total {
		ns[i] = float64(t.Nanoseconds()) / float64(turns*batch)
	}
	return ns
}

// nopHandler is a slog.Handler that does nothing: slog.New(nopHandler{})
// costs what slog.Logger itself costs.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// BenchmarkLoggingPaired measures the ratios of the targets with the
// variants of the benchmarks above run in interleaved turns (see
// interleave). It reports ratios, not times: twelvekit's time over each
// peer's (x-PEER), and for the middleware what twelvekit adds to the bare
// handler over what the minimal middleware adds (added-x-minimal).
func BenchmarkLoggingPaired(b *testing.B) {
	ctx := context.Background()
	b.Run("cmp=zap", func(b *testing.B) {
		zl, same, tk := zap.New(productionCore()), sameOutputLogger(), twelvekitLogger()
		ns := interleave(b,
			func() { logZap8(zl) },
			func() { logZap8(same) },
			func() { logZap8(tk) },
		)
		b.ReportMetric(ns[2]/ns[0], "x-zap")
		b.ReportMetric(ns[2]/ns[1], "x-zapsame")
	})
	b.Run("cmp=slog", func(b *testing.B) {
		zl, zn := zap.New(productionCore()), twelvekitLogger()
		sj := slog.New(slog.NewJSONHandler(io.Discard, nil))
		zs := slog.New(zapslog.NewHandler(productionCore()))
		tk := logging.NewSlog(twelvekitLogger())
		nop := slog.New(nopHandler{})
		ns := interleave(b,
			func() { logZap8(zl) },
			func() { logZap8(zn) },
			func() { logSlog8(ctx, sj) },
			func() { logSlog8(ctx, zs) },
			func() { logSlog8(ctx, tk) },
			func() { logSlog8(ctx, nop) },
		)
		b.ReportMetric(ns[4]/ns[0], "x-zap")
		b.ReportMetric(ns[4]/ns[1], "x-zapnew")
		b.ReportMetric(ns[4]/ns[2], "x-slogjson")
		b.ReportMetric(ns[4]/ns[3], "x-zapslog")
		// What slog.Logger costs before any handler runs (the caller's PC,
		// the Record), as a share of the zap event on the same logger.
		b.ReportMetric(ns[5]/ns[1], "sloglogger-x-zapnew")
	})
	b.Run("cmp=middleware", func(b *testing.B) {
		mux := http.NewServeMux()
		body := []byte(`{"id":"42","status":"paid"}`)
		mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(body)
		})
		log := twelvekitLogger()
		r := httptest.NewRequest(http.MethodGet, "/orders/42", nil)
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0")
		rid := r.Clone(ctx)
		rid.Header.Set("X-Request-ID", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b")
		w := &benchWriter{h: make(http.Header)}
		minimal, same := minimalMiddleware(log)(mux), sameFieldsMiddleware(log)(mux)
		tk := logging.Middleware(log)(mux)
		ns := interleave(b,
			func() { mux.ServeHTTP(w, r) },
			func() { minimal.ServeHTTP(w, r) },
			func() { same.ServeHTTP(w, r) },
			func() { tk.ServeHTTP(w, r) },
			func() { tk.ServeHTTP(w, rid) },
		)
		added := func(i int) float64 { return (ns[i] - ns[0]) / (ns[1] - ns[0]) }
		b.ReportMetric(added(2), "samefields-added-x-minimal")
		b.ReportMetric(added(3), "added-x-minimal")
		b.ReportMetric(added(4), "incomingid-added-x-minimal")
	})
}
