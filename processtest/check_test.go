package processtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/processtest"
)

// svc is the test service in mode with extra variables.
func svc(mode string, env ...string) processtest.Binary {
	e := map[string]string{"MODE": mode}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		e[k] = v
	}
	return processtest.Binary{Path: serviceBinary, Env: e}
}

func result(t *testing.T, rep processtest.Report, name processtest.CheckName) processtest.Result {
	t.Helper()
	res, ok := rep.Result(name)
	if !ok {
		t.Fatalf("no result %q in the report:\n%s", name, rep)
	}
	return res
}

func check(t *testing.T, bin processtest.Binary, opts ...processtest.Option) processtest.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rep, err := processtest.Check(ctx, bin, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("report:\n%s", rep)
	return rep
}

// TestRun_drainingService runs every check, as subtests, on a stdlib
// service that drains properly: every check passes.
func TestRun_drainingService(t *testing.T) {
	t.Parallel()
	rep := processtest.Run(t, svc("good", "DRAIN=1500ms"),
		processtest.WithBalancer(time.Second, 1), processtest.WithSecret("SECRET_TOKEN", ""))
	rs := result(t, rep, processtest.CheckRollingStop)
	if rs.Figures["sent"] < 100 || rs.Figures["sent_after_sigterm"] == 0 {
		t.Errorf("sent %v, %v of them after SIGTERM; want at least 100 and some after", rs.Figures["sent"], rs.Figures["sent_after_sigterm"])
	}
	if rf, exit := rs.Figures["readiness_failed_ms"], rs.Figures["exit_ms"]; rf <= 0 || rf > 500 || exit < 1500 {
		t.Errorf("readiness failed %vms and exit %vms after SIGTERM; want within 500ms, and not before the 1.5s drain", rf, exit)
	}
	if ss := result(t, rep, processtest.CheckSecondSignal); ss.Figures["exit_code"] != 130 {
		t.Errorf("second signal: exit code %v, want 130 (the service's forced stop)", ss.Figures["exit_code"])
	}
}

// TestCheck_exitRightAfterSIGTERM: a server that exits within a
// millisecond of SIGTERM, while the kit is still recording that it sent
// it, exited after SIGTERM, not before: the balancer still gets its fall
// and the requests it sends to the closed port fail. Not parallel: it
// sets a hook of the package.
func TestCheck_exitRightAfterSIGTERM(t *testing.T) {
	defer processtest.DelayAfterSIGTERM(20 * time.Millisecond)()
	rep := check(t, svc("bare"), processtest.WithBalancer(time.Second, 1), processtest.WithChecks(processtest.CheckRollingStop))
	rs := result(t, rep, processtest.CheckRollingStop)
	if p := strings.Join(rs.Problems, "\n"); strings.Contains(p, "before SIGTERM") {
		t.Errorf("problems say the process exited before SIGTERM, but it was sent first:\n%s", p)
	}
	if rs.Status != processtest.Fail || rs.Figures["failed"] == 0 {
		t.Errorf("rolling-stop %s with %v failed, want fail with the requests of the balancer's fall failed", rs.Status, rs.Figures["failed"])
	}
}

// TestCheck_bareServerFails proves the kit can fail: a bare net/http
// server that calls Shutdown at once on SIGTERM loses requests.
func TestCheck_bareServerFails(t *testing.T) {
	t.Parallel()
	rep := check(t, svc("bare"), processtest.WithBalancer(time.Second, 1),
		processtest.WithChecks(processtest.CheckRollingStop, processtest.CheckLogs, processtest.CheckConfigErrors))
	if rep.Passed() {
		t.Fatal("the report passes a server without a drain")
	}
	rs := result(t, rep, processtest.CheckRollingStop)
	if rs.Status != processtest.Fail {
		t.Fatalf("rolling-stop %s, want fail", rs.Status)
	}
	if rs.Figures["failed"] == 0 {
		t.Errorf("no failed request counted: %v", rs.Figures)
	}
	if _, ok := rs.Figures["readiness_failed_ms"]; ok {
		t.Errorf("readiness counted as failed, but the bare server answers 200 until it closes")
	}
	if !strings.Contains(strings.Join(rs.Problems, "\n"), "requests failed") {
		t.Errorf("problems %q do not say requests failed", rs.Problems)
	}
	if got := result(t, rep, processtest.CheckLogs); got.Status != processtest.Fail {
		t.Errorf("logs %s for a plain-text stdout line, want fail", got.Status)
	}
	ce := result(t, rep, processtest.CheckConfigErrors)
	if p := strings.Join(ce.Problems, "\n"); ce.Status != processtest.Fail || !strings.Contains(p, "exited 1, want 78") || !strings.Contains(p, "quotes the wrong value") || !strings.Contains(p, "does not name PORT") {
		t.Errorf("config-errors %s %q; want fail: exit 1, value quoted, PORT not named", ce.Status, ce.Problems)
	}
	if got := result(t, rep, processtest.CheckSecondSignal); got.Status != processtest.Skip {
		t.Errorf("second-signal %s, not asked for: want skip", got.Status)
	}
}

