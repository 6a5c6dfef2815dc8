package benchmarks

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"go.uber.org/zap"
)

// buildBinary compiles the main package in dir into a temporary file.
func buildBinary(b *testing.B, dir string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), filepath.Base(dir))
	if out, err := exec.Command("go", "build", "-o", bin, "./"+dir).CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", dir, err, out)
	}
	return bin
}

// BenchmarkAdminTask measures a one-off task from exec to exit: a bare Go
// program printing one line; the same program linking net/http and zap, as
// every service binary does; and a twelvekit admin App running a task that
// prints the same line after loading its config and building its logger.
func BenchmarkAdminTask(b *testing.B) {
	for _, bm := range []struct {
		name, dir string
		args      []string
	}{
		{"bare", "admin/bare", nil},
		{"linked", "admin/linked", nil},
		{"twelvekit", "admin/task", []string{"hello"}},
	} {
		b.Run(bm.name, func(b *testing.B) {
			bin := buildBinary(b, bm.dir)
			check, err := exec.Command(bin, bm.args...).Output()
			if err != nil || string(check) != "task done\n" {
				b.Fatalf("%s printed %q, %v; want \"task done\"", bm.name, check, err)
			}
			b.ResetTimer()
			for b.Loop() {
				if err := exec.Command(bin, bm.args...).Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
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
