package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type local struct {
	Host  string        `env:"HOST"`
	Port  int           `env:"PORT" envDefault:"8080"`
	Key   config.Secret `env:"KEY"`
	Other string        `env:"OTHER"`
}

func TestWithDotEnv(t *testing.T) {
	t.Parallel()
	keyFile := writeFile(t, "key", "key-from-file")
	first := writeFile(t, "first.env", "HOST=from-first\n# comment\nexport PORT=1111\nOTHER='single quoted'\n")
	second := writeFile(t, "second.env", "HOST=from-second\nPORT=2222\nKEY=from-second\n")
	tests := []struct {
		name  string
		env   map[string]string
		files []string
		want  local
	}{
		{"file fills the unset", map[string]string{}, []string{first}, local{Host: "from-first", Port: 1111, Other: "single quoted"}},
		{"real environment wins", map[string]string{"HOST": "real"}, []string{first}, local{Host: "real", Port: 1111, Other: "single quoted"}},
		{"empty real variable is unset", map[string]string{"HOST": ""}, []string{first}, local{Host: "from-first", Port: 1111, Other: "single quoted"}},
		{"earlier file wins", map[string]string{}, []string{first, second}, local{Host: "from-first", Port: 1111, Other: "single quoted", Key: config.NewSecret("from-second")}},
		{"real NAME_FILE wins over the file's NAME", map[string]string{"KEY_FILE": keyFile}, []string{second}, local{Host: "from-second", Port: 2222, Key: config.NewSecret("key-from-file")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := config.Load[local](config.WithEnvironment(tt.env), config.WithDotEnv(tt.files...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithDotEnv_repeatAdds(t *testing.T) {
	t.Parallel()
	a := writeFile(t, "a.env", "HOST=a\n")
	b := writeFile(t, "b.env", "OTHER=b\n")
	got, err := config.Load[local](config.WithEnvironment(nil), config.WithDotEnv(a), config.WithDotEnv(b))
	if err != nil || got.Host != "a" || got.Other != "b" {
		t.Errorf("Load = %+v, %v; want HOST from a.env and OTHER from b.env", got, err)
	}
}

// TestWithDotEnv_defaultFile runs in a temporary working directory, so it
// cannot run in parallel with other tests.
func TestWithDotEnv_defaultFile(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, err := config.Load[local](config.WithEnvironment(nil), config.WithDotEnv()); err != nil {
		t.Errorf("a missing default .env: %v, want no error", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("HOST=dotenv\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := config.Load[local](config.WithEnvironment(nil), config.WithDotEnv())
	if err != nil || got.Host != "dotenv" {
		t.Errorf("Load = %+v, %v; want HOST from ./.env", got, err)
	}
}

func TestWithDotEnv_problems(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "missing.env")
	const secret = "hunter2-in-a-broken-file"
	malformed := writeFile(t, "bad.env", "KEY="+secret+"\nTHIS LINE IS NOT VALID "+secret+"\n")
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing named file", missing, "cannot read .env file " + missing + ": no such file or directory; want an existing, readable regular file, or remove it from WithDotEnv"},
		{"malformed", malformed, ".env file " + malformed + " does not parse; want one NAME=value per line, values with spaces or # in quotes"},
		{"directory", dir, "cannot read .env file " + dir + ": not a regular file but a directory; want an existing, readable regular file, or remove it from WithDotEnv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load[local](config.WithEnvironment(nil), config.WithDotEnv(tt.path))
			if diff := cmp.Diff([]string{tt.want}, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !errors.Is(err, config.ErrFile) {
				t.Errorf("errors.Is(err, ErrFile) = false")
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error quotes the file: %q", err)
			}
		})
	}
}

// TestLoad_dotenvNameFile: a NAME_FILE twin set in a .env file fills NAME
// from the file it names, and Explain says so.
func TestLoad_dotenvNameFile(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key config.Secret `env:"API_KEY,required"`
	}
	key := writeFile(t, "key", "from-file\n")
	dotenv := writeFile(t, "dev.env", "API_KEY_FILE="+key+"\n")
	var rep config.Report
	opts := []config.Option{config.WithEnvironment(map[string]string{"OTHER": "x"}), config.WithDotEnv(dotenv), config.WithReport(&rep)}
	got, err := config.Load[cfg](opts...)
	if err != nil || got.Key.Reveal() != "from-file" {
		t.Fatalf("Load = %q, %v", got.Key.Reveal(), err)
	}
	settings, err := config.Explain(&got, opts...)
	if err != nil || settings[0].Source != config.SourceFile || settings[0].From != key {
		t.Errorf("Explain = %+v, %v", settings, err)
	}
}