// TestCheck_hangingStop: a process that never stops is reported hung at
// the grace period, with the time, and killed then.
func TestCheck_hangingStop(t *testing.T) {
	t.Parallel()
	begin := time.Now()
	rep := check(t, svc("hang"), processtest.WithBalancer(time.Second, 1), processtest.WithGracePeriod(2*time.Second),
		processtest.WithWarmup(200*time.Millisecond),
		processtest.WithSecondSignal(300*time.Millisecond, 500*time.Millisecond),
		processtest.WithChecks(processtest.CheckRollingStop, processtest.CheckSecondSignal))
	if took := time.Since(begin); took > 10*time.Second {
		t.Errorf("the check took %v; a hung process must not be waited on past its bounds", took)
	}
	rs := result(t, rep, processtest.CheckRollingStop)
	if rs.Status != processtest.Fail || !strings.Contains(rs.Summary, "hung") {
		t.Errorf("rolling-stop %s %q, want a failure saying hung", rs.Status, rs.Summary)
	}
	if d := rs.Figures["exit_ms"]; d < 2000 || d > 3000 {
		t.Errorf("hung for %vms, want the 2s grace period", d)
	}
	ss := result(t, rep, processtest.CheckSecondSignal)
	if ss.Status != processtest.Fail || ss.Figures["hung_ms"] < 800 || ss.Figures["hung_ms"] > 2000 {
		t.Errorf("second-signal %s after %vms, want a failure after 300ms+500ms", ss.Status, ss.Figures["hung_ms"])
	}
}

// TestCheck_leakyService: a canary on stdout and in a response, a file in
// the working directory and a plain-text line are each found.
func TestCheck_leakyService(t *testing.T) {
	rep := check(t, svc("leaky", "DRAIN=0s"), processtest.WithSecret("SECRET_TOKEN", ""), processtest.WithSecret("DATABASE_URL", "postgres://app:{canary}@127.0.0.1/app"),
		processtest.WithChecks(processtest.CheckLogs, processtest.CheckSecrets))
	sec := result(t, rep, processtest.CheckSecrets)
	p := strings.Join(sec.Problems, "\n")
	if sec.Status != processtest.Fail || !strings.Contains(p, "SECRET_TOKEN appeared in") || !strings.Contains(p, "stdout") || !strings.Contains(p, "the response of GET /") {
		t.Errorf("secrets %s %q; want SECRET_TOKEN found on stdout and in GET /", sec.Status, sec.Problems)
	}
	if strings.Contains(p, "DATABASE_URL") {
		t.Errorf("DATABASE_URL reported, but the service never prints it: %q", sec.Problems)
	}
	logs := result(t, rep, processtest.CheckLogs)
	if lp := strings.Join(logs.Problems, "\n"); logs.Status != processtest.Fail || !strings.Contains(lp, "app.log") || !strings.Contains(lp, "not a log event") {
		t.Errorf("logs %s %q; want app.log and a line that is not an event", logs.Status, logs.Problems)
	}
	if strings.Contains(rep.String(), "tk-canary-") && !strings.Contains(strings.Join(rep.Stdout, "\n"), "tk-canary-") {
		t.Errorf("a canary is in the report's table:\n%s", rep)
	}
}

