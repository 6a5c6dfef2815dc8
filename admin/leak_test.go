package admin_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain runs the test program of shop_test.go when the tests start this
// binary as a child process, and the tests otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(shopMain(os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}
