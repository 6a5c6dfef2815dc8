package admin_test

import (
	"context"
	"io"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// benchConfig is the config of the benchmarked service.
type benchConfig struct {
	Lifecycle   lifecycle.Config
	Logging     logging.Config
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://db/shop"`
	BatchSize   int    `env:"BATCH_SIZE" envDefault:"100"`
}

// BenchmarkApp_Run measures the in-process part of a one-off task: App.Run
// from its call to its return, for a task that does nothing, with the
// logger built from the config as in a real run, against "by hand", what a
// hand-written main does for the same task: one config.Parse, one
// logging.New, signal.NotifyContext around the call. Each iteration runs
// both, in alternating order, each timed by the wall clock; the benchmark
// reports the median of each (admin-ns, hand-ns), the median of the
// per-iteration ratios (x-hand) and its quartiles (x-hand-p25, x-hand-p75),
// so that a busy machine slows both sides of a pair alike. ns/op is the
// pair's. "process" reads the test process's own environment (admin takes
// one snapshot per run), "map" a small map given with WithEnvironment
// (config.WithEnvironment and logging.WithEnvironment by hand).
//
//	go test -run '^$' -bench BenchmarkApp_Run -benchmem -count 5 ./admin/
func BenchmarkApp_Run(b *testing.B) {
	env := map[string]string{"BATCH_SIZE": "250", "RELEASE": "v1"}
	for _, mode := range []string{"process", "map"} {
		b.Run(mode, func(b *testing.B) {
			var cfg benchConfig
			app := admin.New("shop", &cfg, admin.WithOutput(io.Discard, io.Discard))
			app.Task("noop", "does nothing", func(context.Context, *admin.Call) error { return nil })
			var opts []admin.Option
			var copts []config.Option
			lopts := []logging.Option{logging.WithWriter(io.Discard)}
			if mode == "map" {
				opts = append(opts, admin.WithEnvironment(env))
				copts = append(copts, config.WithEnvironment(env))
				lopts = append(lopts, logging.WithEnvironment(env))
			}
			ctx, args := context.Background(), []string{"noop"}
			ours := func() {
				if code := app.Run(ctx, args, opts...); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
			task := func(context.Context) error { return nil }
			peer := func() {
				var cfg benchConfig
				if err := config.Parse(&cfg, copts...); err != nil {
					b.Fatal(err)
				}
				cfg.Logging.Service = "shop"
				log := logging.New(cfg.Logging, lopts...)
				ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
				err := task(ctx)
				stop()
				_ = log.Sync()
				if err != nil {
					b.Fatal(err)
				}
			}
			paired(b, ours, peer)
		})
	}
}

// paired runs ours and peer once each per iteration, in alternating order,
// and reports their median wall times and the spread of their ratio.
func paired(b *testing.B, ours, peer func()) {
	b.ReportAllocs()
	var o, p, ratio []float64
	i := 0
	for b.Loop() {
		var to, tp time.Duration
		if i%2 == 0 {
			to, tp = timed(ours), timed(peer)
		} else {
			tp, to = timed(peer), timed(ours)
		}
		i++
		o, p = append(o, float64(to)), append(p, float64(tp))
		ratio = append(ratio, float64(to)/float64(tp))
	}
	b.ReportMetric(quantile(o, 0.5), "admin-ns")
	b.ReportMetric(quantile(p, 0.5), "hand-ns")
	b.ReportMetric(quantile(ratio, 0.5), "x-hand")
	b.ReportMetric(quantile(ratio, 0.25), "x-hand-p25")
	b.ReportMetric(quantile(ratio, 0.75), "x-hand-p75")
}

func timed(f func()) time.Duration {
	start := time.Now()
	f()
	return time.Since(start)
}

func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}
