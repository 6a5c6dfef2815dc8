// Command hello is the smallest twelvekit web process: config from the
// environment, JSON logs on stdout, HTTP on $PORT (8080 when unset) with
// /livez and /readyz, and a graceful stop on SIGTERM.
//
//	go run ./examples/hello
//	curl localhost:8080/
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// Config is every variable hello reads.
type Config struct {
	Lifecycle lifecycle.Config // PORT, SHUTDOWN_TIMEOUT, DRAIN_DELAY, MANAGEMENT_PORT
	Logging   logging.Config   // LOG_LEVEL, LOG_FORMAT, LOG_KEYS...
	Greeting  string           `env:"GREETING" envDefault:"hello, world" desc:"what GET / answers"`
}

func main() { os.Exit(run()) }

func run() int {
	cfg, err := config.Load[Config](config.WithDotEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return lifecycle.ExitCode(err) // 78, EX_CONFIG
	}
	log := logging.New(cfg.Logging)
	defer log.Sync()
	// What the environment attaches (*_URL variables), printed by the one
	// redaction rule: scheme, hosts, ports and database show, no credential.
	log.Info("attached", zap.Stringers("backing", backing.Attached()))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, cfg.Greeting)
	})
	g := lifecycle.New(cfg.Lifecycle, lifecycle.WithLogger(log))
	g.HTTP("web", logging.Middleware(log, logging.WithSkipPaths("/livez", "/readyz"))(mux))
	return lifecycle.ExitCode(g.Run(context.Background()))
}
