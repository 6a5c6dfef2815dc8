//go:build unix

package config_test

import (
	"testing"
)

// TestWithDotEnv_special loads, in a child process with a timeout and a
// memory limit, .env paths that name what is not a regular file or is too
// large, as NAME_FILE is bounded: a named pipe nobody writes to (which used
// to block the load for ever, before the service bound its port), a link
// to one, /dev/zero (which used to grow the process by gigabytes) and a
// 1 GiB sparse file. Each is one problem, and the load returns.
func TestWithDotEnv_special(t *testing.T) {
	t.Parallel()
	fifo, link, sparse := specialFiles(t, "sparse.env")
	const want = "; want an existing, readable regular file, or remove it from WithDotEnv"
	tests := []struct{ name, path, want string }{
		{"named pipe", fifo, "config: cannot read .env file " + fifo + ": not a regular file but a named pipe" + want},
		{"link to a named pipe", link, "config: cannot read .env file " + link + ": not a regular file but a named pipe" + want},
		{"dev zero", "/dev/zero", "config: cannot read .env file /dev/zero: not a regular file but a character device" + want},
		{"sparse 1 GiB", sparse, "config: cannot read .env file " + sparse + ": too large: 1 GiB, larger than the limit of 1 MiB; want a file of at most 1 MiB (see config.WithFileLimit), or remove it from WithDotEnv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := runInChild(t, "dotenv", "DOTENV_PATH="+tt.path); got != tt.want {
				t.Errorf("report:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
