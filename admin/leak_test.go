package admin_test

import (
	"os"
	"strings"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs one of the test programs (see programs) when the tests
// start this binary as a child process, and the tests otherwise.
func TestMain(m *testing.M) {
	if name := os.Getenv(childEnv); name != "" {
		// testkit.Self puts the test flags before the program's arguments.
		args := os.Args[1:]
		for len(args) > 0 && strings.HasPrefix(args[0], "-test.") {
			args = args[1:]
		}
		os.Exit(programs[name](args))
	}
	goleak.VerifyTestMain(m)
}
