//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestDemo_namedPipe: a named pipe with no writer as NAME_FILE is a config
// error (exit 78, the path named), not a process that hangs.
func TestDemo_namedPipe(t *testing.T) {
	bin := testkit.Build(t, ".")
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, bin, []string{"API_KEY_FILE=" + fifo})
	want := "config: API_KEY: cannot read " + fifo + ", the file named by API_KEY_FILE: not a regular file but a named pipe; want a regular file holding the value, or unset API_KEY_FILE\n"
	if code != 78 || errOut != want {
		t.Errorf("exit %d, stderr %q; want 78 and %q", code, errOut, want)
	}
}
