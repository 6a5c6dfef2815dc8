package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/config"
)

// libConfig stands for a library's Config block a service embeds.
type libConfig struct {
	Level string        `env:"LOG_LEVEL" envDefault:"info" public:"true"`
	Keys  string        `env:"LOG_KEYS" envDefault:"zap" public:"true"`
	Wait  time.Duration `env:"WAIT" envDefault:"1s"`
}

type serviceConfig struct {
	Log   libConfig
	Token config.Secret `env:"TOKEN"`
}

// The service's defaults replace the library's envDefault tags: loaded when
// the variable is unset or empty, reported as defaults, documented by
// Describe; a set variable and a NAME_FILE still win.
func TestWithDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	keysFile := filepath.Join(dir, "keys")
	if err := os.WriteFile(keysFile, []byte("ecs\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	defs := config.WithDefaults(map[string]string{"LOG_LEVEL": "debug", "LOG_KEYS": "gcp", "WAIT": "5s", "NOT_READ": "x"})
	tests := []struct {
		name        string
		env         map[string]string
		level, keys string
		wait        time.Duration
		levelSrc    config.Source
	}{
		{"unset", map[string]string{}, "debug", "gcp", 5 * time.Second, config.SourceDefault},
		{"empty counts as unset", map[string]string{"LOG_LEVEL": ""}, "debug", "gcp", 5 * time.Second, config.SourceDefault},
		{"set wins", map[string]string{"LOG_LEVEL": "warn", "WAIT": "2s"}, "warn", "gcp", 2 * time.Second, config.SourceEnv},
		{"NAME_FILE wins", map[string]string{"LOG_KEYS_FILE": keysFile}, "debug", "ecs", 5 * time.Second, config.SourceDefault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rep config.Report
			cfg, err := config.Load[serviceConfig](config.WithEnvironment(tt.env), defs, config.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Log.Level != tt.level || cfg.Log.Keys != tt.keys || cfg.Log.Wait != tt.wait {
				t.Errorf("got %q %q %v, want %q %q %v", cfg.Log.Level, cfg.Log.Keys, cfg.Log.Wait, tt.level, tt.keys, tt.wait)
			}
			settings, err := config.Explain(&cfg, config.WithEnvironment(tt.env), defs, config.WithReport(&rep))
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range settings {
				if s.Name == "LOG_LEVEL" && (s.Source != tt.levelSrc || s.Default != "debug") {
					t.Errorf("Explain LOG_LEVEL: source %v, default %q; want %v, \"debug\"", s.Source, s.Default, tt.levelSrc)
				}
			}
		})
	}
	// Without the option the library's own defaults stand.
	cfg, err := config.Load[serviceConfig](config.WithEnvironment(map[string]string{}))
	if err != nil || cfg.Log.Level != "info" || cfg.Log.Keys != "zap" {
		t.Errorf("without WithDefaults: %+v, %v", cfg.Log, err)
	}
	// Describe, and so help, Markdown and .env.example, show them.
	doc, err := config.Describe(serviceConfig{}, defs)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := doc.WriteDotEnv(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"LOG_LEVEL=debug", "LOG_KEYS=gcp", "WAIT=5s"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf(".env.example lacks %q:\n%s", want, b.String())
		}
	}
	// Another Describe of the same type is not changed by the first.
	plain, _ := config.Describe(serviceConfig{})
	for _, v := range plain.Vars {
		if v.Name == "LOG_LEVEL" && v.Default != "info" {
			t.Errorf("a Describe without the option shows default %q", v.Default)
		}
	}
}

// A service default that its field cannot read is reported like a bad
// envDefault: naming the variable, not quoting the value.
func TestWithDefaults_badValue(t *testing.T) {
	t.Parallel()
	_, err := config.Load[serviceConfig](config.WithEnvironment(map[string]string{}), config.WithDefaults(map[string]string{"WAIT": "soon-ish"}))
	var cerr *config.Error
	if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "WAIT") || strings.Contains(err.Error(), "soon-ish") {
		t.Fatalf("err = %v, want a config error naming WAIT without its value", err)
	}
}