// TestCheck_configErrors: a wrong and a missing PORT exit 78 naming PORT.
func TestCheck_configErrors(t *testing.T) {
	rep := check(t, svc("good"), processtest.WithBadConfig("PORT", "abc"), processtest.WithMissingConfig("PORT"),
		processtest.WithChecks(processtest.CheckConfigErrors))
	ce := result(t, rep, processtest.CheckConfigErrors)
	if ce.Status != processtest.Pass || ce.Figures["case1_exit_code"] != 78 || ce.Figures["case2_exit_code"] != 78 {
		t.Errorf("config-errors %s %v %q, want pass with two exits 78", ce.Status, ce.Figures, ce.Problems)
	}
	if !rep.Passed() {
		t.Errorf("report fails")
	}
}

func TestCheck_noBinary(t *testing.T) {
	_, err := processtest.Check(t.Context(), processtest.Binary{Path: t.TempDir() + "/missing"})
	if !errors.Is(err, processtest.ErrNoBinary) {
		t.Errorf("error %v, want ErrNoBinary", err)
	}
}

// TestCheck_badOptions: options that cannot be checked are an error of
// Check, naming what was wrong, before anything is started.
func TestCheck_badOptions(t *testing.T) {
	bin := processtest.Binary{Path: t.TempDir() + "/missing"}
	for _, tc := range []struct {
		opt  processtest.Option
		want string
	}{
		{processtest.WithSecret("DATABASE_URL", "postgres://app:pw@db/app"), "DATABASE_URL holds no {canary}"},
		{processtest.WithChecks(processtest.CheckPort, "prot"), `unknown check "prot"`},
	} {
		_, err := processtest.Check(t.Context(), bin, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "pw@") {
			t.Errorf("error %v, want one saying %q (and not the template)", err, tc.want)
		}
	}
}

// TestCheck_killsChildren: a service that leaves a child running when it
// exits gets its whole process group killed by the kit, and nothing else.
func TestCheck_killsChildren(t *testing.T) {
	rep := check(t, svc("spawn", "DRAIN=0s"), processtest.WithChecks(processtest.CheckLogs))
	var pid int
	for _, line := range rep.Stdout {
		var ev struct {
			Msg string `json:"msg"`
			Pid int    `json:"pid"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Msg == "child" {
			pid = ev.Pid
		}
	}
	if pid == 0 {
		t.Fatalf("no child pid logged: %q", rep.Stdout)
	}
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return // gone, or a zombie waiting for init
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("child %d of the service still running after the check", pid)
		}
		<-tick.C
	}
}

// TestCheck_loadHeader: a load header can carry a secret's canary, so a
// service that needs authentication is loaded; without it the probes
// check sees the app refuse the load request.
func TestCheck_loadHeader(t *testing.T) {
	bin := svc("good", "REQUIRE_AUTH=1", "DRAIN=0s")
	only := processtest.WithChecks(processtest.CheckProbes, processtest.CheckSecrets)
	rep := check(t, bin, only, processtest.WithSecret("SECRET_TOKEN", ""),
		processtest.WithLoadHeader("Authorization", "Bearer ${SECRET_TOKEN}"))
	if !rep.Passed() {
		t.Errorf("with the header the check fails:\n%s", rep)
	}
	rep = check(t, bin, only, processtest.WithSecret("SECRET_TOKEN", ""))
	if res := result(t, rep, processtest.CheckProbes); res.Status != processtest.Fail || !strings.Contains(strings.Join(res.Problems, ""), "status 401") {
		t.Errorf("without the header: probes %s %q, want a failure with status 401", res.Status, res.Problems)
	}
}

// TestRun_reportsFailures runs Run on the bare server in a child test
// process and reads its verdicts: each check a subtest, the rolling stop
// failed with what a platform would have seen, the others passed or skipped.
func TestRun_reportsFailures(t *testing.T) {
	t.Parallel()
	if os.Getenv("PROCESSTEST_CHILD") == "bare" {
		processtest.Run(t, svc("bare"), processtest.WithBalancer(time.Second, 1),
			processtest.WithChecks(processtest.CheckRollingStop))
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^TestRun_reportsFailures$", "-test.v")
	cmd.Env = append(os.Environ(), "PROCESSTEST_CHILD=bare")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("child test: %v, want exit 1\n%s", err, out)
	}
	for _, want := range []string{
		"--- FAIL: TestRun_reportsFailures/rolling-stop",
		"requests failed",
		"--- PASS: TestRun_reportsFailures/port",
		"--- SKIP: TestRun_reportsFailures/secrets",
		"stdout of the serving run",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}
