package benchmarks

import (
	"os"
	"testing"
)

// TestMain runs the benchmarks and removes the programs they built.
func TestMain(m *testing.M) {
	code := m.Run()
	removeBuilds()
	os.Exit(code)
}
