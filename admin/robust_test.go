package admin_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestProcess_perCommandConfig runs tasks whose configuration is their own,
// or a part of the App's, with only their own variables set.
func TestProcess_perCommandConfig(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "tasks", map[string]string{"DB_HOST": "db.internal", "SERVER_TIMEOUT_READ": "soon"}, "migrate")
	if code := c.wait(t); code != 0 {
		t.Fatalf("migrate with DB_* only: exit %d, stderr %q", code, c.errText())
	}
	if got := c.outText(); !strings.Contains(got, "migrating db.internal/app\n") {
		t.Errorf("stdout %q, want the DB_ part of the config loaded", got)
	}
	// What migrate reads is still checked.
	c = startProgram(t, "tasks", map[string]string{"API_KEY": "k"}, "migrate")
	if code := c.wait(t); code != 78 || !strings.Contains(c.errText(), "DB_HOST: required but not set") {
		t.Errorf("migrate without DB_HOST: exit %d, stderr %q; want 78 naming DB_HOST", code, c.errText())
	}
	// A command of its own struct.
	c = startProgram(t, "tasks", map[string]string{"REPORT_WINDOW": "1h"}, "report")
	if code := c.wait(t); code != 0 || !strings.Contains(c.outText(), "report over 1h0m0s\n") {
		t.Errorf("report: exit %d, stdout %q, stderr %q", code, c.outText(), c.errText())
	}
	// The whole configuration, for a command without its own.
	c = startProgram(t, "tasks", map[string]string{"DB_HOST": "db.internal"}, "noop")
	if code := c.wait(t); code != 78 || !strings.Contains(c.errText(), "API_KEY: required but not set") {
		t.Errorf("noop without API_KEY: exit %d, stderr %q; want 78", code, c.errText())
	}
}

// TestProcess_eachPartReported: a bad LOG_LEVEL is reported even when the
// App's config holds no logging.Config; a bad PORT fails a process type
// and not a task.
func TestProcess_eachPartReported(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DB_HOST": "db", "API_KEY": "k", "PORT": "abc"}
	c := startProgram(t, "tasks", env, "noop")
	if code := c.wait(t); code != 0 {
		t.Errorf("task with a bad PORT: exit %d, stderr %q; want 0, a task opens no port", code, c.errText())
	}
	c = startProgram(t, "tasks", env, "serve")
	if code := c.wait(t); code != 78 || !strings.Contains(c.errText(), "PORT: ") {
		t.Errorf("process type with a bad PORT: exit %d, stderr %q; want 78 naming PORT", code, c.errText())
	}
	env["PORT"] = "0"
	env["LOG_LEVEL"] = "loud"
	c = startProgram(t, "tasks", env, "noop")
	if code := c.wait(t); code != 78 || !strings.Contains(c.errText(), "LOG_LEVEL: ") || strings.Contains(c.errText(), "loud") {
		t.Errorf("bad LOG_LEVEL: exit %d, stderr %q; want 78 naming LOG_LEVEL without its value", code, c.errText())
	}
	// Through the part of a command's own config, too.
	c = startProgram(t, "tasks", map[string]string{"LOG_FORMAT": "xml"}, "report")
	if code := c.wait(t); code != 78 || !strings.Contains(c.errText(), "LOG_FORMAT: ") {
		t.Errorf("bad LOG_FORMAT: exit %d, stderr %q; want 78 naming LOG_FORMAT", code, c.errText())
	}
}

// TestProcess_loggingHook derives the level from SERVER_DEBUG.
func TestProcess_loggingHook(t *testing.T) {
	t.Parallel()
	for _, debug := range []string{"true", "false"} {
		c := startProgram(t, "tasks", map[string]string{"DB_HOST": "db", "API_KEY": "k", "SERVER_DEBUG": debug}, "noop")
		if code := c.wait(t); code != 0 {
			t.Fatalf("exit %d, stderr %q", code, c.errText())
		}
		if n, want := len(c.events(t, "debug event")), map[string]int{"true": 1, "false": 0}[debug]; n != want {
			t.Errorf("SERVER_DEBUG=%s: %d debug events, want %d:\n%s", debug, n, want, c.outText())
		}
	}
}

