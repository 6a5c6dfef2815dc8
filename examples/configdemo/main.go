// Command configdemo loads a typed configuration from the environment with
// twelvekit's config package and prints it, secrets redacted. It needs no
// set-up: every variable has a default or is optional.
//
//	go run ./examples/configdemo            # print the effective config
//	go run ./examples/configdemo -help      # print the variables it reads
//	PORT=x go run ./examples/configdemo     # see a config error (exit 78)
//	API_KEY=abc go run ./examples/configdemo
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

// Config is what the demo reads from the environment.
type Config struct {
	Port            int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
	ShutdownTimeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"time allowed for a graceful stop"`
	LogLevel        string        `env:"LOG_LEVEL" envDefault:"info" desc:"debug, info, warn or error"`
	APIKey          config.Secret `env:"API_KEY" desc:"key for the payments API; also read from API_KEY_FILE"`
	Features        []string      `env:"FEATURES" envDefault:"search,checkout" desc:"features switched on"`
	Database        struct {
		URL      string `env:"URL" envDefault:"sqlite:///tmp/demo.db" desc:"database URL"`
		MaxConns int    `env:"MAX_CONNS" envDefault:"10" desc:"connection pool size"`
	} `envPrefix:"DATABASE_"`
}

func main() {
	help := flag.Bool("help", false, "print the variables the demo reads")
	flag.Parse()
	if *help {
		doc, err := config.Describe(Config{})
		if err == nil {
			err = doc.WriteText(os.Stdout)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}

	cfg, err := config.Load[Config](config.WithDotEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(78) // EX_CONFIG
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
