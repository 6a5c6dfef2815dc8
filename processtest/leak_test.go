package processtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// serviceBinary and cheatBinary are testdata/svc and testdata/cheat,
// built once by TestMain.
var serviceBinary, cheatBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "processtest-svc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serviceBinary, cheatBinary = filepath.Join(dir, "svc"), filepath.Join(dir, "cheat")
	for bin, pkg := range map[string]string{serviceBinary: "./testdata/svc", cheatBinary: "./testdata/cheat"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", pkg, err, out)
			_ = os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}
