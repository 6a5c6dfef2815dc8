//go:build unix

package benchmarks

import (
	"context"
	"io"
	stdlog "log"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
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
// benchmark's own thread per op as cpu-ns/op (on Linux, see cpuNow). On a
// shared machine other processes inflate the wall time of a run but not
// this thread's CPU time, so cpu-ns/op varies less from run to run; it
// leaves out the GC's background workers, which run on other threads, so it
// favours code that allocates more.
func measure(b *testing.B, f func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	c0, ok := cpuNow()
	for b.Loop() {
		f()
	}
	if c1, ok1 := cpuNow(); ok && ok1 {
		b.ReportMetric(float64(c1-c0)/float64(b.N), "cpu-ns/op")
	}
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
	// With a request's context, which adds request_id and the trace fields.
	b.Run("lib=twelvekit-ctx", func(b *testing.B) {
		log := twelvekitLogger()
		l, rctx := logging.NewSlog(log), requestContext(log)
		measure(b, func() { logSlog8(rctx, l) })
	})
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

// sameFieldsMiddleware is the minimal middleware logging the same fields
// as twelvekit's (route, remote address, user agent and a request ID
// added), and the trace fields when a traceparent of the right length is
// present (sliced out, not validated), without making the ID, setting the
// header, putting a logger in the context or recovering panics: against it,
// the difference is the work beyond encoding.
func sameFieldsMiddleware(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r)
			fields := [...]zap.Field{
				zap.String("method", r.Method),
				zap.String("path", r.URL.Path),
				zap.String("route", r.Pattern),
				zap.Int("status", sw.status),
				zap.Int("bytes", sw.bytes),
				zap.Duration("duration", time.Since(start)),
				zap.String("remote_addr", r.RemoteAddr),
				zap.String("user_agent", r.UserAgent()),
				zap.String("request_id", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b"),
				{}, {}, {},
			}
			n := 9
			if tp := r.Header["Traceparent"]; len(tp) == 1 && len(tp[0]) == 55 {
				fields[9] = zap.String("trace_id", tp[0][3:35])
				fields[10] = zap.String("span_id", tp[0][36:52])
				fields[11] = zap.Bool("trace_sampled", tp[0][54]&1 == 1)
				n = 12
			}
			log.Info("request", fields[:n]...)
		})
	}
}

// minimalMiddleware is the request logger a team writes by hand: method,
// path, status, bytes and duration, nothing else.
func minimalMiddleware(log *zap.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &recordingWriter{ResponseWriter: w, status: http.StatusOK}
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
// logging.New logger to io.Discard. Targets (issue 12): twelvekit's cost
// over bare at most 1.1x that of samefields, the hand-written middleware
// logging the same nine fields (and with a traceparent, the same trace
// fields: mw=samefields-trace against mw=twelvekit-trace), and at most 3
// allocations over bare.
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
	withTrace := func() *http.Request {
		r := withoutID()
		r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
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
		{"mw=samefields-trace", sameFieldsMiddleware(log)(mux), withTrace},
		{"mw=twelvekit-trace", logging.Middleware(log)(mux), withTrace},
		{"mw=chi", chi(mux), withoutID},
	} {
		b.Run(tt.name, func(b *testing.B) {
			w := &benchWriter{h: make(http.Header)}
			r := tt.req()
			measure(b, func() { tt.handler.ServeHTTP(w, r) })
		})
	}
}

// requestContext returns the context of a request that passed through
// logging.Middleware on log with a traceparent, as a handler sees it.
func requestContext(log *zap.Logger) context.Context {
	var ctx context.Context
	h := logging.Middleware(log)(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { ctx = r.Context() }))
	r := httptest.NewRequest(http.MethodGet, "/orders/42", nil)
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	h.ServeHTTP(&benchWriter{h: make(http.Header)}, r)
	return ctx
}

