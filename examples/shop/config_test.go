package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSecretsNeverShown runs every command of shop with a canary password
// in DATABASE_URL and a canary API key; neither appears in stdout, stderr or
// any log line.
func TestSecretsNeverShown(t *testing.T) {
	t.Parallel()
	const password, apiKey = "canary-pw-4f1b9", "canary-key-7d2e3"
	db := postgresDatabase(t) // trust authentication: the password is sent, not needed
	db.url = strings.Replace(db.url, "@", ":"+password+"@", 1)
	env := db.env("API_KEY="+apiKey, "PORT=0", "DRAIN_DELAY=0s", "POLL_INTERVAL=50ms", "LOG_LEVEL=debug")

	var procs []*proc
	run := func(args ...string) *proc {
		p := start(t, "shop "+strings.Join(args, " "), env, db.dir, args...)
		procs = append(procs, p)
		return p
	}
	help := run("help")
	help.wait(20 * time.Second)
	commands := [][]string{{"migrate"}, {"config"}, {"config", "migrate"}, {"config", "-doc"}, {"version"}, {"help", "web"}, {"help", "migrate"}}
	if strings.Contains(help.Stdout(), "backing") { // the built-in, where admin has it
		commands = append(commands, []string{"backing"}, []string{"backing", "-check"})
	}
	for _, args := range commands {
		if code := run(args...).wait(30 * time.Second); code != 0 {
			t.Errorf("shop %s: exit %d, want 0", strings.Join(args, " "), code)
		}
	}

	web := run("web")
	base := "http://" + web.addr()
	web.event("ready", 20*time.Second)
	worker := run("worker")
	worker.event("worker started", 20*time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for _, auth := range []string{"Bearer " + apiKey, "Bearer wrong-" + apiKey, ""} {
		req, _ := http.NewRequest("POST", base+"/orders", strings.NewReader(`{"sku":"A-1","quantity":1}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if want := map[bool]int{true: 201, false: 401}[auth == "Bearer "+apiKey]; resp.StatusCode != want {
			t.Errorf("POST /orders with %q: %d, want %d", auth, resp.StatusCode, want)
		}
	}
	for _, path := range []string{"/readyz", "/jobs", "/orders/1"} {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	client.CloseIdleConnections()
	for _, p := range []*proc{web, worker} {
		p.signal(syscall.SIGTERM)
		if code := p.wait(20 * time.Second); code != 0 {
			t.Errorf("%s: exit %d after SIGTERM, want 0", p.name, code)
		}
	}

	nlines, leaks := 0, 0
	for _, p := range procs {
		for _, out := range []string{p.Stdout(), p.Stderr()} {
			for line := range strings.Lines(out) {
				nlines++
				if strings.Contains(line, password) || strings.Contains(line, apiKey) {
					leaks++
					t.Errorf("%s printed a canary: %s", p.name, line)
				}
			}
		}
	}
	summary := fmt.Sprintf("shop e2e secrets: %d commands run, %d lines of output, %d with a canary", len(procs), nlines, leaks)
	t.Log(summary)
	fmt.Println(summary)
}

// TestBadConfig starts web with three wrong variables: one report with a
// line for each, exit code 78, and nothing listening.
func TestBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := start(t, "web", []string{"DATABASE_URL=postgres://%zz", "PORT=abc", "LOG_LEVEL=loud"}, dir, "web")
	if code := p.wait(20 * time.Second); code != 78 {
		t.Errorf("exit code %d, want 78", code)
	}
	report := p.Stderr()
	for _, v := range []string{"DATABASE_URL", "PORT", "LOG_LEVEL"} {
		if n := strings.Count(report, "\t"+v+":"); n != 1 {
			t.Errorf("%d report lines for %s, want 1:\n%s", n, v, report)
		}
	}
	if strings.Contains(report, "%zz") || strings.Contains(report, "abc") || strings.Contains(report, "loud") {
		t.Errorf("the report echoes a value:\n%s", report)
	}
	if out := p.Stdout(); out != "" {
		t.Errorf("stdout %q, want nothing: no log, nothing listening", out)
	}
}

// TestMigrateReadsOnlyItsVariables runs shop migrate with DATABASE_URL
// right and every variable of the web and worker processes wrong: migrate
// reads only its own and runs; worker reads them all and stops with 78.
func TestMigrateReadsOnlyItsVariables(t *testing.T) {
	t.Parallel()
	db := sqliteDatabase(t)
	env := db.env("PORT=abc", "JOB_LEASE=long", "POLL_INTERVAL=soon", "SHUTDOWN_TIMEOUT=forever")
	m := start(t, "migrate", env, db.dir, "migrate")
	if code := m.wait(20 * time.Second); code != 0 {
		t.Fatalf("migrate: exit %d, want 0; stderr:\n%s", code, m.Stderr())
	}
	m.event("schema up to date", 5*time.Second)

	w := start(t, "worker", env, db.dir, "worker")
	if code := w.wait(20 * time.Second); code != 78 {
		t.Errorf("worker: exit %d, want 78", code)
	}
	report := w.Stderr()
	for _, v := range []string{"PORT", "JOB_LEASE", "POLL_INTERVAL", "SHUTDOWN_TIMEOUT"} {
		if !strings.Contains(report, "\t"+v+":") {
			t.Errorf("the worker's report lacks %s:\n%s", v, report)
		}
	}

	// What migrate reads is still checked.
	bad := start(t, "migrate", []string{"DATABASE_URL=redis://cache:6379/0", "LOG_LEVEL=loud"}, db.dir, "migrate")
	if code := bad.wait(20 * time.Second); code != 78 {
		t.Errorf("migrate with a redis DATABASE_URL: exit %d, want 78", code)
	}
	report = bad.Stderr()
	if !strings.Contains(report, "\tDATABASE_URL: a redis URL") || !strings.Contains(report, "\tLOG_LEVEL: ") {
		t.Errorf("migrate's report:\n%s", report)
	}
}
