package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/internal/testkit"
	"go.uber.org/goleak"
)

// shopBin is the shop binary, built once by TestMain with go build.
var shopBin string

func TestMain(m *testing.M) {
	bin, remove, err := testkit.BuildMain(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shopBin = bin
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { remove() }))
}

// proc is a running shop process whose output the test reads: stdout is
// its JSON log.
type proc struct {
	*testkit.Proc
	t    testing.TB
	name string
}

// start runs shop args with exactly env (plus PATH-less defaults) in dir.
func start(t testing.TB, name string, env []string, dir string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(shopBin, args...)
	cmd.Env = env
	cmd.Dir = dir
	return &proc{testkit.Start(t, cmd), t, name}
}

// signal sends sig to the process.
func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.Signal(sig); err != nil {
		p.t.Fatalf("%s: %v: %v", p.name, sig, err)
	}
}

// wait waits for the process to exit and returns its exit code (-1 for a
// process ended by a signal).
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	code, ok := p.Wait(timeout)
	if !ok {
		p.t.Fatalf("%s: still running after %v", p.name, timeout)
	}
	return code
}

// event waits for the first JSON log event with msg and returns it.
func (p *proc) event(msg string, timeout time.Duration) map[string]any {
	p.t.Helper()
	ev := p.WaitEvent(msg, timeout)
	if ev == nil {
		p.t.Fatalf("%s: no %q event within %v (exited: %v)", p.name, msg, timeout, p.HasExited())
	}
	return ev
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

// count returns how many lines of stdout contain s.
func (p *proc) count(s string) int {
	n := 0
	for line := range strings.Lines(p.Stdout()) {
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
