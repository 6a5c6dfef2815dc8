package processtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twelvekit/twelvekit/processtest"
)

// ExampleCheck checks a built service binary for its port, its probes and
// its logs, and prints each check's outcome. serviceBinary is the path of a
// binary built with go build; the other checks are skipped here.
func ExampleCheck() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bin := processtest.Binary{
		Path: serviceBinary,
		Env:  map[string]string{"MODE": "good", "DRAIN": "0s"},
	}
	rep, err := processtest.Check(ctx, bin,
		processtest.WithChecks(processtest.CheckPort, processtest.CheckProbes, processtest.CheckLogs))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, res := range rep.Results {
		fmt.Println(res.Name, res.Status)
	}
	fmt.Println("passed:", rep.Passed())
	// Output:
	// port pass
	// probes pass
	// rolling-stop skip
	// logs pass
	// secrets skip
	// config-errors skip
	// second-signal skip
	// processes skip
	// dependencies skip
	// files skip
	// release skip
	// admin skip
	// management skip
	// concurrency skip
	// passed: true
}