// interleave runs fs in rounds, one per b.Loop iteration: in each round
// every f runs a turn of batch operations, in an order that rotates from
// round to round, timed by the CPU clock of the benchmark's thread (locked
// to it) where the system has one, else the wall clock. It returns the time
// of one operation of each f in each round. Load from other processes comes
// in bursts longer than a round (a few hundred microseconds), so it weighs
// on every variant alike and per-round ratios stay steady where separate
// runs are not; thread CPU time leaves out the time the thread waits for a
// core, and the GC's background workers, which favours what allocates more.
func interleave(b *testing.B, fs ...func()) [][]float64 {
	const batch = 128
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, cpu := cpuNow()
	now := func() time.Duration {
		if cpu {
			d, _ := cpuNow()
			return d
		}
		return time.Duration(time.Now().UnixNano())
	}
	for _, f := range fs {
		f() // warm: first-call costs, pools
	}
	per := make([][]float64, len(fs))
	round := 0
	for b.Loop() {
		for k := range fs {
			i := (round + k) % len(fs)
			t0 := now()
			for range batch {
				fs[i]()
			}
			per[i] = append(per[i], float64(now()-t0)/batch)
		}
		round++
	}
	// A round's time, bytes and allocations mean nothing alone; the script
	// reads only the ratios.
	b.ReportMetric(0, "ns/op")
	return per
}

