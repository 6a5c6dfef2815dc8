package processtest_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// serviceBinary and cheatBinary are testdata/svc and testdata/cheat,
// built once by TestMain.
var serviceBinary, cheatBinary string

func TestMain(m *testing.M) {
	bins, remove, err := testkit.BuildMains("testdata/svc", "testdata/cheat")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serviceBinary, cheatBinary = bins[0], bins[1]
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { remove() }))
}
