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
	var removes []func()
	removeAll := func() {
		for _, remove := range removes {
			remove()
		}
	}
	for _, b := range []struct {
		bin *string
		dir string
	}{{&serviceBinary, "testdata/svc"}, {&cheatBinary, "testdata/cheat"}} {
		bin, remove, err := testkit.BuildMain(b.dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			removeAll()
			os.Exit(1)
		}
		*b.bin, removes = bin, append(removes, remove)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { removeAll() }))
}
