// Command configdemo loads a typed configuration from the environment with
// twelvekit's config package and prints each variable with where its value
// came from, credentials masked. It needs no set-up: every variable has a
// default or is optional.
//
//	go run ./examples/configdemo            # print the effective config
//	go run ./examples/configdemo -help      # print the variables it reads
//	PORT=x go run ./examples/configdemo     # see a config error (exit 78)
//	API_KEY=abc go run ./examples/configdemo
//	DATABASE_URL=postgres://app:pw@db/shop go run ./examples/configdemo
package main

import (
	"flag"
	"fmt"
	"os"
	"text/tabwriter"
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
	BootstrapToken  string        `env:"BOOTSTRAP_TOKEN,unset" desc:"one-time token, removed from the environment once read"`
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

	// The report records where each value came from as Load reads it, so
	// Explain shows what was loaded without reading the environment again
	// (BOOTSTRAP_TOKEN is gone from it by then).
	var rep config.Report
	opts := []config.Option{config.WithDotEnv(), config.WithReport(&rep)}
	cfg, err := config.Load[Config](opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(78) // EX_CONFIG
	}
	settings, err := config.Explain(&cfg, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VARIABLE\tSOURCE\tVALUE")
	for _, s := range settings {
		source := string(s.Source)
		if s.From != "" {
			source += " " + s.From
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", s.Name, source, s.Value)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
