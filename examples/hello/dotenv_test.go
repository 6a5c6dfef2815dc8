//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHello_dotenvSpecial: a ./.env that is a named pipe nobody writes to
// (which used to hang hello before it bound its port) or a link to
// /dev/zero (which used to grow it by gigabytes) makes hello exit 78 at
// once, naming the file's problem, before it binds anything.
func TestHello_dotenvSpecial(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"named pipe", func(p string) error { return syscall.Mkfifo(p, 0o600) }, "not a regular file but a named pipe"},
		{"link to dev zero", func(p string) error { return os.Symlink("/dev/zero", p) }, "not a regular file but a character device"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := c.make(filepath.Join(dir, ".env")); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, helloBin)
			cmd.Dir = dir
			cmd.Env = []string{"PORT=0"}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			begin := time.Now()
			err := cmd.Run()
			if ctx.Err() != nil {
				t.Fatalf("hello still running after %s with a special ./.env", time.Since(begin))
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 78 {
				t.Errorf("hello ended with %v, want exit 78", err)
			}
			if !strings.Contains(stderr.String(), ".env") || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("stderr %q, want the .env file's problem: %s", stderr.String(), c.want)
			}
		})
	}
}
