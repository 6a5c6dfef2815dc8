package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"
)

// twelvecheck and svc are the command and the test service, built once.
var twelvecheck, svc string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "twelvecheck-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	twelvecheck, svc = filepath.Join(dir, "twelvecheck"), filepath.Join(dir, "svc")
	for out, pkg := range map[string]string{twelvecheck: ".", svc: "../../processtest/testdata/svc"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build %s: %v\n%s", pkg, err, b)
			_ = os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}
