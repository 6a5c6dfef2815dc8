package main

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// twelve runs the built command with args and returns its exit code,
// stdout and stderr.
func twelve(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(twelvecheck, args...)
	cmd.Env = []string{"MODE=bare"}
	out, errOut, code := testkit.Run(t, 60*time.Second, cmd)
	return code, out, errOut
}

// TestTwelvecheck_passes: a service that drains passes every check; the
// table has a row per check and the command exits 0.
func TestTwelvecheck_passes(t *testing.T) {
	t.Parallel()
	code, out, stderr := twelve(t, "-tight", "-env", "MODE=good", "-env", "DRAIN=1500ms", "-secret", "SECRET_TOKEN", "--", svc)
	if code != 0 {
		t.Errorf("exit %d, want 0\n%s%s", code, out, stderr)
	}
	for _, row := range []string{"port ", "probes ", "rolling-stop ", "logs ", "secrets ", "config-errors ", "second-signal "} {
		if !strings.Contains(out, "\n"+row) {
			t.Errorf("no row %q in the table:\n%s", row, out)
		}
	}
	if !strings.Contains(out, "PASS "+svc) {
		t.Errorf("no PASS verdict:\n%s", out)
	}
}

// TestTwelvecheck_failsJSON: a bare server without a drain fails the
// rolling stop; -json gives the report and the command exits 1.
func TestTwelvecheck_failsJSON(t *testing.T) {
	t.Parallel()
	code, out, stderr := twelve(t, "-json", "-tight", "-checks", "rolling-stop", "-env", "MODE", "--", svc)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
	var rep struct {
		Results []struct {
			Name    string             `json:"name"`
			Status  string             `json:"status"`
			Figures map[string]float64 `json:"figures"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, out)
	}
	found := false
	for _, r := range rep.Results {
		if r.Name == "rolling-stop" {
			found = true
			if r.Status != "fail" || r.Figures["failed"] == 0 {
				t.Errorf("rolling-stop %s with %v failed, want fail with failed requests", r.Status, r.Figures["failed"])
			}
		}
	}
	if !found {
		t.Errorf("no rolling-stop result:\n%s", out)
	}
}

// TestTwelvecheck_envFromParent: -env NAME passes on the command's own
// value, here MODE=bare, whose server exits 1 on a bad PORT (the default
// mode exits 78).
func TestTwelvecheck_envFromParent(t *testing.T) {
	code, out, stderr := twelve(t, "-checks", "config-errors", "-missing", "PORT", "-env", "MODE", "--", svc)
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s%s", code, out, stderr)
	}
	if !strings.Contains(out, "PORT unset: exit 1 ") {
		t.Errorf("no PORT unset case in:\n%s", out)
	}
}

func TestTwelvecheck_usage(t *testing.T) {
	for _, args := range [][]string{{}, {"-nope", "--", svc}, {"-log-format", "xml", "--", svc}, {"-bad", "PORT", "--", svc}} {
		if code, _, stderr := twelve(t, args...); code != 64 || stderr == "" {
			t.Errorf("twelvecheck %q: exit %d, stderr %q; want 64 and a message", args, code, stderr)
		}
	}
	if code, _, stderr := twelve(t, "-checks", "nope", "--", svc); code != 1 || !strings.Contains(stderr, "unknown check") {
		t.Errorf("unknown check: exit %d, stderr %q; want 1 and unknown check", code, stderr)
	}
	if code, _, _ := twelve(t, "--", "/nonexistent/binary"); code != 1 {
		t.Errorf("missing binary: exit %d, want 1", code)
	}
}
