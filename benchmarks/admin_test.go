package benchmarks

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"go.uber.org/zap"
)

// BenchmarkAdminTask measures a one-off task from exec to exit, every
// program built static and stripped (staticBuild), in interleaved rounds
// (processRounds): twelvekit's admin App running a task that prints one
// line after loading its config and building its logger (admin/task),
// against the fair peer, a service binary written by hand on caarlos0/env,
// zap, oklog/run and net/http whose task does the same (admin/service).
// For orientation: a program that only links net/http and zap without
// using them, so that the linker drops most of both (admin/linked, the
// former peer), and a bare Go program (admin/bare). Target (issue 13):
// within 1.1x of the hand-written service.
func BenchmarkAdminTask(b *testing.B) {
	bins := staticBuilds(b, ".", "admin/task", "admin/service", "admin/linked", "admin/bare")
	ps := []program{
		{name: "twelvekit", bin: bins[0], args: []string{"hello"}},
		{name: "service", bin: bins[1], args: []string{"hello"}},
		{name: "linked", bin: bins[2]},
		{name: "bare", bin: bins[3]},
	}
	processRounds(b, runTask("task done\n"), ps...)
}

// BenchmarkAdminHelp renders the help of a service with 20 commands and a
// config of a dozen variables. Target: under 1 ms.
func BenchmarkAdminHelp(b *testing.B) {
	type cfg struct {
		Port     int    `env:"PORT" envDefault:"8080" desc:"port to listen on"`
		DB       string `env:"DATABASE_URL,required" desc:"primary database"`
		Redis    string `env:"REDIS_URL" desc:"cache"`
		Level    string `env:"LOG_LEVEL" envDefault:"info" desc:"minimum level logged"`
		Workers  int    `env:"WORKERS" envDefault:"4" desc:"jobs processed at once"`
		Region   string `env:"REGION" envDefault:"eu-west-1" desc:"cloud region"`
		Timeout  string `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"graceful stop budget"`
		Drain    string `env:"DRAIN_DELAY" envDefault:"5s" desc:"drain before stopping"`
		Sentry   string `env:"SENTRY_DSN" desc:"error reporting"`
		Features string `env:"FEATURES" desc:"feature flags"`
		Bucket   string `env:"S3_BUCKET" desc:"uploads bucket"`
		Mail     string `env:"SMTP_URL" desc:"outgoing mail"`
	}
	var c cfg
	app := admin.New("shop", &c)
	task := func(context.Context, *admin.Call) error { return nil }
	for i := range 20 {
		app.Task(fmt.Sprintf("task%02d", i), "a task that does one thing well", task)
	}
	opts := []admin.Option{admin.WithOutput(io.Discard, io.Discard), admin.WithLogger(zap.NewNop()), admin.WithEnvironment(nil)}
	if code := app.Run(context.Background(), []string{"help"}, opts...); code != 0 {
		b.Fatalf("help exited %d", code)
	}
	for b.Loop() {
		app.Run(context.Background(), []string{"help"}, opts...)
	}
}

// BenchmarkAdminRunInProcess is the library's own share of a task run: config
// loading (the App's, lifecycle's and logging's), the logger, flag parsing
// and the task, without exec and package initialisation.
func BenchmarkAdminRunInProcess(b *testing.B) {
	type cfg struct {
		DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://localhost/shop"`
	}
	var c cfg
	app := admin.New("shop", &c)
	app.Task("hello", "print one line", func(_ context.Context, call *admin.Call) error {
		_, err := fmt.Fprintln(call.Stdout, "task done")
		return err
	})
	out := admin.WithOutput(io.Discard, io.Discard)
	for b.Loop() {
		if code := app.Run(context.Background(), []string{"hello"}, out); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
