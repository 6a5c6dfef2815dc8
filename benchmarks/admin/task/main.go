// Command task is a twelvekit service binary running its one-off task
// "hello", which prints one line: what a team's admin task costs from exec to
// exit, config loading and logger included.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

type config struct {
	Lifecycle   lifecycle.Config
	Logging     logging.Config
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://localhost/shop" desc:"primary database"`
}

func main() {
	var cfg config
	app := admin.New("shop", &cfg)
	app.Task("hello", "print one line", func(ctx context.Context, c *admin.Call) error {
		fmt.Fprintln(c.Stdout, "task done")
		return nil
	})
	os.Exit(app.Run(context.Background(), os.Args[1:]))
}
