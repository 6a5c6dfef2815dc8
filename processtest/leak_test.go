package processtest_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// serviceBinary is testdata/svc, built once by TestMain.
var serviceBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "processtest-svc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serviceBinary = filepath.Join(dir, "svc")
	if out, err := exec.Command("go", "build", "-o", serviceBinary, "./testdata/svc").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./testdata/svc: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}