// TestProcess_taskPanics: exit 1, the panic logged once with its stack,
// the error once on stderr.
func TestProcess_taskPanics(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "tasks", nil, "panic")
	if code := c.wait(t); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	evs := c.events(t, "task panicked")
	if len(evs) != 1 {
		t.Fatalf("%d \"task panicked\" events, want 1:\n%s", len(evs), c.outText())
	}
	if stack, _ := evs[0]["stack"].(string); !strings.Contains(stack, "programs_test.go") || evs[0]["task"] != "panic" {
		t.Errorf("event %v, want the task's name and a stack through its code", evs[0])
	}
	if lines := c.errLines(); len(lines) != 1 || !strings.Contains(lines[0], "tasks panic: ") || !strings.Contains(lines[0], "panicked: the import file vanished") {
		t.Errorf("stderr %q, want the panic once", lines)
	}
}

// TestProcess_taskForced: a task that ignores its context is stopped by a
// SIGINT sent 500 ms or more after the first signal: exit 130, logged.
func TestProcess_taskForced(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "tasks", nil, "stuck")
	c.waitLine(t, "started")
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	c.waitLine(t, `"msg":"stopping: signal received; the task's context is cancelled"`)
	// A second SIGTERM never forces (platforms repeat it); it is logged.
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if line := c.waitLine(t, `"msg":"signal ignored; the task goes on"`); !strings.Contains(line, `"signal":"SIGTERM"`) {
		t.Errorf("ignored signal event %s, want SIGTERM", line)
	}
	// Keep sending SIGINT: the early ones are ignored, as in lifecycle.
	c.forceWithSIGINTs(t)
	if code := c.wait(t); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	if n := len(c.events(t, "stop forced by a second signal")); n != 1 {
		t.Errorf("%d \"stop forced\" events, want 1:\n%s", n, c.outText())
	}
	// The second SIGTERM was ignored; SIGINTs sent within 500 ms of the
	// first signal were too (how many depends on the machine's speed).
	if n := len(c.events(t, "signal ignored; the task goes on")); n < 1 {
		t.Errorf("no ignored signal logged:\n%s", c.outText())
	}
	if lines := c.errLines(); len(lines) != 1 || !strings.Contains(lines[0], "stop forced by a second signal") {
		t.Errorf("stderr %q", lines)
	}
}

// TestProcess_taskTimeout: a task past its WithTimeout exits 124, logged.
func TestProcess_taskTimeout(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "tasks", nil, "slow")
	if code := c.wait(t); code != 124 {
		t.Errorf("exit %d, want 124", code)
	}
	if evs := c.events(t, "task timed out"); len(evs) != 1 || evs[0]["timeout"] == nil {
		t.Errorf("want one \"task timed out\" event with the timeout:\n%s", c.outText())
	}
	c = startProgram(t, "tasks", nil, "deadline")
	if code := c.wait(t); code != 124 {
		t.Errorf("a task returning at its deadline: exit %d, want 124", code)
	}
}

// TestProcess_setupFailureBindsNothing: a process type whose setup fails
// after adding a server exits with its error; its group is never run, so
// nothing listens and nothing is logged.
func TestProcess_setupFailureBindsNothing(t *testing.T) {
	t.Parallel()
	c := startProgram(t, "tasks", map[string]string{"DB_HOST": "db", "API_KEY": "k", "PORT": "0"}, "web")
	if code := c.wait(t); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	// No group ran: not even one with a done context, which logs its stop.
	if out := c.outText(); out != "" {
		t.Errorf("setup failed, yet the group ran:\n%s", out)
	}
	if lines := c.errLines(); len(lines) != 1 || lines[0] != "tasks web: the templates are missing; build them first" {
		t.Errorf("stderr %q", lines)
	}
}

