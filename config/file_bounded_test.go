//go:build unix

package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

func mkfifo(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// specialFiles makes what a bounded read must refuse without blocking or
// growing: a named pipe nobody writes to, a symbolic link to it, and a
// 1 GiB sparse file named sparseName.
func specialFiles(t *testing.T, sparseName string) (fifo, link, sparse string) {
	t.Helper()
	fifo = mkfifo(t)
	link = filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	sparse = filepath.Join(t.TempDir(), sparseName)
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	return fifo, link, sparse
}

// TestLoad_nameFileSpecial loads, in a child process with a timeout and a
// memory limit, NAME_FILE and file-option paths that name what is not a
// regular file: a named pipe nobody writes to (which blocks an open or a read
// for ever), /dev/zero (endless), a symbolic link to a pipe, a 1 GiB sparse
// file. Each is one line of the report, and the load returns.
func TestLoad_nameFileSpecial(t *testing.T) {
	t.Parallel()
	fifo, link, sparse := specialFiles(t, "sparse")

	const want = "; want API_KEY_FILE set to the path of a regular file holding the value of API_KEY, such as /run/secrets/api_key (the path, not the value itself), or unset API_KEY_FILE"
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"named pipe", []string{"API_KEY_FILE=" + fifo},
			"config: API_KEY: cannot read the file that API_KEY_FILE names: not a regular file but a named pipe" + want},
		{"link to a named pipe", []string{"API_KEY_FILE=" + link},
			"config: API_KEY: cannot read the file that API_KEY_FILE names: not a regular file but a named pipe" + want},
		{"dev zero", []string{"API_KEY_FILE=/dev/zero"},
			"config: API_KEY: cannot read the file that API_KEY_FILE names: not a regular file but a character device" + want},
		{"sparse 1 GiB", []string{"API_KEY_FILE=" + sparse},
			"config: API_KEY: cannot read the file that API_KEY_FILE names: too large: 1 GiB, larger than the limit of 1 MiB; want a file of at most 1 MiB (see config.WithFileLimit), or unset the variable"},
		{"file option on a named pipe", []string{"CERT_PATH=" + fifo},
			"config: CERT_PATH: cannot read the file that CERT_PATH names: not a regular file but a named pipe; want CERT_PATH set to the path of a regular file (the path, not its content)"},
		{"file option on dev zero", []string{"CERT_PATH=/dev/zero"},
			"config: CERT_PATH: cannot read the file that CERT_PATH names: not a regular file but a character device; want CERT_PATH set to the path of a regular file (the path, not its content)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := loadInChild(t, tt.env...); got != tt.want {
				t.Errorf("report:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestLoad_fileOptionDefault: a file option whose default path names
// /dev/zero is refused, not read, in a child process with a timeout and a
// memory limit.
func TestLoad_fileOptionDefault(t *testing.T) {
	t.Parallel()
	want := "config: SEED_PATH: cannot read the file that SEED_PATH names: not a regular file but a character device; want SEED_PATH set to the path of a regular file (the path, not its content)"
	if got := runInChild(t, "default-zero"); got != want {
		t.Errorf("report:\n got %s\nwant %s", got, want)
	}
}

// TestLoad_nameFileLimit: the limit holds for the size a file says it has
// and for what is read from it, and WithFileLimit changes it.
func TestLoad_nameFileLimit(t *testing.T) {
	t.Parallel()
	const canary = "CANARY-0123456789" // 17 bytes
	big := writeFile(t, "big", canary)
	fits := writeFile(t, "fits", canary[:16])
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(fits, link); err != nil {
		t.Fatal(err)
	}

	got, err := config.Load[secrets](config.WithFileLimit(16), config.WithEnvironment(map[string]string{"API_KEY_FILE": link}))
	if err != nil || got.APIKey.Reveal() != canary[:16] {
		t.Fatalf("a 16-byte file through a link with a 16-byte limit: %q, %v", got.APIKey.Reveal(), err)
	}

	_, err = config.Load[secrets](config.WithFileLimit(16), config.WithEnvironment(map[string]string{"API_KEY_FILE": big}))
	want := []string{"API_KEY: cannot read the file that API_KEY_FILE names: too large: 17 bytes, larger than the limit of 16 bytes; want a file of at most 16 bytes (see config.WithFileLimit), or unset the variable"}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !errors.Is(err, config.ErrFile) || strings.Contains(err.Error(), "CANARY") {
		t.Errorf("err = %v, want ErrFile without the content", err)
	}

	if runtime.GOOS == "linux" {
		// /proc files say they are empty: only the read finds them too
		// large.
		_, err = config.Load[secrets](config.WithFileLimit(8), config.WithEnvironment(map[string]string{"API_KEY_FILE": "/proc/self/status"}))
		want := []string{"API_KEY: cannot read the file that API_KEY_FILE names: too large: larger than the limit of 8 bytes; want a file of at most 8 bytes (see config.WithFileLimit), or unset the variable"}
		if diff := cmp.Diff(want, problems(t, err)); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
	}
}
