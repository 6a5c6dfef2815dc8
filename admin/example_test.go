package admin_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// ExampleApp shows a service with a web process type and a migrate task,
// run here in-process with its own environment, as a test would. In main,
// the last line is os.Exit(app.Run(context.Background(), os.Args[1:])).
func ExampleApp() {
	type Config struct {
		Lifecycle   lifecycle.Config
		Logging     logging.Config
		DatabaseURL string `env:"DATABASE_URL" envDefault:"sqlite:///tmp/shop.db" desc:"primary database"`
	}
	var cfg Config
	app := admin.New("shop", &cfg)
	app.Process("web", "serve the HTTP API", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		return g.HTTP("http", http.NotFoundHandler())
	})
	var dryRun *bool
	app.Task("migrate", "apply schema migrations",
		func(ctx context.Context, c *admin.Call) error {
			fmt.Fprintf(c.Stdout, "migrating %s (dry run: %t)\n", cfg.DatabaseURL, *dryRun)
			return nil
		},
		admin.WithFlags(func(fs *flag.FlagSet) { dryRun = fs.Bool("dry-run", false, "print the plan only") }),
	)

	code := app.Run(context.Background(), []string{"migrate", "-dry-run"},
		admin.WithEnvironment(map[string]string{"DATABASE_URL": "postgres://db.internal/shop"}),
		admin.WithLogger(zap.NewNop()),
		admin.WithOutput(os.Stdout, os.Stdout))
	fmt.Println("exit", code)
	// Output:
	// migrating postgres://db.internal/shop (dry run: true)
	// exit 0
}

// ExampleWithEnvironment runs the config built-in in-process: every
// variable, its value with secrets redacted, and where the value came from.
// The config holds no logging.Config, so the logger's variables are read
// alone, and listed too.
func ExampleWithEnvironment() {
	type Config struct {
		Port   int    `env:"PORT" envDefault:"8080"`
		DBURL  string `env:"DATABASE_URL"`
		Region string `env:"REGION"`
	}
	var cfg Config
	var out bytes.Buffer
	code := admin.New("shop", &cfg).Run(context.Background(), []string{"config"},
		admin.WithEnvironment(map[string]string{"DATABASE_URL": "postgres://shop:s3cret@db/shop"}),
		admin.WithLogger(zap.NewNop()),
		admin.WithOutput(&out, &out))
	fmt.Print(out.String())
	fmt.Println("exit", code)
	// Output:
	// VARIABLE      VALUE                               SOURCE
	// PORT          8080                                default
	// DATABASE_URL  postgres://shop:[REDACTED]@db/shop  environment
	// REGION                                            unset
	// LOG_LEVEL     info                                default
	// LOG_FORMAT    json                                default
	// LOG_KEYS      zap                                 default
	// LOG_SAMPLING  false                               default
	// LOG_BUFFER    0                                   default
	// SERVICE_NAME                                      unset
	// exit 0
}

// ExampleWithConfig registers a migrate task that reads only the database
// part of the service's configuration: it runs with DB_HOST alone, while the
// web process would need API_KEY too.
func ExampleWithConfig() {
	type DB struct {
		Host string `env:"HOST,required" desc:"database host" public:"true"`
		Name string `env:"NAME" envDefault:"shop" desc:"database name" public:"true"`
	}
	type Config struct {
		DB     DB            `envPrefix:"DB_"`
		APIKey config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	}
	var cfg Config
	app := admin.New("shop", &cfg)
	app.Task("migrate", "apply schema migrations", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintf(c.Stdout, "migrating %s on %s\n", cfg.DB.Name, cfg.DB.Host)
		return nil
	}, admin.WithConfig(&cfg.DB))
	app.Task("report", "send the daily report", func(ctx context.Context, c *admin.Call) error {
		return nil
	})

	env := admin.WithEnvironment(map[string]string{"DB_HOST": "db.internal"})
	out := admin.WithOutput(os.Stdout, os.Stdout)
	log := admin.WithLogger(zap.NewNop())
	fmt.Println("exit", app.Run(context.Background(), []string{"migrate"}, env, out, log))
	fmt.Println("exit", app.Run(context.Background(), []string{"report"}, env, out, log))
	// Output:
	// migrating shop on db.internal
	// exit 0
	// config: API_KEY: required but not set; want a secret value; set API_KEY, or API_KEY_FILE to a file holding it (key for the payments API)
	// exit 78
}

// ExampleWithLogging derives the log level from a variable of the service
// itself: SERVER_DEBUG=true logs debug events.
func ExampleWithLogging() {
	type Config struct {
		Logging logging.Config
		Debug   bool `env:"SERVER_DEBUG" desc:"log at debug level"`
	}
	var cfg Config
	app := admin.New("shop", &cfg, admin.WithLogging(func(cfg *Config, lc *logging.Config) {
		if cfg.Debug {
			lc.Level = logging.LevelDebug
		}
	}))
	app.Task("check", "check the stock", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintln(c.Stdout, "debug enabled:", c.Log.Core().Enabled(zap.DebugLevel))
		return nil
	})
	for _, debug := range []string{"false", "true"} {
		app.Run(context.Background(), []string{"check"},
			admin.WithEnvironment(map[string]string{"SERVER_DEBUG": debug}),
			admin.WithOutput(os.Stdout, os.Stdout))
	}
	// Output:
	// debug enabled: false
	// debug enabled: true
}
