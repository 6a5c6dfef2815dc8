package config_test

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

// ExampleLoad loads a typed config from the environment. A map stands in for
// the process environment here; without WithEnvironment, Load reads os.Environ.
func ExampleLoad() {
	type Config struct {
		Port    int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
		Timeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s"`
		APIKey  config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	}
	cfg, err := config.Load[Config](config.WithEnvironment(map[string]string{
		"PORT":    "9000",
		"API_KEY": "sk_live_123",
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Port, cfg.Timeout, cfg.APIKey)
	// Output: 9000 25s [REDACTED]
}

// ExampleLoad_errors shows the report of a broken environment: every problem
// at once, one line each, no value quoted, and the list readable through
// errors.As.
func ExampleLoad_errors() {
	type Config struct {
		Port    int           `env:"PORT" envDefault:"8080"`
		Timeout time.Duration `env:"SHUTDOWN_TIMEOUT"`
		APIKey  config.Secret `env:"API_KEY,required"`
	}
	_, err := config.Load[Config](config.WithPrefix("SHOP_"), config.WithEnvironment(map[string]string{
		"SHOP_PORT":             "eighty",
		"SHOP_SHUTDOWN_TIMEOUT": "30",
	}))
	fmt.Println(err)

	var cerr *config.Error
	if errors.As(err, &cerr) {
		for _, p := range cerr.Problems {
			fmt.Printf("%s missing=%t\n", p.Var, errors.Is(p, config.ErrMissing))
		}
	}
	// Output:
	// config: 3 problems:
	// 	SHOP_PORT: not an integer; want a whole number such as 42
	// 	SHOP_SHUTDOWN_TIMEOUT: not a duration; want a duration such as 30s, 1m or 1h30m
	// 	SHOP_API_KEY: required but not set; want a secret value; set SHOP_API_KEY, or SHOP_API_KEY_FILE to a file holding it
	// SHOP_PORT missing=false
	// SHOP_SHUTDOWN_TIMEOUT missing=false
	// SHOP_API_KEY missing=true
}

// ExampleSecret shows that a Secret prints, marshals and logs as a redaction;
// only Reveal returns the value.
func ExampleSecret() {
	key := config.NewSecret("sk_live_123")
	fmt.Printf("%v %s %q %#v\n", key, key, key, key)

	log := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	log.Info("calling payments", "key", key, "unset", config.Secret{})

	fmt.Println(len(key.Reveal()))
	// Output:
	// [REDACTED] [REDACTED] "[REDACTED]" [REDACTED]
	// level=INFO msg="calling payments" key=[REDACTED] unset=[UNSET]
	// 11
}

// ExampleLoad_nameFile reads a secret from a file named by NAME_FILE, as
// Docker and Kubernetes secrets are mounted.
func ExampleLoad_nameFile() {
	dir, err := os.MkdirTemp("", "secrets")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "db_password")
	if err := os.WriteFile(path, []byte("s3cret\n"), 0o600); err != nil {
		fmt.Println(err)
		return
	}

	type Config struct {
		DBPassword config.Secret `env:"DB_PASSWORD,required"`
	}
	cfg, err := config.Load[Config](config.WithEnvironment(map[string]string{
		"DB_PASSWORD_FILE": path,
	}))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%q (%d bytes, trailing newline trimmed)\n", cfg.DBPassword, len(cfg.DBPassword.Reveal()))
	// Output: "[REDACTED]" (6 bytes, trailing newline trimmed)
}

type exampleHTTP struct {
	Port    int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
	Timeout time.Duration `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"time allowed for a graceful stop"`
}

type exampleConfig struct {
	HTTP   exampleHTTP
	DB     string        `env:"DATABASE_URL,required" desc:"primary database"`
	APIKey config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	Tags   []string      `env:"TAGS" envDefault:"web,eu" public:"true"`
}

// ExampleDescribe prints the documentation of a config struct as a --help
// table; WriteMarkdown and WriteDotEnv render the same Doc for a README and a
// .env.example.
func ExampleDescribe() {
	doc, err := config.Describe(exampleConfig{}, config.WithPrefix("SHOP_"))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := doc.WriteText(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// VARIABLE               TYPE             DEFAULT  REQUIRED  SECRET  DESCRIPTION
	// SHOP_PORT              integer          8080                       port to listen on
	// SHOP_SHUTDOWN_TIMEOUT  duration         25s                        time allowed for a graceful stop
	// SHOP_DATABASE_URL      string                    yes               primary database
	// SHOP_API_KEY           secret                    yes       yes     key for the payments API
	// SHOP_TAGS              list of strings  web,eu
}

// ExampleDoc_WriteDotEnv writes a .env.example: defaults filled in, required
// values and secrets left blank.
func ExampleDoc_WriteDotEnv() {
	doc, err := config.Describe(exampleConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := doc.WriteDotEnv(os.Stdout); err != nil {
		fmt.Println(err)
	}
	// Output:
	// # port to listen on (integer)
	// PORT=8080
	//
	// # time allowed for a graceful stop (duration)
	// SHUTDOWN_TIMEOUT=25s
	//
	// # primary database (string, required)
	// DATABASE_URL=
	//
	// # key for the payments API (secret, required; or set API_KEY_FILE to a file holding it)
	// API_KEY=
	//
	// # list of strings
	// TAGS=web,eu
}

type window struct {
	Start int `env:"START" envDefault:"9"`
	End   int `env:"END" envDefault:"17"`
}

// Validate implements config.Validator.
func (w window) Validate() error {
	if w.End <= w.Start {
		return &config.FieldError{Var: "END", Problem: "not after START", Want: "an hour later than START"}
	}
	return nil
}

// ExampleValidator checks values against each other after loading; the
// problem joins the same report, under the variable's full name.
func ExampleValidator() {
	type Config struct {
		Hours window `envPrefix:"HOURS_"`
	}
	_, err := config.Load[Config](config.WithEnvironment(map[string]string{"HOURS_END": "8"}))
	fmt.Println(err)
	// Output: config: HOURS_END: not after START; want an hour later than START
}
