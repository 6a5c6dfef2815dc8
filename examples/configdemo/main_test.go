package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// build compiles the demo once per test into a temporary directory.
func build(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "configdemo")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func run(t *testing.T, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Dir = t.TempDir() // no stray .env file
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run: %v", err)
	}
	return o.String(), e.String(), code
}

func TestDemo(t *testing.T) {
	bin := build(t)
	secretFile := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(secretFile, []byte("from-file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("defaults, zero set-up", func(t *testing.T) {
		out, errOut, code := run(t, bin, nil)
		if code != 0 || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, out)
		}
		if got["Port"] != float64(8080) || got["APIKey"] != "[UNSET]" {
			t.Errorf("stdout = %s, want Port 8080 and APIKey [UNSET]", out)
		}
	})
	t.Run("secret from NAME_FILE is redacted", func(t *testing.T) {
		out, _, code := run(t, bin, []string{"API_KEY_FILE=" + secretFile, "PORT=9000"})
		if code != 0 || !strings.Contains(out, `"APIKey": "[REDACTED]"`) || !strings.Contains(out, `"Port": 9000`) {
			t.Errorf("exit %d, stdout %s", code, out)
		}
		if strings.Contains(out, "from-file-secret") {
			t.Error("stdout shows the secret")
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
