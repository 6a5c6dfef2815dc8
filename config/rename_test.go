package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/config"
)

type renamed struct {
	Debug bool   `env:"DEBUG_PPROF" envOld:"DBEUG_PPROF"`
	Name  string `env:"NAME,required" envOld:"OLD_NAME,OLDER_NAME"`
}

// TestEnvOld reads a variable under its old names, says so once in the
// report and in Explain, and lets the new name win.
func TestEnvOld(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		wantName string
		warnings []string
	}{
		{"new name", map[string]string{"NAME": "a"}, "a", nil},
		{"old name", map[string]string{"OLD_NAME": "b"}, "b",
			[]string{"OLD_NAME is a deprecated name of NAME and was read as NAME; rename it to NAME"}},
		{"older name", map[string]string{"OLDER_NAME": "c"}, "c",
			[]string{"OLDER_NAME is a deprecated name of NAME and was read as NAME; rename it to NAME"}},
		{"both", map[string]string{"NAME": "a", "OLD_NAME": "b"}, "a",
			[]string{"OLD_NAME is a deprecated name of NAME and is ignored, as NAME is set; unset OLD_NAME"}},
		{"old set empty", map[string]string{"NAME": "a", "OLD_NAME": ""}, "a", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rep config.Report
			opts := []config.Option{config.WithEnvironment(tc.env), config.WithReport(&rep)}
			cfg, err := config.Load[renamed](opts...)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Name != tc.wantName {
				t.Errorf("Name %q, want %q", cfg.Name, tc.wantName)
			}
			if got := rep.Warnings(); strings.Join(got, "\n") != strings.Join(tc.warnings, "\n") {
				t.Errorf("Warnings %q, want %q", got, tc.warnings)
			}
			// A second load of the same type does not repeat them.
			if _, err := config.Load[renamed](opts...); err != nil {
				t.Fatal(err)
			}
			if got := rep.Warnings(); len(got) != len(tc.warnings) {
				t.Errorf("after two loads: %d warnings, want %d", len(got), len(tc.warnings))
			}
			settings, err := config.Explain(&cfg, opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range settings {
				if s.Name != "NAME" {
					continue
				}
				old := tc.name == "old name" || tc.name == "older name"
				if got := strings.Contains(s.From, "deprecated name"); got != old {
					t.Errorf("Explain NAME: From %q, want the old name said: %v", s.From, old)
				}
			}
		})
	}
	if _, err := config.Load[renamed](config.WithEnvironment(map[string]string{"OTHER": "x"})); err == nil {
		t.Error("no name under any name: want NAME missing")
	}
	if w := (*config.Report)(nil).Warnings(); w != nil {
		t.Errorf("nil Report: %q", w)
	}
}

// TestEnvOld_dotEnvAndExplainWithoutReport reads an old name from a .env
// file, and Explain without a report still names it.
func TestEnvOld_dotEnvAndExplainWithoutReport(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("DBEUG_PPROF=true\nNAME=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := []config.Option{config.WithEnvironment(map[string]string{}), config.WithDotEnv(path)}
	cfg, err := config.Load[renamed](opts...)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Debug {
		t.Error("DBEUG_PPROF from .env not read as DEBUG_PPROF")
	}
	settings, err := config.Explain(&cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if s := settings[0]; s.Source != config.SourceDotEnv || !strings.Contains(s.From, path) || !strings.Contains(s.From, "DBEUG_PPROF") {
		t.Errorf("DEBUG_PPROF: source %q from %q", s.Source, s.From)
	}
}
