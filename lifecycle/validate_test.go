package lifecycle_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// TestConfig_Validate_atLoad checks, with the real config package, that every
// problem of lifecycle.Config is reported while loading, at once, under the
// variable's full prefixed name, beside the application's own problems.
func TestConfig_Validate_atLoad(t *testing.T) {
	t.Parallel()
	type named struct {
		Server  lifecycle.Config `envPrefix:"SERVER_"`
		Workers int              `env:"WORKERS"`
	}
	type embedded struct {
		lifecycle.Config
		Workers int `env:"WORKERS"`
	}
	env := map[string]string{
		"SERVER_PORT": "70000", "SERVER_DRAIN_DELAY": "-1s", "SERVER_DRAIN_QUIET": "-1s",
		"PORT": "70000", "DRAIN_DELAY": "-1s", "DRAIN_QUIET": "-1s",
		"WORKERS": "many",
	}
	check := func(t *testing.T, err error, prefix string) {
		t.Helper()
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("Load = %v, want a *config.Error", err)
		}
		var vars []string
		for _, p := range cerr.Problems {
			vars = append(vars, p.Var)
			if strings.HasPrefix(p.Var, prefix) && (p.Want == "" || strings.Contains(p.Problem, "lifecycle:")) {
				t.Errorf("problem %+v: want a bare problem and what to set", p)
			}
		}
		slices.Sort(vars)
		want := []string{prefix + "DRAIN_DELAY", prefix + "DRAIN_QUIET", prefix + "PORT", "WORKERS"}
		if !slices.Equal(vars, want) {
			t.Errorf("problems name %v, want %v\n%v", vars, want, err)
		}
		if strings.Contains(err.Error(), "70000") {
			t.Errorf("the report quotes a value: %v", err)
		}
		if lifecycle.ExitCode(err) != 78 {
			t.Errorf("ExitCode = %d, want 78", lifecycle.ExitCode(err))
		}
	}
	t.Run("named field with a prefix", func(t *testing.T) {
		_, err := config.Load[named](config.WithEnvironment(env))
		check(t, err, "SERVER_")
	})
	t.Run("embedded", func(t *testing.T) {
		_, err := config.Load[embedded](config.WithEnvironment(env))
		check(t, err, "")
	})
	t.Run("valid, free port", func(t *testing.T) {
		cfg, err := config.Load[named](config.WithEnvironment(map[string]string{"SERVER_PORT": "0"}))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Server.Port != 0 || cfg.Server.DrainDelay == 0 || cfg.Server.DrainMin == 0 {
			t.Errorf("loaded %+v, want port 0 and the drain defaults", cfg.Server)
		}
	})
}
