package admin_test

import (
	"context"
	"io"
	"os/signal"
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
// logger built from the config as in a real run. Beside it, "by-hand" does
// what a hand-written main does for the same task: one config.Parse, one
// logging.New, signal.Notify and Stop around the call. "process" reads the
// test process's own environment, "map" a small map given with
// WithEnvironment (config.WithEnvironment by hand). Besides ns/op (wall
// time) each reports cpu-ns/op: the CPU time of the whole test process per
// run (getrusage), which other processes on a busy machine do not inflate.
//
//	go test -run '^$' -bench BenchmarkApp_Run -benchmem -count 10 ./admin/
func BenchmarkApp_Run(b *testing.B) {
	env := map[string]string{"BATCH_SIZE": "250", "RELEASE": "v1"}
	for _, mode := range []string{"process", "map"} {
		b.Run("admin/"+mode, func(b *testing.B) {
			var cfg benchConfig
			app := admin.New("shop", &cfg, admin.WithOutput(io.Discard, io.Discard))
			app.Task("noop", "does nothing", func(context.Context, *admin.Call) error { return nil })
			var opts []admin.Option
			if mode == "map" {
				opts = append(opts, admin.WithEnvironment(env))
			}
			ctx, args := context.Background(), []string{"noop"}
			measure(b, func() {
				if code := app.Run(ctx, args, opts...); code != 0 {
					b.Fatalf("exit %d", code)
				}
			})
		})
		b.Run("by-hand/"+mode, func(b *testing.B) {
			var copts []config.Option
			var lopts = []logging.Option{logging.WithWriter(io.Discard)}
			if mode == "map" {
				copts = append(copts, config.WithEnvironment(env))
				lopts = append(lopts, logging.WithEnvironment(env))
			}
			task := func(context.Context) error { return nil }
			measure(b, func() {
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
			})
		})
	}
}

// measure runs f b.N times and reports the process's CPU time per run.
func measure(b *testing.B, f func()) {
	b.ReportAllocs()
	start := processCPU(b)
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
