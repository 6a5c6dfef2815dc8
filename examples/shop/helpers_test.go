package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"go.uber.org/goleak"
)

// shopBin is the shop binary, built once by TestMain with go build.
var shopBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shop-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shopBin = filepath.Join(dir, "shop")
	if out, err := exec.Command("go", "build", "-o", shopBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
}

// proc is a running shop process whose output the test reads.
type proc struct {
	t      testing.TB
	name   string
	cmd    *exec.Cmd
	out    *lines
	stderr *lines
	exited chan struct{}
}

// start runs shop args with exactly env (plus PATH-less defaults) in dir.
func start(t testing.TB, name string, env []string, dir string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, out: newLines(), stderr: newLines(), exited: make(chan struct{})}
	p.cmd = exec.Command(shopBin, args...)
	p.cmd.Env = env
	p.cmd.Dir = dir
	p.cmd.Stdout = p.out
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("%s: start: %v", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			select {
			case <-p.exited:
			case <-time.After(10 * time.Second):
				t.Errorf("%s: still running 10s after SIGKILL", name)
			}
		}
		if t.Failed() {
			t.Logf("%s stdout (last lines):\n%s", name, p.out.tail(30))
			t.Logf("%s stderr:\n%s", name, p.stderr.tail(30))
		}
	})
	return p
}

// signal sends sig to the process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("%s: %v: %v", p.name, sig, err)
	}
}

// wait waits for the process to exit and returns its exit code (-1 for a
// process ended by a signal).
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.cmd.ProcessState.ExitCode()
	case <-time.After(timeout):
		p.t.Fatalf("%s: still running after %v", p.name, timeout)
		return 0
	}
}

// event waits for the first JSON log event with msg and returns it.
func (p *proc) event(msg string, timeout time.Duration) map[string]any {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for i := 0; ; {
		all, changed := p.out.snapshot()
		for ; i < len(all); i++ {
			var ev map[string]any
			if err := json.Unmarshal([]byte(all[i]), &ev); err != nil {
				p.t.Fatalf("%s: stdout line is not one JSON event: %q", p.name, all[i])
			}
			if ev["msg"] == msg {
				return ev
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			p.t.Fatalf("%s: no %q event within %v", p.name, msg, timeout)
		}
		select {
		case <-changed:
		case <-p.exited:
			if all2, _ := p.out.snapshot(); len(all2) == i {
				p.t.Fatalf("%s: exited (code %d) before logging %q", p.name, p.cmd.ProcessState.ExitCode(), msg)
			}
		case <-time.After(left):
		}
	}
}

// addr waits for the HTTP actor's "listening" event and returns a loopback
// address for it.
func (p *proc) addr() string {
	p.t.Helper()
	a, _ := p.event("listening", 20*time.Second)["addr"].(string)
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		p.t.Fatalf("%s: listening on %q, want host:port", p.name, a)
	}
	return "127.0.0.1" + a[i:]
}

// lines collects a process's output, one entry a line.
type lines struct {
	mu      sync.Mutex
	partial bytes.Buffer
	all     []string
	changed chan struct{} // closed and replaced at every new line
}

func newLines() *lines { return &lines{changed: make(chan struct{})} }

func (l *lines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial.Write(b)
	added := false
	for {
		i := bytes.IndexByte(l.partial.Bytes(), '\n')
		if i < 0 {
			break
		}
		l.all = append(l.all, string(l.partial.Next(i + 1)[:i]))
		added = true
	}
	if added {
		close(l.changed)
		l.changed = make(chan struct{})
	}
	return len(b), nil
}

// snapshot returns the lines so far and a channel closed at the next one.
func (l *lines) snapshot() ([]string, <-chan struct{}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all[:len(l.all):len(l.all)], l.changed
}

func (l *lines) tail(n int) string {
	all, _ := l.snapshot()
	if len(all) > n {
		all = all[len(all)-n:]
	}
	return strings.Join(all, "\n")
}

// count returns how many lines contain s.
func (l *lines) count(s string) int {
	all, _ := l.snapshot()
	n := 0
	for _, line := range all {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

// database is a fresh, migrated-or-not database for one test.
type database struct {
	kind string // "postgres" or "sqlite"
	url  string // DATABASE_URL
	dir  string // working directory for the processes
}

// sqliteDatabase returns a fresh SQLite database in t.TempDir().
func sqliteDatabase(t *testing.T) database {
	dir := t.TempDir()
	return database{kind: "sqlite", url: "sqlite://" + filepath.Join(dir, "shop.db"), dir: dir}
}

// postgresDatabase creates a database on the PostgreSQL server at
// 127.0.0.1:5432 (trust authentication, as user postgres or root) and drops
// it after the test. It fails the test when the server is unreachable,
// unless TWELVEKIT_SKIP_SERVICES=1.
func postgresDatabase(t *testing.T) database {
	t.Helper()
	if os.Getenv("TWELVEKIT_SKIP_SERVICES") == "1" {
		t.Skip("TWELVEKIT_SKIP_SERVICES=1: skipping the test that needs PostgreSQL on 127.0.0.1:5432")
	}
	var adminDB *sql.DB
	var user string
	var errs []string
	for _, u := range []string{"postgres", "root"} {
		db, err := sql.Open("pgx", "host=127.0.0.1 port=5432 user="+u+" dbname=postgres sslmode=disable connect_timeout=5")
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err = db.PingContext(ctx)
			cancel()
		}
		if err == nil {
			adminDB, user = db, u
			break
		}
		if db != nil {
			_ = db.Close()
		}
		errs = append(errs, u+": "+err.Error())
	}
	if adminDB == nil {
		t.Fatalf("PostgreSQL on 127.0.0.1:5432 is unreachable (%s); start it with trust authentication for user postgres or root, or set TWELVEKIT_SKIP_SERVICES=1 to skip", strings.Join(errs, "; "))
	}
	name := fmt.Sprintf("shop_test_%d_%d", time.Now().UnixNano()%1e9, rand.IntN(1e6))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := adminDB.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = adminDB.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if _, err := adminDB.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		_ = adminDB.Close()
	})
	return database{kind: "postgres", url: fmt.Sprintf("postgres://%s@127.0.0.1:5432/%s?sslmode=disable", user, name), dir: t.TempDir()}
}

// env is a process environment for shop with db and extra variables.
func (d database) env(extra ...string) []string {
	return append([]string{"DATABASE_URL=" + d.url, "LOG_LEVEL=info"}, extra...)
}

// open opens the database in the test process, closed after the test.
func (d database) open(t *testing.T) *store {
	t.Helper()
	u, err := backing.Parse(d.url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st, err := openStore(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

// migrate runs `shop migrate` and checks that it succeeds.
func (d database) migrate(t *testing.T) {
	t.Helper()
	p := start(t, "migrate", d.env(), d.dir, "migrate")
	if code := p.wait(60 * time.Second); code != 0 {
		t.Fatalf("shop migrate: exit %d, want 0", code)
	}
}

// poll calls cond every interval until it returns true, failing the test
// with what after timeout.
func poll(t *testing.T, timeout, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			t.Fatalf("%s: not within %v", what, timeout)
		case <-tick.C:
		}
	}
}
