package main

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestTwelvecheck_grpc: with -grpc the command checks a gRPC service with
// grpc-go's client: examples/greeter passes port, health and a rolling stop
// under gRPC load; an HTTP service fails, saying it does not speak gRPC.
func TestTwelvecheck_grpc(t *testing.T) {
	t.Parallel()
	greeter := testkit.Build(t, "../../examples/greeter")
	// The load of -grpc is the health service's Check, which the greeter
	// does not count as traffic: with no traffic seen, its drain waits
	// eight times its uptime, up to DRAIN_DELAY; 2s keeps the test short.
	code, out, stderr := twelve(t, "-grpc", "-tight", "-env", "DRAIN_DELAY=2s", "--", greeter)
	if code != 0 {
		t.Errorf("greeter: exit %d, want 0\n%s%s", code, out, stderr)
	}
	for _, row := range []string{"port ", "health ", "rolling-stop "} {
		if !strings.Contains(out, "\n"+row) {
			t.Errorf("no row %q in the table:\n%s", row, out)
		}
	}
	// Without -grpc the HTTP checks say plainly that they do not apply.
	code, out, stderr = twelve(t, "-tight", "-checks", "probes", "-start-timeout", "3s", "-env", "DRAIN_DELAY=2s", "--", greeter)
	if code != 1 || !strings.Contains(out, "HTTP/2 frames only") || !strings.Contains(out, "twelvecheck -grpc") {
		t.Errorf("greeter without -grpc: exit %d, want 1 and a report pointing at -grpc\n%s%s", code, out, stderr)
	}
	code, out, stderr = twelve(t, "-grpc", "-tight", "-env", "MODE=good", "--", svc)
	if code != 1 || !strings.Contains(strings.ToLower(out), "grpc") {
		t.Errorf("an HTTP service: exit %d, want 1 and a report naming gRPC\n%s%s", code, out, stderr)
	}
}
