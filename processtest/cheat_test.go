package processtest_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/processtest"
)

// cheat is testdata/cheat breaking the rule named, with extra variables.
func cheat(name string, env ...string) processtest.Binary {
	e := map[string]string{"CHEAT": name}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		e[k] = v
	}
	return processtest.Binary{Path: cheatBinary, Env: e}
}

// wantFail asserts that the named check failed with problems holding
// every one of want, and returns the problems.
func wantFail(t *testing.T, rep processtest.Report, name processtest.CheckName, want ...string) string {
	t.Helper()
	res := result(t, rep, name)
	p := strings.Join(res.Problems, "\n")
	if res.Status != processtest.Fail {
		t.Errorf("%s %s (%s), want fail", name, res.Status, res.Summary)
	}
	for _, w := range want {
		if !strings.Contains(p, w) {
			t.Errorf("%s problems lack %q:\n%s", name, w, p)
		}
	}
	return p
}

// TestCheck_secretCheats: each program leaks the secret one way and fails
// the secrets check, which names the variable, where it was seen and how
// it was encoded; the honest program passes.
func TestCheck_secretCheats(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckSecrets)
	for _, tc := range []struct {
		name  string
		bin   processtest.Binary
		where []string
	}{
		{"base64 aligned 0", cheat("b64"), []string{"stdout of the serving run (base64-encoded)"}},
		{"base64 aligned 1", cheat("b64", "CHEAT_PREFIX=k"), []string{"(base64-encoded)"}},
		{"base64 aligned 2", cheat("b64", "CHEAT_PREFIX=id:"), []string{"(base64-encoded)"}},
		{"base64url aligned 1", cheat("b64url", "CHEAT_PREFIX=Bearer "), []string{"-encoded)"}},
		{"hex", cheat("hex"), []string{"(hex-encoded)"}},
		{"hex upper", cheat("hexupper"), []string{"(hex-encoded)"}},
		{"reversed", cheat("reversed"), []string{"(reversed)"}},
		{"upper case", cheat("upper"), []string{"(in clear)"}},
		{"split in two events", cheat("split"), []string{"(in clear)"}},
		{"split early", cheat("split", "CHEAT_SPLIT=12"), []string{"(in clear)"}},
		{"split late", cheat("split", "CHEAT_SPLIT=30"), []string{"(in clear)"}},
		{"after 1 MiB of a body", cheat("bigbody"), []string{"the response of GET / (in clear)"}},
		{"in a file in /tmp", cheat("tmpfile", "CHEAT_FILE=twelvekit-cheat-"+randomName(t)), []string{"the file /tmp/twelvekit-cheat-", "written while the binary ran"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if f := tc.bin.Env["CHEAT_FILE"]; f != "" {
				t.Cleanup(func() { _ = os.Remove(filepath.Join("/tmp", f)) })
			}
			rep := check(t, tc.bin, only, processtest.WithSecret("SECRET_TOKEN", ""))
			p := wantFail(t, rep, processtest.CheckSecrets, append([]string{"the value of SECRET_TOKEN appeared in"}, tc.where...)...)
			if strings.Contains(p, "tk-canary-") {
				t.Errorf("the problems quote the canary:\n%s", p)
			}
		})
	}
	t.Run("honest", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat(""), only, processtest.WithSecret("SECRET_TOKEN", ""), processtest.WithConfigCommand("config"))
		if res := result(t, rep, processtest.CheckSecrets); res.Status != processtest.Pass || res.Figures["bytes_scanned"] == 0 {
			t.Errorf("secrets %s %q %v, want pass with bytes scanned", res.Status, res.Problems, res.Figures)
		}
	})
}

