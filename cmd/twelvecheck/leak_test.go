package main

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// twelvecheck and svc are the command and the test service, built once.
var twelvecheck, svc string

func TestMain(m *testing.M) {
	bins, remove, err := testkit.BuildMains(".", "../../processtest/testdata/svc")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	twelvecheck, svc = bins[0], bins[1]
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { remove() }))
}
