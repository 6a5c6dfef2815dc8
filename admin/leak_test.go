package admin_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs one of the test programs (see programs) when the tests
// start this binary as a child process, and the tests otherwise.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		os.Exit(programs[name](os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}