// TestCheck_logCheats: all events on stderr, and a file in HOME, fail the
// logs check.
func TestCheck_logCheats(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckLogs)
	t.Run("stderr only", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("stderr"), only)
		wantFail(t, rep, processtest.CheckLogs, "stdout held no event", "went to stderr")
	})
	t.Run("file in HOME", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("homefile"), only)
		wantFail(t, rep, processtest.CheckLogs, "$HOME/.cache/state")
	})
	t.Run("a bad line after 17 MiB", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("bigstdout"), only)
		p := wantFail(t, rep, processtest.CheckLogs, "is not a log event")
		if res := result(t, rep, processtest.CheckLogs); res.Figures["lines"] < 17<<10 || res.Figures["bad_lines"] != 1 {
			t.Errorf("lines %v, bad %v; want every one of the 17 Ki lines judged and one bad:\n%s", res.Figures["lines"], res.Figures["bad_lines"], p)
		}
	})
}

func randomName(t *testing.T) string {
	f, err := os.CreateTemp(t.TempDir(), "n")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return filepath.Base(f.Name())
}

// TestCheck_processCheats: a bind before a config error is observed
// however short; a child in a new session holding the port is found,
// reported and killed; another program started, or one needed on PATH,
// fails the dependencies check.
func TestCheck_processCheats(t *testing.T) {
	t.Parallel()
	t.Run("binds then exits 78", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("bindexit"), processtest.WithChecks(processtest.CheckConfigErrors),
			processtest.WithBadConfig("LOG_LEVEL", "loud"))
		if !kernelObserves() {
			// Sampled, the bind may be missed; the check must say so.
			if res := result(t, rep, processtest.CheckConfigErrors); res.Status == processtest.Pass && !strings.Contains(res.Summary, "sampled") {
				t.Errorf("config-errors passes %q without saying binds were sampled", res.Summary)
			}
			return
		}
		p := wantFail(t, rep, processtest.CheckConfigErrors, "with LOG_LEVEL wrong it bound $PORT before exiting")
		if strings.Contains(p, "exited") {
			t.Errorf("the exit code 78 is reported as wrong:\n%s", p)
		}
	})
	t.Run("honest config error", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat(""), processtest.WithChecks(processtest.CheckConfigErrors),
			processtest.WithBadConfig("LOG_LEVEL", "loud"), processtest.WithBadConfig("PORT", "abc"))
		if res := result(t, rep, processtest.CheckConfigErrors); res.Status != processtest.Pass || strings.Contains(res.Summary, "sampled") == kernelObserves() {
			t.Errorf("config-errors %s %q %q, want pass, saying binds were sampled only when the kernel cannot report them", res.Status, res.Summary, res.Problems)
		}
	})
	t.Run("setsid child holding the port", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("setsid"), processtest.WithChecks(processtest.CheckProcesses))
		wantFail(t, rep, processtest.CheckProcesses, "the serving run left 1 processes running after it exited: cheat (pid ")
		pid := childPid(t, rep)
		waitGone(t, pid)
	})
	t.Run("starts another program", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("exec"), processtest.WithChecks(processtest.CheckDependencies))
		if !kernelObserves() {
			if res := result(t, rep, processtest.CheckDependencies); res.Status == processtest.Pass && !strings.Contains(res.Summary, "sampled every 100 ms, not observed") {
				t.Errorf("dependencies passes %q without saying programs were sampled", res.Summary)
			}
			return
		}
		wantFail(t, rep, processtest.CheckDependencies, "it started other programs (")
	})
	t.Run("needs PATH", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("needpath", "PATH="+os.Getenv("PATH")), processtest.WithChecks(processtest.CheckDependencies), processtest.WithStartTimeout(3*time.Second))
		wantFail(t, rep, processtest.CheckDependencies, "with PATH and SHELL unset it never became ready")
	})
	t.Run("needs root", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("needroot"), processtest.WithChecks(processtest.CheckDependencies), processtest.WithStartTimeout(3*time.Second))
		if os.Geteuid() != 0 {
			// Not root, the kit cannot start it as root either.
			wantFail(t, rep, processtest.CheckPort)
			return
		}
		wantFail(t, rep, processtest.CheckDependencies, "as a non-root user (uid 65534) it never became ready")
	})
	t.Run("honest", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("", "PATH="+os.Getenv("PATH")), processtest.WithChecks(processtest.CheckDependencies, processtest.CheckProcesses))
		if !rep.Passed() {
			t.Errorf("an honest program fails:\n%s", rep)
		}
		want := "as uid 65534, not root"
		if os.Geteuid() != 0 {
			want = "every run as uid " + strconv.Itoa(os.Geteuid())
		}
		if res := result(t, rep, processtest.CheckDependencies); !strings.Contains(res.Summary, want) {
			t.Errorf("dependencies %q lacks %q", res.Summary, want)
		}
	})
}

