package conformance

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain prints the number of corpus cases, so CI logs show the suite's
// size without -v, and checks that no goroutine outlives the tests.
func TestMain(m *testing.M) {
	fmt.Printf("conformance: %d differential cases through the drivers' parsers\n", len(corpus()))
	goleak.VerifyTestMain(m,
		// Drivers' own background goroutines that stop a moment after Close.
		goleak.IgnoreTopFunction("github.com/rabbitmq/amqp091-go.(*Connection).heartbeater"),
		goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"),
	)
	_ = os.Stdout.Sync()
}

// needServices skips a test that needs the loopback services only when
// TWELVEKIT_SKIP_SERVICES=1; otherwise an unreachable service fails it.
func needServices(t *testing.T) {
	t.Helper()
	if os.Getenv("TWELVEKIT_SKIP_SERVICES") == "1" {
		t.Skip("TWELVEKIT_SKIP_SERVICES=1: skipping a test that needs the loopback services; unset it to run against them")
	}
}
