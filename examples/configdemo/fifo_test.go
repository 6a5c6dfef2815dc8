//go:build unix

package main

import (
	"path/filepath"
	"syscall"
	"testing"
)

// TestDemo_namedPipe: a named pipe with no writer as NAME_FILE is a config
// error (exit 78, the path named), not a process that hangs.
func TestDemo_namedPipe(t *testing.T) {
	bin := build(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, bin, []string{"API_KEY_FILE=" + fifo})
	want := "config: API_KEY: cannot read the file that API_KEY_FILE names: not a regular file but a named pipe; want API_KEY_FILE set to the path of a regular file holding the value of API_KEY, such as /run/secrets/api_key (the path, not the value itself), or unset API_KEY_FILE\n"
	if code != 78 || errOut != want {
		t.Errorf("exit %d, stderr %q; want 78 and %q", code, errOut, want)
	}
}
