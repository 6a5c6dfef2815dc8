package processtest

import (
	"fmt"
	"strings"
	"testing"
)

// Run is [Check] for a service's own tests: it checks bin with t's context
// and reports each check as a subtest of t named after it (port, probes,
// rolling-stop, logs, secrets, config-errors, second-signal, processes,
// dependencies, files, release, admin, management), failed with what a
// platform would have seen, skipped when not asked for or not checked, and
// logging its figure; then it logs the report by factor. A kit that cannot check (no binary, no port) fails t at once.
// On a failure it logs the last lines the serving run wrote. It returns the
// report for assertions of the caller's own.
func Run(t *testing.T, bin Binary, opts ...Option) Report {
	t.Helper()
	rep, err := Check(t.Context(), bin, opts...)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range rep.Results {
		t.Run(string(res.Name), func(t *testing.T) {
			switch res.Status {
			case Skip:
				t.Skip(res.Summary)
			case Fail:
				for _, p := range res.Problems {
					t.Error(p)
				}
			}
			t.Log(res.Summary)
		})
	}
	var b strings.Builder
	for _, f := range rep.Factors {
		fmt.Fprintf(&b, "\t%s %s: %s: %s\n", f.Number, f.Name, f.Status, f.Summary)
	}
	t.Logf("by factor:\n%s", b.String())
	if !rep.Passed() {
		t.Logf("stdout of the serving run (last lines):\n%s", joinLines(rep.Stdout))
		t.Logf("stderr of the serving run (last lines):\n%s", joinLines(rep.Stderr))
	}
	return rep
}

func joinLines(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "\t" + l + "\n"
	}
	return s
}
