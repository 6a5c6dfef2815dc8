package config_test

import (
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

// ExampleExplain shows a config as loaded: each variable with its value and
// where it came from, recorded by the load through WithReport, with
// credentials masked by what they are (a password in a URL, a variable named
// like a credential, a value read from a file).
func ExampleExplain() {
	type Config struct {
		Port     int    `env:"PORT" envDefault:"8080"`
		Database string `env:"DATABASE_URL"`
		Token    string `env:"GITHUB_TOKEN"`
		Region   string `env:"REGION"`
	}
	var rep config.Report
	opts := []config.Option{
		config.WithEnvironment(map[string]string{
			"DATABASE_URL": "postgres://shop:s3cret@db:5432/shop",
			"GITHUB_TOKEN": "ghp_0123456789",
		}),
		config.WithReport(&rep),
	}
	cfg, err := config.Load[Config](opts...)
	if err != nil {
		fmt.Println(err)
		return
	}
	settings, _ := config.Explain(&cfg, opts...)
	for _, s := range settings {
		fmt.Printf("%-12s %-11s %s\n", s.Name, s.Source, s.Value)
	}
	// Output:
	// PORT         default     8080
	// DATABASE_URL environment postgres://shop:[REDACTED]@db:5432/shop
	// GITHUB_TOKEN environment [REDACTED]
	// REGION       unset
}

// ExampleWithParser reads a type the program does not own and that has no
// UnmarshalText method (net/mail's Address), as caarlos0/env's FuncMap does;
// its problems join the same report, without the parser's words.
func ExampleWithParser() {
	type Config struct {
		Admins []mail.Address `env:"ADMINS" envSeparator:";"`
	}
	parse := func(s string) (mail.Address, error) {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return mail.Address{}, err
		}
		return *a, nil
	}
	opt := config.WithParser(parse, "an e-mail address such as Ops <ops@example.com>")

	cfg, err := config.Load[Config](opt, config.WithEnvironment(map[string]string{"ADMINS": "Ops <ops@example.com>;dev@example.com"}))
	fmt.Println(cfg.Admins[0].Name, cfg.Admins[1].Address, err)
	_, err = config.Load[Config](opt, config.WithEnvironment(map[string]string{"ADMINS": "ops at example"}))
	fmt.Println(err)
	// Output:
	// Ops dev@example.com <nil>
	// config: ADMINS: not a valid list of mail.Address values; want one or more items separated by ";", each an e-mail address such as Ops <ops@example.com>
}

// ExampleWithFileLimit refuses a NAME_FILE larger than the limit; the report
// names the variable and the file, never its content.
func ExampleWithFileLimit() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "key")
	_ = os.WriteFile(path, []byte(strings.Repeat("k", 100)), 0o600)

	type Config struct {
		Key config.Secret `env:"API_KEY"`
	}
	_, err := config.Load[Config](config.WithFileLimit(64), config.WithEnvironment(map[string]string{"API_KEY_FILE": path}))
	fmt.Println(strings.ReplaceAll(err.Error(), path, "/run/secrets/key"))
	// Output:
	// config: API_KEY: cannot read the file that API_KEY_FILE names: too large: 100 bytes, larger than the limit of 64 bytes; want a file of at most 64 bytes (see config.WithFileLimit), or unset the variable
}
