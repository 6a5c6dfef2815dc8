package admin_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// dbConfig is what the migrate task of the tasks program reads, and a part
// of that program's whole configuration.
type dbConfig struct {
	Host     string `env:"HOST,required" desc:"database host" public:"true"`
	Name     string `env:"NAME" envDefault:"app" desc:"database name" public:"true"`
	Password string `env:"PASSWORD" desc:"database password, a plain string: masked as every plain string not tagged public"`
}

// reportConfig is the config of the report task alone.
type reportConfig struct {
	Logging logging.Config
	Window  time.Duration `env:"REPORT_WINDOW" envDefault:"24h" desc:"time the report covers"`
}

// tasksConfig is the tasks program's configuration. It holds no
// lifecycle.Config and no logging.Config: admin reads PORT and LOG_LEVEL
// alone for it.
type tasksConfig struct {
	DB          dbConfig      `envPrefix:"DB_"`
	APIKey      config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	Timeout     time.Duration `env:"SERVER_TIMEOUT_READ" envDefault:"5s" desc:"read timeout of the web server"`
	Debug       bool          `env:"SERVER_DEBUG" desc:"log at debug level"`
	Cache       backing.URL   `env:"CACHE_URL" envDefault:"redis://cache.internal:6379/0" desc:"the cache"`
	DBPassword  string        `env:"LEGACY_DB_PASSWORD" desc:"a credential in a plain string"`
	Greeting    string        `env:"GREETING" desc:"a plain string, read from GREETING_FILE in tests"`
	UpstreamURL string        `env:"UPSTREAM" desc:"a URL in a plain string"`
	WebhookURL  string        `env:"WEBHOOK" desc:"another"`
	CallbackURL string        `env:"CALLBACK" desc:"and another"`
	DeployToken string        `env:"DEPLOY_TOKEN,unset" desc:"removed from the process environment once read"`
	Release     string        `env:"RELEASE,unset" desc:"removed too: the logger still reads it from the snapshot" public:"true"`
}

// tasksMain is a service whose tasks are as robust as its process types:
// tasks that panic, ignore their context or run past a timeout, a migrate
// task that reads only DB_*, and a web process type whose setup fails.
func tasksMain(args []string) int {
	app, _ := newTasks()
	return app.Run(context.Background(), args)
}

// newTasks builds the tasks program with its own configs.
func newTasks(opts ...admin.Option) (*admin.App, *tasksConfig) {
	var cfg tasksConfig
	var report reportConfig
	opts = append([]admin.Option{admin.WithPlatformProcessType(),
		admin.WithLogging(func(c *tasksConfig, lc *logging.Config) {
			if c.Debug {
				lc.Level = logging.LevelDebug
			}
		})}, opts...)
	app := admin.New("tasks", &cfg, opts...)
	app.Task("migrate", "reads DB_* only", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintf(c.Stdout, "migrating %s/%s\n", cfg.DB.Host, cfg.DB.Name)
		return nil
	}, admin.WithConfig(&cfg.DB))
	app.Task("report", "reads its own config only", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintf(c.Stdout, "report over %s\n", report.Window)
		return nil
	}, admin.WithConfig(&report))
	app.Task("noop", "reads the whole config", func(ctx context.Context, c *admin.Call) error {
		c.Log.Debug("debug event")
		fmt.Fprintln(c.Stdout, "done")
		return nil
	})
	app.Task("panic", "panics", func(ctx context.Context, c *admin.Call) error {
		panic("the import file vanished")
	}, admin.WithConfig(&report))
	app.Task("stuck", "ignores its context", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintln(c.Stdout, "started")
		select {} // never returns, whatever the signals
	}, admin.WithConfig(&report))
	app.Task("slow", "runs past its timeout", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintln(c.Stdout, "started")
		time.Sleep(time.Hour)
		return nil
	}, admin.WithConfig(&report), admin.WithTimeout(300*time.Millisecond))
	app.Task("deadline", "returns at its deadline", func(ctx context.Context, c *admin.Call) error {
		<-ctx.Done()
		return ctx.Err()
	}, admin.WithConfig(&report), admin.WithTimeout(100*time.Millisecond))
	app.Process("web", "setup fails after adding a server", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		if err := g.HTTP("http", http.NotFoundHandler()); err != nil {
			return err
		}
		return errors.New("the templates are missing; build them first")
	})
	app.Process("serve", "serves", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		c.Log.Info("serving", zap.Int("port", 0))
		return g.HTTP("http", http.NotFoundHandler())
	})
	return app, &cfg
}
