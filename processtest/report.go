package processtest

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is the outcome of one check.
type Status string

// The statuses of a [Result].
const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // not asked for, or nothing to check (no secret declared)
)

// Result is the outcome of one named check.
type Result struct {
	// Name is one of the Check* constants.
	Name string `json:"name"`
	// Status is pass, fail or skip.
	Status Status `json:"status"`
	// Summary is the check's figure in words, such as "accepting 14ms after
	// exec"; for a skipped check, why it was skipped.
	Summary string `json:"summary"`
	// Problems say, for a failed check, what a platform would have seen,
	// one sentence each.
	Problems []string `json:"problems,omitempty"`
	// Figures are the check's measurements by name: durations in
	// milliseconds (keys ending in _ms) and counts.
	Figures map[string]float64 `json:"figures,omitempty"`
}

// Report is the outcome of [Check]: one [Result] per check, in the order of
// the Check* constants.
type Report struct {
	// Binary is the path of the checked binary.
	Binary string `json:"binary"`
	// Args are its arguments for the runs that serve.
	Args []string `json:"args,omitempty"`
	// Results holds one entry per check, skipped ones included.
	Results []Result `json:"results"`
	// Duration is the wall time of the whole check.
	Duration time.Duration `json:"duration_ns"`
	// Stdout and Stderr are the last lines (at most 40) the serving run
	// wrote, for the reader of a failure. They hold canaries, never a real
	// secret, when the secrets check failed.
	Stdout []string `json:"stdout_tail,omitempty"`
	Stderr []string `json:"stderr_tail,omitempty"`
}

// Passed reports whether no check failed.
func (r Report) Passed() bool {
	for _, res := range r.Results {
		if res.Status == Fail {
			return false
		}
	}
	return true
}

// Result returns the result of the named check and whether there is one.
func (r Report) Result(name string) (Result, bool) {
	for _, res := range r.Results {
		if res.Name == name {
			return res, true
		}
	}
	return Result{}, false
}

// String returns the report as a table, one check a row, each failed
// check's problems indented under it, and a last line with the verdict.
func (r Report) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "CHECK\tSTATUS\tFIGURE\n")
	for _, res := range r.Results {
		fmt.Fprintf(w, "%s\t%s\t%s\n", res.Name, res.Status, res.Summary)
	}
	_ = w.Flush()
	for _, res := range r.Results {
		for _, p := range res.Problems {
			fmt.Fprintf(&b, "%s: %s\n", res.Name, p)
		}
	}
	verdict := "PASS"
	if !r.Passed() {
		verdict = "FAIL"
	}
	fmt.Fprintf(&b, "%s %s in %v\n", verdict, r.Binary, r.Duration.Round(time.Millisecond))
	return b.String()
}

// ms converts a duration to the milliseconds of [Result.Figures].
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// round is a duration for a summary.
func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}
