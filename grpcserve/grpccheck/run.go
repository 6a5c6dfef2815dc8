package grpccheck

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/processtest"
)

// Run is [Check] for a service's own tests: it checks bin with t's context
// and reports each check as a subtest of t named after it (port, health,
// rolling-stop), failed with what a platform would have seen, skipped with
// why, and logging its figure. A kit that cannot check (no binary, no
// port) fails t at once. On a failure it logs the last lines the process
// wrote. It returns the report for assertions of the caller's own.
func Run(t *testing.T, bin processtest.Binary, opts ...Option) processtest.Report {
	t.Helper()
	rep, err := Check(t.Context(), bin, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		t.Run(string(res.Name), func(t *testing.T) {
			switch res.Status {
			case processtest.Skip:
				t.Skip(res.Summary)
			case processtest.Fail:
				for _, p := range res.Problems {
					t.Error(p)
				}
			}
			t.Log(res.Summary)
		})
	}
	if !rep.Passed() {
		t.Logf("stdout (last lines):\n\t%s", strings.Join(rep.Stdout, "\n\t"))
		t.Logf("stderr (last lines):\n\t%s", strings.Join(rep.Stderr, "\n\t"))
	}
	return rep
}