// reportRatio reports, as NAME and NAME-ci, the median over rounds of
// f(round) and the half width of its 95 % confidence interval as a fraction
// of it (see medianCI).
func reportRatio(b *testing.B, per [][]float64, name string, f func(t []float64) float64) {
	rs := make([]float64, len(per[0]))
	t := make([]float64, len(per))
	for r := range rs {
		for i := range per {
			t[i] = per[i][r]
		}
		rs[r] = f(t)
	}
	b.ReportMetric(median(rs), name)
	if ci := medianCI(rs); !math.IsNaN(ci) {
		b.ReportMetric(ci, name+"-ci")
	}
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
// handler over what its peer adds (added-x-minimal, added-x-samefields,
// trace-added-x-samefields), each the median of the per-round ratios with
// NAME-ci, the half width of its 95 % confidence interval as a fraction.
func BenchmarkLoggingPaired(b *testing.B) {
	ctx := context.Background()
	b.Run("cmp=zap", func(b *testing.B) {
		zl, same, tk := zap.New(productionCore()), sameOutputLogger(), twelvekitLogger()
		per := interleave(b,
			func() { logZap8(zl) },
			func() { logZap8(same) },
			func() { logZap8(tk) },
		)
		reportRatio(b, per, "x-zap", func(t []float64) float64 { return t[2] / t[0] })
		reportRatio(b, per, "x-zapsame", func(t []float64) float64 { return t[2] / t[1] })
	})
	b.Run("cmp=slog", func(b *testing.B) {
		zl, zn := zap.New(productionCore()), twelvekitLogger()
		sj := slog.New(slog.NewJSONHandler(io.Discard, nil))
		zs := slog.New(zapslog.NewHandler(productionCore()))
		tk := logging.NewSlog(twelvekitLogger())
		nop := slog.New(nopHandler{})
		per := interleave(b,
			func() { logZap8(zl) },
			func() { logZap8(zn) },
			func() { logSlog8(ctx, sj) },
			func() { logSlog8(ctx, zs) },
			func() { logSlog8(ctx, tk) },
			func() { logSlog8(ctx, nop) },
		)
		reportRatio(b, per, "x-zap", func(t []float64) float64 { return t[4] / t[0] })
		reportRatio(b, per, "x-zapnew", func(t []float64) float64 { return t[4] / t[1] })
		reportRatio(b, per, "x-slogjson", func(t []float64) float64 { return t[4] / t[2] })
		reportRatio(b, per, "x-zapslog", func(t []float64) float64 { return t[4] / t[3] })
		// What slog.Logger costs before any handler runs (the caller's PC,
		// the Record), as a share of the zap event on the same logger.
		reportRatio(b, per, "sloglogger-x-zapnew", func(t []float64) float64 { return t[5] / t[1] })
	})
	b.Run("cmp=slogctx", func(b *testing.B) {
		// The same event logged with a request's context: twelvekit adds
		// request_id, trace_id, span_id and trace_sampled from it; the
		// JSON handler is given the same four as With attributes (which
		// it pre-encodes), and without them.
		log := twelvekitLogger()
		rctx := requestContext(log)
		sj := slog.New(slog.NewJSONHandler(io.Discard, nil))
		sjWith := sj.With("request_id", "6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b",
			"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "span_id", "00f067aa0ba902b7", "trace_sampled", true)
		tk := logging.NewSlog(log)
		per := interleave(b,
			func() { logSlog8(ctx, sj) },
			func() { logSlog8(ctx, sjWith) },
			func() { logSlog8(rctx, tk) },
			func() { logSlog8(ctx, tk) },
		)
		reportRatio(b, per, "ctx-x-slogjson", func(t []float64) float64 { return t[2] / t[0] })
		reportRatio(b, per, "ctx-x-slogjsonwith", func(t []float64) float64 { return t[2] / t[1] })
		reportRatio(b, per, "ctx-x-noctx", func(t []float64) float64 { return t[2] / t[3] })
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
		rtrace := r.Clone(ctx)
		rtrace.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		w := &benchWriter{h: make(http.Header)}
		minimal, same := minimalMiddleware(log)(mux), sameFieldsMiddleware(log)(mux)
		tk := logging.Middleware(log)(mux)
		per := interleave(b,
			func() { mux.ServeHTTP(w, r) },
			func() { minimal.ServeHTTP(w, r) },
			func() { same.ServeHTTP(w, r) },
			func() { tk.ServeHTTP(w, r) },
			func() { tk.ServeHTTP(w, rid) },
			func() { same.ServeHTTP(w, rtrace) },
			func() { tk.ServeHTTP(w, rtrace) },
		)
		// What a middleware adds to the bare handler, over what its peer
		// adds, round by round.
		added := func(i, peer int) func(t []float64) float64 {
			return func(t []float64) float64 { return (t[i] - t[0]) / (t[peer] - t[0]) }
		}
		reportRatio(b, per, "samefields-added-x-minimal", added(2, 1))
		reportRatio(b, per, "added-x-minimal", added(3, 1))
		reportRatio(b, per, "incomingid-added-x-minimal", added(4, 1))
		reportRatio(b, per, "added-x-samefields", added(3, 2))
		reportRatio(b, per, "incomingid-added-x-samefields", added(4, 2))
		reportRatio(b, per, "trace-added-x-samefields", added(6, 5))
	})
}

// loadRound and loadRounds size BenchmarkLoggingHTTP: each round serves
// each server for loadRound, in an order that rotates from round to round.
// The defaults keep a -benchtime=1x run (as CI makes) under a second;
// bench-logging.sh sets LOGGING_LOAD_ROUND=500ms and LOGGING_LOAD_ROUNDS=20:
// short rounds, many of them, so that the per-round ratios see the same
// machine.
func loadSettings() (round time.Duration, rounds int) {
	round, rounds = 150*time.Millisecond, 1
	if d, err := time.ParseDuration(os.Getenv("LOGGING_LOAD_ROUND")); err == nil && d > 0 {
		round = d
	}
	if n, err := strconv.Atoi(os.Getenv("LOGGING_LOAD_ROUNDS")); err == nil && n > 0 {
		rounds = n
	}
	return round, rounds
}

// loadResult is what one server served in one round.
type loadResult struct {
	requests  int
	elapsed   time.Duration
	cpu       time.Duration // of the whole process: client and server
	latencies []time.Duration
}

// processCPU returns the CPU time the process has used, all threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// load sends GET url from workers goroutines, each with one keep-alive
// connection, until d has passed, and returns what they got.
func load(b *testing.B, client *http.Client, url string, workers int, d time.Duration) loadResult {
	var wg sync.WaitGroup
	lat := make([][]time.Duration, workers)
	errs := make(chan error, workers)
	start, cpu0 := time.Now(), processCPU()
	deadline := start.Add(d)
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := make([]time.Duration, 0, 1<<14)
			for {
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				resp, err := client.Get(url)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				l = append(l, time.Since(t0))
			}
			lat[i] = l
		}()
	}
	wg.Wait()
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	var r loadResult
	r.elapsed, r.cpu = elapsed, cpu
	for _, l := range lat {
		r.requests += len(l)
		r.latencies = append(r.latencies, l...)
	}
	return r
}

