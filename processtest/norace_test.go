//go:build !race

// The canary scanner runs about 13 times slower under the race detector, so
// the cheats that pour megabytes through it are built only without it:
// test.sh runs the tests of this file again without -race, as it does the
// tests of every !race test file.

package processtest_test

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/processtest"
)

// TestCheck_secretAfterBigStdout: a canary printed after 17 MiB of stdout
// fails the secrets check: the scanner's window is bounded, its coverage is
// not.
func TestCheck_secretAfterBigStdout(t *testing.T) {
	t.Parallel()
	rep := check(t, cheat("bigstdout"), processtest.WithChecks(processtest.CheckSecrets), processtest.WithSecret("SECRET_TOKEN", ""))
	p := wantFail(t, rep, processtest.CheckSecrets, "the value of SECRET_TOKEN appeared in", "stdout of the serving run (in clear)")
	if strings.Contains(p, "tk-canary-") {
		t.Errorf("the problems quote the canary:\n%s", p)
	}
}