// TestProcess_builtinsAgree: backing lists the backing.URL fields of the
// loaded config (a default, a .env file) besides the other *_URL
// variables; config and backing never print a credential.
func TestProcess_builtinsAgree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	greetingFile := filepath.Join(dir, "greeting")
	passwordFile := filepath.Join(dir, "password")
	for file, content := range map[string]string{greetingFile: "canary-file-greeting\n", passwordFile: "canary-file-pw\n"} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{
		"DB_HOST":            "db",
		"DB_PASSWORD_FILE":   passwordFile,
		"API_KEY":            "canary-api-key",
		"LEGACY_DB_PASSWORD": "canary-legacy-pw",
		"GREETING_FILE":      greetingFile,
		"UPSTREAM":           "https://user:/canary-slash@up.internal/x",
		"CALLBACK":           "https://cb:?canary-query@cb.internal/",
		"QUEUE_URL":          "amqp://guest:canary-amqp@mq.internal:5672/",
		"WEBHOOK":            "https://hook:#canary-hash@hooks.internal/",
		"REDIS_TLS_URL":      "rediss://:%23canary-enc@r.internal:6380/0",
	}
	c := startProgram(t, "tasks", env, "backing")
	if code := c.wait(t); code != 0 {
		t.Fatalf("backing: exit %d, stderr %q", code, c.errText())
	}
	out := c.outText()
	for _, want := range []string{"\nCACHE_URL ", "redis://cache.internal:6379/0", "\nQUEUE_URL ", "\nREDIS_TLS_URL "} {
		if !strings.Contains(out, want) {
			t.Errorf("backing lacks %q:\n%s", want, out)
		}
	}
	c2 := startProgram(t, "tasks", env, "config")
	if code := c2.wait(t); code != 0 {
		t.Fatalf("config: exit %d, stderr %q", code, c2.errText())
	}
	for _, name := range []string{"CACHE_URL", "GREETING", "LEGACY_DB_PASSWORD", "UPSTREAM", "WEBHOOK", "CALLBACK"} {
		if !strings.Contains(c2.outText(), "\n"+name+" ") {
			t.Errorf("config lacks %s:\n%s", name, c2.outText())
		}
	}
	for line := range strings.SplitSeq(c2.outText(), "\n") {
		if (strings.HasPrefix(line, "GREETING ") || strings.HasPrefix(line, "LEGACY_DB_PASSWORD ")) && !strings.Contains(line, "[REDACTED]") {
			t.Errorf("config shows no mask: %q", line)
		}
	}
	c3 := startProgram(t, "tasks", env, "config", "migrate")
	if code := c3.wait(t); code != 0 || !strings.Contains(c3.outText(), "\nDB_PASSWORD ") {
		t.Fatalf("config migrate: exit %d, stdout %q, stderr %q", code, c3.outText(), c3.errText())
	}
	for _, p := range []*child{c, c2, c3} {
		all := p.outText() + p.errText()
		for _, canary := range []string{"canary-file-pw", "canary-api-key", "canary-legacy-pw", "canary-file-greeting", "canary-slash", "canary-query", "canary-hash", "canary-enc", "canary-amqp"} {
			if strings.Contains(all, canary) {
				t.Errorf("%v prints %s:\n%s", p.Cmd.Args, canary, all)
			}
		}
	}
}

// TestProcess_oneSnapshot: variables that loading removes from the process
// environment (the unset tag option) are still what config shows and what
// the logger reads, because every part of the run reads one snapshot.
func TestProcess_oneSnapshot(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DB_HOST": "db", "API_KEY": "k", "DEPLOY_TOKEN": "canary-deploy", "RELEASE": "v7.1.0", "SERVER_DEBUG": "true"}
	c := startProgram(t, "tasks", env, "noop")
	if code := c.wait(t); code != 0 {
		t.Fatalf("noop: exit %d, stderr %q", code, c.errText())
	}
	evs := c.events(t, "debug event")
	if len(evs) != 1 || evs[0]["release"] != "v7.1.0" {
		t.Errorf("events %v, want one with release v7.1.0:\n%s", evs, c.outText())
	}
	c = startProgram(t, "tasks", env, "config")
	if code := c.wait(t); code != 0 {
		t.Fatalf("config: exit %d, stderr %q", code, c.errText())
	}
	for line := range strings.SplitSeq(c.outText(), "\n") {
		if strings.HasPrefix(line, "DEPLOY_TOKEN ") && (!strings.HasSuffix(line, " environment") || !strings.Contains(line, "[REDACTED]")) {
			t.Errorf("config shows %q, want DEPLOY_TOKEN masked, from the environment", line)
		}
		if strings.HasPrefix(line, "RELEASE ") && !strings.Contains(line, "v7.1.0") {
			t.Errorf("config shows %q, want RELEASE v7.1.0", line)
		}
	}
	if !strings.Contains(c.outText(), "\nDEPLOY_TOKEN ") || strings.Contains(c.outText(), "canary-deploy") {
		t.Errorf("config:\n%s", c.outText())
	}
}
