//go:build !unix || race

package config_test

import "runtime/debug"

// limitMemory sets a soft limit only: the race detector's shadow memory does
// not fit a hard address-space limit, and other systems have none. The
// parent still bounds the child's time.
func limitMemory(bytes uint64) error {
	debug.SetMemoryLimit(int64(bytes))
	return nil
}
