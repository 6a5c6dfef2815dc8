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
	var removes []func()
	removeAll := func() {
		for _, remove := range removes {
			remove()
		}
	}
	for _, b := range []struct {
		bin *string
		dir string
	}{{&twelvecheck, "."}, {&svc, "../../processtest/testdata/svc"}} {
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
