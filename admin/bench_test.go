package admin_test

import (
	"context"
	"io"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// BenchmarkApp_Run measures the in-process part of a one-off task: from
// App.Run to its return, for a task that does nothing, with the logger
// built from the config as in a real run. "process" reads the test
// process's own environment (one snapshot per run), "map" a small map.
func BenchmarkApp_Run(b *testing.B) {
	type Config struct {
		Lifecycle   lifecycle.Config
		Logging     logging.Config
		DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://db/shop"`
		BatchSize   int    `env:"BATCH_SIZE" envDefault:"100"`
	}
	for _, bc := range []struct {
		name string
		opts []admin.Option
	}{
		{"process", nil},
		{"map", []admin.Option{admin.WithEnvironment(map[string]string{"BATCH_SIZE": "250", "RELEASE": "v1"})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var cfg Config
			app := admin.New("shop", &cfg, admin.WithOutput(io.Discard, io.Discard))
			app.Task("noop", "does nothing", func(context.Context, *admin.Call) error { return nil })
			ctx := context.Background()
			args := []string{"noop"}
			b.ReportAllocs()
			for b.Loop() {
				if code := app.Run(ctx, args, bc.opts...); code != 0 {
					b.Fatalf("exit %d", code)
				}
			}
		})
	}
}
