package config_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

// TestLoad_processEnvironment runs the rules on the path without options,
// where caarlos0/env reads the process environment itself: NAME_FILE twins,
// required variables set to "", defaults and prefixes. Not parallel: it sets
// process variables.
func TestLoad_processEnvironment(t *testing.T) {
	type cfg struct {
		Key   config.Secret `env:"TK_TEST_KEY,required"`
		Name  string        `env:"TK_TEST_NAME,required"`
		Port  int           `env:"TK_TEST_PORT" envDefault:"8080"`
		Other string        `env:"TK_TEST_OTHER"`
	}
	t.Setenv("TK_TEST_KEY_FILE", writeFile(t, "key", "from-file\n"))
	t.Setenv("TK_TEST_NAME", "")
	t.Setenv("TK_TEST_OTHER", "o")
	got, err := config.Load[cfg]()
	if diff := cmp.Diff([]string{"TK_TEST_NAME: set but empty; want a string value"}, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got.Key.Reveal() != "from-file" || got.Port != 8080 || got.Other != "o" {
		t.Errorf("Load = key %q, %+v", got.Key.Reveal(), got)
	}

	t.Setenv("TK_TEST_NAME", "n")
	if _, err := config.Load[cfg](); err != nil {
		t.Errorf("with every variable set: %v", err)
	}
}