// childPid returns the pid the cheat logged for its child.
func childPid(t *testing.T, rep processtest.Report) int {
	t.Helper()
	for _, line := range rep.Stdout {
		var ev struct {
			Msg string `json:"msg"`
			Pid int    `json:"pid"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Msg == "child" {
			return ev.Pid
		}
	}
	t.Fatalf("no child pid logged: %q", rep.Stdout)
	return 0
}

// waitGone fails unless pid has ended within 5 s (a zombie counts).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("process %d still running after the check", pid)
		}
		<-tick.C
	}
}

// TestCheck_rollingStopCheats: a server that closes its listener early
// but serves its kept-alive connections fails, as a balancer's pool opens
// new connections until it removes the instance; and the balancer model
// takes the longest removal every time.
func TestCheck_rollingStopCheats(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckRollingStop)
	t.Run("listener closed early, kept-alive served", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("keepalive", "DRAIN=1500ms"), only, processtest.WithBalancer(time.Second, 1))
		wantFail(t, rep, processtest.CheckRollingStop, "refused", "before the balancer removed the instance")
	})
	t.Run("exits under load before SIGTERM", func(t *testing.T) {
		t.Parallel()
		begin := time.Now()
		rep := check(t, cheat("crash"), only, processtest.WithWarmup(2*time.Second))
		wantFail(t, rep, processtest.CheckRollingStop, "the process exited (code 3) before SIGTERM, under load")
		if took := time.Since(begin); took > 8*time.Second {
			t.Errorf("the check took %v; a process that exited is not waited on", took)
		}
	})
	for i := range 3 {
		t.Run("worst-case phasing "+strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			rep := check(t, cheat("", "DRAIN=2500ms"), only, processtest.WithBalancer(500*time.Millisecond, 2))
			res := result(t, rep, processtest.CheckRollingStop)
			if res.Status != processtest.Pass {
				t.Errorf("rolling-stop %s %q", res.Status, res.Problems)
			}
			// 2 x 500 ms from the last passing poll, which answered just
			// before SIGTERM; never less (a loaded machine makes it later).
			if d := res.Figures["removed_ms"]; d < 900 || d > 2500 {
				t.Errorf("removed %vms after SIGTERM, want the longest removal, 1000ms or a little later", d)
			}
		})
	}
}

// TestCheck_fileCheats: a file written in /tmp, whatever its content, or
// in HOME fails the files check; the honest program passes, and so does a
// SQLite database its environment attaches.
func TestCheck_fileCheats(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckFiles)
	t.Run("in /tmp", func(t *testing.T) {
		t.Parallel()
		name := "twelvekit-cheat-" + randomName(t)
		f := filepath.Join("/tmp", name)
		t.Cleanup(func() { _ = os.Remove(f) })
		rep := check(t, cheat("tmpfile", "CHEAT_FILE="+name), only)
		if !kernelObserves() {
			if res := result(t, rep, processtest.CheckFiles); res.Status == processtest.Pass && !strings.Contains(res.Summary, "not observed") {
				t.Errorf("files passes %q without saying writes elsewhere were not observed", res.Summary)
			}
			return
		}
		wantFail(t, rep, processtest.CheckFiles, "wrote 1 files outside its TMPDIR ("+f+")")
	})
	t.Run("in HOME", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("homefile"), only)
		wantFail(t, rep, processtest.CheckFiles, "$HOME/.cache/state")
	})
	t.Run("attached database", func(t *testing.T) {
		t.Parallel()
		name := "twelvekit-cheat-" + randomName(t) + ".db"
		t.Cleanup(func() { _ = os.Remove(filepath.Join("/tmp", name+"-wal")) })
		rep := check(t, cheat("tmpfile", "CHEAT_FILE="+name+"-wal", "DATABASE_URL=sqlite:///tmp/"+name), only)
		if res := result(t, rep, processtest.CheckFiles); res.Status != processtest.Pass || (kernelObserves() && res.Figures["attached_resource_writes"] != 1) {
			t.Errorf("files %s %q: a file of the database its environment attaches is not its state", res.Status, res.Problems)
		}
	})
	t.Run("honest", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat(""), only)
		if res := result(t, rep, processtest.CheckFiles); res.Status != processtest.Pass || strings.Contains(res.Summary, "every write observed") != kernelObserves() {
			t.Errorf("files %s %q %q, want pass, every write observed where the kernel reports them", res.Status, res.Summary, res.Problems)
		}
	})
}

// TestCheck_factorCheats: a release that is not the build's, config baked
// into the build, a one-off command that binds the port or exits with
// another code, and a management port without the level endpoint each fail
// their check; the honest program passes them all, its probes served only
// on MANAGEMENT_PORT.
func TestCheck_factorCheats(t *testing.T) {
	t.Parallel()
	t.Run("version not the release", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("version", "RELEASE=r-2041"), processtest.WithChecks(processtest.CheckRelease), processtest.WithReleaseCommand("version"))
		wantFail(t, rep, processtest.CheckRelease, `the release command "version" printed no release of its build (r-2041, from $RELEASE)`)
	})
	t.Run("config baked in", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("baked"), processtest.WithChecks(processtest.CheckRelease), processtest.WithVariant("GREETING", "/"))
		wantFail(t, rep, processtest.CheckRelease, "its config is baked into the build")
	})
	t.Run("one-off binds the port", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("admin"), processtest.WithChecks(processtest.CheckAdmin), processtest.WithAdminCommand(0, "task"))
		wantFail(t, rep, processtest.CheckAdmin, "`task` bound $PORT")
	})
	t.Run("one-off exit code", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("", "TASK_EXIT=3"), processtest.WithChecks(processtest.CheckAdmin), processtest.WithAdminCommand(0, "task"))
		wantFail(t, rep, processtest.CheckAdmin, "`task` exited 3, want 0")
	})
	t.Run("no level endpoint where declared", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("nolevel", "MANAGEMENT_PORT=0"), processtest.WithChecks(processtest.CheckManagement), processtest.WithLevelEndpoint("/debug/level"))
		wantFail(t, rep, processtest.CheckManagement, "the level endpoint /debug/level answered 404 on MANAGEMENT_PORT")
	})
	t.Run("level endpoint on the public port", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("publiclevel", "MANAGEMENT_PORT=0"), processtest.WithChecks(processtest.CheckManagement))
		wantFail(t, rep, processtest.CheckManagement, "answered 404 on MANAGEMENT_PORT but 200 on $PORT")
	})
	t.Run("no level endpoint at all", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("nolevel", "MANAGEMENT_PORT=0"), processtest.WithChecks(processtest.CheckManagement))
		if res := result(t, rep, processtest.CheckManagement); res.Status != processtest.Pass || !strings.Contains(res.Summary, "no level endpoint at /debug/level on either port") {
			t.Errorf("management %s %q, want pass saying no level endpoint is served", res.Status, res.Summary)
		}
	})
	t.Run("honest", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("", "RELEASE=r-2041", "TASK_EXIT=3", "MANAGEMENT_PORT=0", "DRAIN=1500ms"),
			processtest.WithChecks(processtest.CheckRelease, processtest.CheckAdmin, processtest.CheckManagement, processtest.CheckRollingStop),
			processtest.WithBalancer(time.Second, 1), processtest.WithReleaseCommand("version"), processtest.WithVariant("GREETING", "/"),
			processtest.WithAdminCommand(3, "task"), processtest.WithBadConfig("LOG_LEVEL", "loud"))
		if !rep.Passed() {
			t.Fatalf("the honest program fails")
		}
		for _, name := range []processtest.CheckName{processtest.CheckRelease, processtest.CheckAdmin, processtest.CheckManagement, processtest.CheckRollingStop} {
			if res := result(t, rep, name); res.Status != processtest.Pass {
				t.Errorf("%s %s, want pass", name, res.Status)
			}
		}
		if res := result(t, rep, processtest.CheckAdmin); !strings.Contains(res.Summary, "same config: with LOG_LEVEL wrong it exited 78") {
			t.Errorf("admin %q does not show the same config", res.Summary)
		}
	})
}

// TestCheck_relativePathAndFactors: a relative path is the caller's, not
// the run's working directory's; the report has one row per factor, in
// JSON and in text, "not checked" saying why.
func TestCheck_relativePathAndFactors(t *testing.T) {
	t.Parallel()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, cheatBinary)
	if err != nil {
		t.Fatal(err)
	}
	rep := check(t, processtest.Binary{Path: rel}, processtest.WithChecks(processtest.CheckPort, processtest.CheckLogs))
	if !rep.Passed() {
		t.Fatalf("%s fails", rel)
	}
	b, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Factors []struct {
			Factor, Name, Status, Summary string
			Checks                        []string
		}
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	numbers := []string{"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"}
	if len(got.Factors) != len(numbers) {
		t.Fatalf("%d factors in the JSON report, want 12:\n%s", len(got.Factors), b)
	}
	for i, f := range got.Factors {
		if f.Factor != numbers[i] || f.Name == "" {
			t.Errorf("factor %d is %q %q, want %s", i, f.Factor, f.Name, numbers[i])
		}
		if f.Status == "skip" && !strings.HasPrefix(f.Summary, "not checked: ") {
			t.Errorf("factor %s not checked without saying so: %q", f.Factor, f.Summary)
		}
	}
	if vii := got.Factors[6]; vii.Status != "pass" || !slices.Equal(vii.Checks, []string{string(processtest.CheckPort)}) || !strings.Contains(vii.Summary, "accepting on $PORT") {
		t.Errorf("factor VII %+v, want pass by port with its figure", vii)
	}
	if xi := got.Factors[10]; xi.Status != "pass" || !strings.Contains(xi.Summary, "stdout lines") {
		t.Errorf("factor XI %+v, want pass by logs with its figure", xi)
	}
	if iv := got.Factors[3]; iv.Status != "skip" {
		t.Errorf("factor IV %+v, want not checked", iv)
	}
	text := rep.String()
	for _, n := range numbers {
		if !strings.Contains(text, "\n"+n+" ") {
			t.Errorf("no row for factor %s in the text report:\n%s", n, text)
		}
	}
}

// kernelObserves reports whether the kit can observe binds, processes and
// file writes through the kernel here (on Linux, as root); elsewhere the
// checks must say they sampled or did not check.
func kernelObserves() bool { return processtest.KernelObserves() }

// TestCheck_concurrencyCheat: a program holding an exclusive lock cannot
// run twice, and fails the concurrency check; the honest one passes.
func TestCheck_concurrencyCheat(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckConcurrency)
	t.Run("exclusive lock", func(t *testing.T) {
		t.Parallel()
		name := randomName(t)
		t.Cleanup(func() { _ = os.Remove(filepath.Join("/tmp", "twelvekit-cheat-"+name+".lock")) })
		rep := check(t, cheat("lock", "CHEAT_LOCK="+name), only)
		wantFail(t, rep, processtest.CheckConcurrency, "a second instance of the same binary, on its own port, exited with code 1")
	})
	t.Run("honest", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat(""), only)
		if res := result(t, rep, processtest.CheckConcurrency); res.Status != processtest.Pass {
			t.Errorf("concurrency %s %q", res.Status, res.Problems)
		}
	})
}

// TestFlags: the flags give the options of the checks a run cannot find by
// itself; a malformed one makes Check fail with its name.
func TestFlags(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("twelvecheck", flag.ContinueOnError)
	more := processtest.Flags(fs)
	if err := fs.Parse([]string{"-release-cmd", "version", "-admin", "task", "-admin-exit", "3"}); err != nil {
		t.Fatal(err)
	}
	rep := check(t, cheat("version", "RELEASE=r-7", "TASK_EXIT=3"), append(more(), processtest.WithChecks(processtest.CheckRelease, processtest.CheckAdmin))...)
	wantFail(t, rep, processtest.CheckRelease, `the release command "version" printed no release of its build`)
	if res := result(t, rep, processtest.CheckAdmin); res.Status != processtest.Pass {
		t.Errorf("admin %s %q, want pass: task exits 3 as -admin-exit says", res.Status, res.Problems)
	}

	fs = flag.NewFlagSet("twelvecheck", flag.ContinueOnError)
	more = processtest.Flags(fs)
	if err := fs.Parse([]string{"-variant", "GREETING"}); err != nil {
		t.Fatal(err)
	}
	if _, err := processtest.Check(t.Context(), cheat(""), more()...); err == nil || !strings.Contains(err.Error(), "-variant takes NAME=PATH") {
		t.Errorf("a malformed -variant: error %v, want one naming the flag", err)
	}
}

// TestCheck_workerOnManagementPort: a process type that serves no $PORT,
// its probes on MANAGEMENT_PORT only, is checked there and passes, its
// port "not checked"; one ready there before it binds $PORT fails.
func TestCheck_workerOnManagementPort(t *testing.T) {
	t.Parallel()
	only := processtest.WithChecks(processtest.CheckProbes, processtest.CheckRollingStop, processtest.CheckManagement,
		processtest.CheckSecondSignal, processtest.CheckConcurrency)
	t.Run("worker", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("worker", "MANAGEMENT_PORT=0"), only)
		if !rep.Passed() {
			t.Fatalf("a worker with probes on MANAGEMENT_PORT fails")
		}
		if res := result(t, rep, processtest.CheckPort); res.Status != processtest.Skip || !strings.Contains(res.Summary, "binds no $PORT") {
			t.Errorf("port %s %q, want not checked: binds no $PORT", res.Status, res.Summary)
		}
		if res := result(t, rep, processtest.CheckRollingStop); !strings.Contains(res.Summary, "a worker") {
			t.Errorf("rolling-stop %q, want the stop of a worker", res.Summary)
		}
	})
	t.Run("ready before $PORT", func(t *testing.T) {
		t.Parallel()
		rep := check(t, cheat("lateport", "MANAGEMENT_PORT=0"), processtest.WithChecks(processtest.CheckProbes))
		wantFail(t, rep, processtest.CheckProbes, "on MANAGEMENT_PORT", "before $PORT accepted")
	})
}

// TestCheck_nonRootWithPrivateFiles: when the environment names a file
// only its owner can reach, the run as another user is not checked, with
// the reason, rather than failed.
func TestCheck_nonRootWithPrivateFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() // 0700
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rep := check(t, cheat("", "DATABASE_URL=sqlite://"+filepath.Join(dir, "app.db")), processtest.WithChecks(processtest.CheckDependencies))
	res := result(t, rep, processtest.CheckDependencies)
	if res.Status != processtest.Pass {
		t.Errorf("dependencies %s %q, want pass", res.Status, res.Problems)
	}
	if os.Geteuid() == 0 && !strings.Contains(res.Summary, "as a non-root user: not checked (its environment names "+filepath.Join(dir, "app.db")) {
		t.Errorf("dependencies %q does not say why the non-root run was not checked", res.Summary)
	}
}
