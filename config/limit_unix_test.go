//go:build unix && !race

package config_test

import "syscall"

// limitMemory caps the address space of this process.
func limitMemory(bytes uint64) error {
	return syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: bytes, Max: bytes})
}
