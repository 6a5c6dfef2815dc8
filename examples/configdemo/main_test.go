package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// run starts the demo with env and no other variable, and waits for it at
// most 10 seconds.
func run(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir() // no stray .env file
	return testkit.Run(t, 10*time.Second, cmd)
}

// row returns the SOURCE and VALUE the demo printed for name.
func row(t *testing.T, out, name string) (source, value string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := regexp.MustCompile(`\s{2,}`).Split(line, 3); len(f) >= 2 && f[0] == name {
			if len(f) == 2 {
				return f[1], ""
			}
			return f[1], f[2]
		}
	}
	t.Fatalf("no row for %s in:\n%s", name, out)
	return "", ""
}

func TestDemo(t *testing.T) {
	bin := testkit.Build(t, ".")
	secretFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(secretFile, []byte("from-file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("defaults, zero set-up", func(t *testing.T) {
		out, errOut, code := run(t, bin, nil)
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if s, v := row(t, out, "PORT"); s != "default" || v != "8080" {
			t.Errorf("PORT %s %s, want default 8080\n%s", s, v, out)
		}
		if s, v := row(t, out, "API_KEY"); s != "unset" || v != "[UNSET]" {
			t.Errorf("API_KEY %s %s, want unset [UNSET]", s, v)
		}
	})
	t.Run("credentials masked by meaning", func(t *testing.T) {
		out, _, code := run(t, bin, []string{
			"API_KEY_FILE=" + secretFile, "PORT=9000",
			"DATABASE_URL=postgres://app:/pa55-canary@db:5432/shop",
			"BOOTSTRAP_TOKEN=tok-canary",
		})
		if code != 0 || strings.Contains(out, "canary") || strings.Contains(out, "from-file-secret") {
			t.Fatalf("exit %d, stdout shows a credential:\n%s", code, out)
		}
		if s, v := row(t, out, "API_KEY"); s != "file "+secretFile || v != "[REDACTED]" {
			t.Errorf("API_KEY %s %s, want the file and [REDACTED]", s, v)
		}
		if _, v := row(t, out, "DATABASE_URL"); v != "postgres://app:[REDACTED]@db:5432/shop" {
			t.Errorf("DATABASE_URL %s", v)
		}
		// The unset option removed the variable while loading; the
		// report still knows where the value came from.
		if s, v := row(t, out, "BOOTSTRAP_TOKEN"); s != "environment" || v != "[REDACTED]" {
			t.Errorf("BOOTSTRAP_TOKEN %s %s, want environment [REDACTED]", s, v)
		}
	})
	t.Run("config error exits 78 on stderr", func(t *testing.T) {
		out, errOut, code := run(t, bin, []string{"PORT=eighty", "API_KEY=k", "API_KEY_FILE=" + secretFile})
		if code != 78 || out != "" {
			t.Errorf("exit %d, stdout %q; want 78 and nothing on stdout", code, out)
		}
		want := "config: 2 problems:\n\tPORT: not an integer; want a whole number such as 42\n\tAPI_KEY: set together with API_KEY_FILE; want only one of API_KEY and API_KEY_FILE; unset the other\n"
		if errOut != want {
			t.Errorf("stderr = %q, want %q", errOut, want)
		}
	})
	t.Run("help lists the variables", func(t *testing.T) {
		out, _, code := run(t, bin, nil, "-help")
		if code != 0 || !strings.HasPrefix(out, "VARIABLE") || !strings.Contains(out, "DATABASE_MAX_CONNS") {
			t.Errorf("exit %d, stdout %s", code, out)
		}
	})
}
