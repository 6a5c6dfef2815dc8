package config_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type explained struct {
	Port     int            `env:"PORT" envDefault:"8080"`
	Host     string         `env:"HOST"`
	Timeout  time.Duration  `env:"TIMEOUT" envDefault:"30s"`
	Key      config.Secret  `env:"KEY"`
	Token    config.Secret  `env:"TOKEN"`
	DSN      string         `env:"DSN"`
	Broken   string         `env:"BROKEN"`
	URL      url.URL        `env:"URL"`
	Tags     []string       `env:"TAGS" envSeparator:";" public:"true"`
	Weights  map[string]int `env:"WEIGHTS" public:"true"`
	Missing  string         `env:"MISSING"`
	FromFile string         `env:"FROM_FILE"`
	Local    string         `env:"LOCAL" public:"true"`
}

func TestExplain(t *testing.T) {
	t.Parallel()
	keyFile := writeFile(t, "key", "file-secret\n")
	dotenv := writeFile(t, "dev.env", "APP_LOCAL=from-dotenv\nAPP_HOST=dotenv-loses\n")
	fromFile := writeFile(t, "ff", "content\n")
	env := map[string]string{
		"APP_HOST":           "db.internal",
		"APP_KEY_FILE":       keyFile,
		"APP_TOKEN":          "env-secret",
		"APP_DSN":            "postgres://app:pa55word@db:5432/shop",
		"APP_BROKEN":         "redis://:pa55word@[::1",
		"APP_URL":            "https://u:pa55word@example.com/x",
		"APP_TAGS":           "a;b",
		"APP_WEIGHTS":        "b:2,a:1",
		"APP_FROM_FILE_FILE": fromFile,
	}
	opts := []config.Option{config.WithPrefix("APP_"), config.WithEnvironment(env), config.WithDotEnv(dotenv)}
	cfg, err := config.Load[explained](opts...)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := config.Explain(&cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Name, Value, Source, From string }
	var got []row
	for _, s := range settings {
		got = append(got, row{s.Name, s.Value, string(s.Source), s.From})
	}
	want := []row{
		{"APP_PORT", "8080", "default", ""},
		{"APP_HOST", "db.internal", "environment", ""},
		{"APP_TIMEOUT", "30s", "default", ""},
		{"APP_KEY", "[REDACTED]", "file", keyFile},
		{"APP_TOKEN", "[REDACTED]", "environment", ""},
		{"APP_DSN", "postgres://app:[REDACTED]@db:5432/shop", "environment", ""}, // the URL rule, not the name
		{"APP_BROKEN", "redis://:[REDACTED]@[REDACTED]", "environment", ""},
		{"APP_URL", "https://[REDACTED]@example.com/[REDACTED]", "environment", ""},
		{"APP_TAGS", "a;b", "environment", ""},
		{"APP_WEIGHTS", "a:1,b:2", "environment", ""},
		{"APP_MISSING", "", "unset", ""},
		{"APP_FROM_FILE", "[REDACTED]", "file", fromFile}, // read through NAME_FILE
		{"APP_LOCAL", "from-dotenv", ".env", dotenv},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Explain (-want +got):\n%s", diff)
	}
	for _, s := range settings {
		if strings.Contains(s.Value, "secret") || strings.Contains(s.Value, "pa55word") {
			t.Errorf("%s shows a secret: %q", s.Name, s.Value)
		}
	}
	if _, err := config.Explain(cfg); err == nil {
		t.Error("Explain of a struct value (not a pointer) gave no error")
	}
}
