package admin_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// childEnv switches the test binary into the program it names.
const childEnv = "ADMIN_TEST_CHILD"

// programs are the programs the test binary runs as a child process: the
// shop of this file and those of programs_test.go.
var programs = map[string]func(args []string) int{
	"shop":  shopMain,
	"tasks": tasksMain,
	"stops": stopsMain,
}

// shopConfig is the configuration of the test service.
type shopConfig struct {
	Lifecycle   lifecycle.Config // PORT, SHUTDOWN_TIMEOUT, DRAIN_DELAY...
	Logging     logging.Config   // LOG_LEVEL, LOG_FORMAT...
	DatabaseURL string           `env:"DATABASE_URL,required" desc:"primary database"`
	APIKey      config.Secret    `env:"API_KEY,required" desc:"key for the payments API"`
	BatchSize   int              `env:"BATCH_SIZE" envDefault:"100" desc:"rows per batch"`
}

type exitCoder struct{ code int }

func (e exitCoder) Error() string { return fmt.Sprintf("wants exit %d", e.code) }
func (e exitCoder) ExitCode() int { return e.code }

// newShop builds the App under test: a web process type, a worker, tasks
// that succeed, fail and wait for a signal.
func newShop(cfg *shopConfig, opts ...admin.Option) *admin.App {
	app := admin.New("shop", cfg, opts...)
	app.Process("web", "serve the HTTP API", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /hello", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "hello") })
		return g.HTTP("http", mux)
	})
	app.Process("worker", "process jobs from the queue", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		return g.Go("jobs", func(ctx context.Context) error {
			c.Log.Info("worker started")
			<-ctx.Done()
			return ctx.Err()
		})
	})
	var steps *int
	app.Task("migrate", "apply schema migrations",
		func(ctx context.Context, c *admin.Call) error {
			fmt.Fprintf(c.Stdout, "migrated %d steps with batch %d, args %q\n", *steps, cfg.BatchSize, c.Args)
			c.Log.Info("migration done", zap.Int("steps", *steps))
			return nil
		},
		admin.WithHelp("Creates and upgrades the schema; safe to run twice."),
		admin.WithFlags(func(fs *flag.FlagSet) { steps = fs.Int("steps", 1, "number of steps to apply") }),
	)
	app.Task("fail", "a task that fails", func(ctx context.Context, c *admin.Call) error {
		return errors.New("the import file is missing; upload it first")
	})
	app.Task("exit42", "a task whose error has its own exit code", func(ctx context.Context, c *admin.Call) error {
		return fmt.Errorf("wrapped: %w", exitCoder{42})
	})
	app.Task("wait", "wait for a signal, then clean up", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintln(c.Stdout, "started")
		select {
		case <-ctx.Done():
		case <-time.After(20 * time.Second):
			return errors.New("no signal came")
		}
		fmt.Fprintln(c.Stdout, "cleanup done")
		return ctx.Err()
	})
	return app
}

func shopMain(args []string) int {
	var cfg shopConfig
	return newShop(&cfg, admin.WithPlatformProcessType()).Run(context.Background(), args)
}
