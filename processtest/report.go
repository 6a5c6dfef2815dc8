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
	Name CheckName `json:"name"`
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

// Factor is one row of the report by factor: a factor of the twelve, the
// checks that show it from outside the process, and their verdict.
type Factor struct {
	// Number is the factor's Roman numeral, I to XII.
	Number string `json:"factor"`
	// Name is the factor's name, such as "Dependencies".
	Name string `json:"name"`
	// Status is fail when one of its checks failed, pass when at least one
	// ran and none failed, and skip when none ran: not checked.
	Status Status `json:"status"`
	// Checks name the checks run for it, in order.
	Checks []CheckName `json:"checks,omitempty"`
	// Summary holds the figures of its checks, or, not checked, why.
	Summary string `json:"summary"`
}

// factors maps each factor to the checks that show it, and says why a
// running binary cannot show the factors no check covers.
var factors = []struct {
	number, name string
	checks       []CheckName
	why          string // why it is not checked, when no check ran
	also         string // what its checks cannot show, when they ran
}{
	{"I", "Codebase", nil, "not checked: a binary cannot show that it comes from one codebase in version control; release (V) shows the revision it records", ""},
	{"II", "Dependencies", []CheckName{CheckDependencies}, "", ""},
	{"III", "Config", []CheckName{CheckConfigErrors, CheckSecrets}, "", ""},
	{"IV", "Backing services", nil, "not checked: swapping a resource by its URL needs the resources; test it with the service's own backing tests", ""},
	{"V", "Build, release, run", []CheckName{CheckRelease}, "", ""},
	{"VI", "Processes", []CheckName{CheckProcesses, CheckFiles}, "", "a write acknowledged before a restart and read back after it: not checked (needs the service's own read-back); rolling-stop (IX) shows no acknowledged request was cut"},
	{"VII", "Port binding", []CheckName{CheckPort, CheckManagement}, "", ""},
	{"VIII", "Concurrency", []CheckName{CheckConcurrency}, "", "scaling by process type is the platform's: not checked"},
	{"IX", "Disposability", []CheckName{CheckProbes, CheckRollingStop, CheckSecondSignal}, "", ""},
	{"X", "Dev/prod parity", nil, "not checked: a binary cannot show how far its environments differ", ""},
	{"XI", "Logs", []CheckName{CheckLogs}, "", ""},
	{"XII", "Admin processes", []CheckName{CheckAdmin}, "", ""},
}

// byFactor builds the rows of the report by factor from the results.
func byFactor(results []Result) []Factor {
	var rows []Factor
	for _, f := range factors {
		row := Factor{Number: f.number, Name: f.name, Status: Skip}
		var parts, skipped []string
		for _, name := range f.checks {
			for _, res := range results {
				if res.Name != name {
					continue
				}
				if res.Status == Skip {
					skipped = append(skipped, string(name)+": "+strings.TrimPrefix(res.Summary, "not checked: "))
					continue
				}
				row.Checks = append(row.Checks, name)
				parts = append(parts, fmt.Sprintf("%s %s: %s", name, res.Status, res.Summary))
				if row.Status != Fail {
					row.Status = res.Status
				}
			}
		}
		switch {
		case len(parts) > 0:
			for _, sk := range skipped {
				parts = append(parts, sk+" (not checked)")
			}
			if f.also != "" {
				parts = append(parts, f.also)
			}
			row.Summary = strings.Join(parts, "; ")
		case f.why != "":
			row.Summary = f.why
		default:
			row.Summary = "not checked: " + strings.Join(skipped, "; ")
		}
		rows = append(rows, row)
	}
	return rows
}

// Report is the outcome of [Check]: one [Result] per check, in the order of
// the Check* constants, and one [Factor] per factor, I to XII.
type Report struct {
	// Binary is the path of the checked binary.
	Binary string `json:"binary"`
	// Args are its arguments for the runs that serve.
	Args []string `json:"args,omitempty"`
	// Factors holds one row per factor, I to XII, in order.
	Factors []Factor `json:"factors"`
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
func (r Report) Result(name CheckName) (Result, bool) {
	for _, res := range r.Results {
		if res.Name == name {
			return res, true
		}
	}
	return Result{}, false
}

// String returns the report as two tables: one factor a row (its checks,
// or "not checked" and why), then one check a row with its figure; then
// each failed check's problems, and a last line with the verdict.
func (r Report) String() string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "FACTOR\t\tSTATUS\tCHECKS AND FIGURES\n")
	for _, f := range r.Factors {
		status := string(f.Status)
		if f.Status == Skip {
			status = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.Number, f.Name, status, f.Summary)
	}
	fmt.Fprintf(w, "\nCHECK\tSTATUS\tFIGURE\n")
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