// BenchmarkLoggingHTTP is a load run over loopback: a Go client with 8
// keep-alive connections against four servers of the same ServeMux
// route, bare, behind the minimal hand-written middleware, behind
// logging.Middleware and behind the hand-written one logging the same
// fields, all logging to io.Discard through logging.New. The
// servers take turns (interleaved rounds, see loadSettings). It reports
// each server's requests per second (the median over rounds) and the 99th
// percentile latency over all its requests, twelvekit's ratios of req/s to
// the others (the median of the per-round ratios, with NAME-ci), and the
// process's CPU time per request with twelvekit's ratios to the others'. Run it with -benchtime=1x: one run is the whole measurement.
func BenchmarkLoggingHTTP(b *testing.B) {
	mux := http.NewServeMux()
	body := []byte(`{"id":"42","status":"paid"}`)
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(body)
	})
	log := twelvekitLogger()
	names := []string{"bare", "minimal", "twelvekit", "samefields"}
	servers := []*httptest.Server{
		httptest.NewServer(mux),
		httptest.NewServer(minimalMiddleware(log)(mux)),
		httptest.NewServer(logging.Middleware(log)(mux)),
		httptest.NewServer(sameFieldsMiddleware(log)(mux)),
	}
	defer func() {
		for _, s := range servers {
			s.Close()
		}
	}()
	const workers = 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	round, rounds := loadSettings()

	for b.Loop() {
		rps := make([][]float64, len(servers))
		cpu := make([][]float64, len(servers)) // µs of process CPU per request
		lat := make([][]time.Duration, len(servers))
		for _, s := range servers { // warm the connections and the code
			load(b, client, s.URL+"/orders/42", workers, 20*time.Millisecond)
		}
		for n := range rounds {
			for k := range servers {
				i := (k + n) % len(servers)
				r := load(b, client, servers[i].URL+"/orders/42", workers, round)
				rps[i] = append(rps[i], float64(r.requests)/r.elapsed.Seconds())
				cpu[i] = append(cpu[i], float64(r.cpu.Microseconds())/float64(r.requests))
				lat[i] = append(lat[i], r.latencies...)
			}
		}
		for i := range servers {
			slices.Sort(lat[i])
			b.ReportMetric(median(rps[i]), names[i]+"-req/s")
			b.ReportMetric(median(cpu[i]), names[i]+"-cpu-µs/req")
			b.ReportMetric(float64(lat[i][len(lat[i])*99/100].Microseconds()), names[i]+"-p99-µs")
		}
		// Ratios of req/s within each round, where the machine's other
		// load weighs on all four servers alike.
		for _, c := range []struct {
			name string
			i, j int
		}{
			{"twelvekit-rps-x-bare", 2, 0},
			{"twelvekit-rps-x-minimal", 2, 1},
			{"twelvekit-rps-x-samefields", 2, 3},
			{"minimal-rps-x-bare", 1, 0},
		} {
			reportRatio(b, rps, c.name, func(t []float64) float64 { return t[c.i] / t[c.j] })
		}
		// The process's CPU time per request (client, server, runtime), as
		// a ratio round by round; steadier than req/s on a shared machine,
		// since other processes' load does not count.
		for _, c := range []struct {
			name string
			i, j int
		}{
			{"twelvekit-cpu-x-bare", 2, 0},
			{"twelvekit-cpu-x-minimal", 2, 1},
			{"twelvekit-cpu-x-samefields", 2, 3},
		} {
			reportRatio(b, cpu, c.name, func(t []float64) float64 { return t[c.i] / t[c.j] })
		}
	}
	b.ReportMetric(0, "ns/op")
}
