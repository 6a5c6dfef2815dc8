// Package testkit is the one test kit the modules of this repository share:
// free ports, binaries built for a test, the test binary run again as a
// child, child processes started bounded and killed with their whole
// process group, their output collected and read as JSON log lines,
// waiting with a deadline, and a steady HTTP load. Go's internal rule lets
// every module of the repository import it (their import paths share the
// root's), and nothing outside the repository can. It is for tests only: its functions fail the
// test they are given instead of returning errors a test would only check.
//
// Every wait here has a deadline, and every process started here is killed,
// with the processes it started, when the test ends.
package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/freeport"
)

// FreePort returns a TCP port that was free a moment ago, below the
// kernel's ephemeral range so that no outgoing connection (of a load test
// running beside) takes it before the caller binds it (see
// internal/freeport). Another test choosing ports may still take it; tests
// that can should hand a program PORT=0 and read the address it logs
// instead.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freeport.Port()
	if err != nil {
		t.Fatalf("testkit: no free loopback port: %v", err)
	}
	return p
}

// Build compiles the main package in dir (a directory, relative to the
// test's working directory, such as "." or "../hello") into a temporary
// directory removed when the test ends and returns the binary's path. The
// extra arguments are flags for the go command (such as "-race" or
// "-ldflags=-s -w"), or settings of its environment written NAME=value
// with NAME in upper case (such as "CGO_ENABLED=0"). dir may exist only in
// an -overlay given in the flags; give file paths in flags as absolute
// paths (the go command runs in dir, or in the nearest directory above it
// that exists). It fails the test when the build fails or takes more than
// 5 minutes.
//
// The binary is linked once per build cache, not once per test: it is
// built as `go run` builds, whose executables the build cache keeps (Go
// 1.24 and later), so a program that is up to date is copied from there
// instead of linked again. Like every `go run` build, it carries no DWARF
// debugging information and no version-control stamp (vcs.revision in its
// build information) unless the flags ask for them (-buildvcs=true).
func Build(t testing.TB, dir string, args ...string) string {
	t.Helper()
	bin, err := build(t.TempDir(), dir, args)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// BuildMain is Build for a TestMain that builds once for all of its tests:
// it returns the binary's path and a function that removes it, or an error
// saying why the build failed.
func BuildMain(dir string, args ...string) (bin string, remove func(), err error) {
	tmp, err := os.MkdirTemp("", "testkit-")
	if err != nil {
		return "", nil, fmt.Errorf("testkit: %w", err)
	}
	remove = func() { _ = os.RemoveAll(tmp) }
	if bin, err = build(tmp, dir, args); err != nil {
		remove()
		return "", nil, err
	}
	return bin, remove, nil
}

// BuildMains is BuildMain for several programs, with no extra arguments:
// their paths in the order of dirs and one function removing them all. On
// an error it has removed what it built.
func BuildMains(dirs ...string) (bins []string, remove func(), err error) {
	var removes []func()
	remove = func() {
		for _, r := range removes {
			r()
		}
	}
	for _, dir := range dirs {
		bin, r, err := BuildMain(dir)
		if err != nil {
			remove()
			return nil, nil, err
		}
		bins, removes = append(bins, bin), append(removes, r)
	}
	return bins, remove, nil
}

// build builds the main package in dir into outDir, within 5 minutes:
// `go run -exec cp . BIN` has the go command build (or find in its cache)
// the executable and copy it to BIN.
func build(outDir, dir string, args []string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("testkit: %w", err)
	}
	bin := filepath.Join(outDir, filepath.Base(abs))
	var flags, env []string
	for _, a := range args {
		if isSetting(a) {
			env = append(env, a)
		} else {
			flags = append(flags, a)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Built from its own directory, so that a directory holding a module
	// of its own is built as that module; a directory that exists only in
	// an -overlay, from the nearest one above it that exists.
	pkg, at := ".", abs
	for {
		if fi, err := os.Stat(at); err == nil && fi.IsDir() {
			break
		}
		parent := filepath.Dir(at)
		if parent == at {
			return "", fmt.Errorf("testkit: go build %s: no directory of its path exists", dir)
		}
		at = parent
	}
	if at != abs {
		rel, err := filepath.Rel(at, abs)
		if err != nil {
			return "", fmt.Errorf("testkit: %w", err)
		}
		pkg = "./" + filepath.ToSlash(rel)
	}
	goArgs := append(append([]string{"run", "-exec", "cp"}, flags...), pkg, bin)
	cmd := exec.CommandContext(ctx, "go", goArgs...)
	cmd.Dir = at
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("testkit: go build %s: %v\n%s", dir, err, out)
	}
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("testkit: go build %s wrote no binary: %w", dir, err)
	}
	return bin, nil
}

// isSetting reports whether a build argument is an environment setting,
// NAME=value with NAME in upper case (CGO_ENABLED=0, GOFLAGS=...), rather
// than a flag or a flag's value (a file path may hold '=' too).
func isSetting(a string) bool {
	name, _, ok := strings.Cut(a, "=")
	if !ok || name == "" || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for _, c := range name {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Eventually calls cond until it returns true, at most until timeout has
// passed, pausing a little longer each time (from 1 ms to 50 ms); it fails
// the test naming what when the time is up. cond runs on the test's
// goroutine.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Within(timeout, cond) {
		t.Fatalf("testkit: %s: not within %v", what, timeout)
	}
}

// Within is Eventually's loop without a test: it reports whether cond
// returned true before timeout passed.
func Within(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		if cond() {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return false
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// Poll calls cond every interval until it returns true, at most until
// timeout has passed, and fails the test naming what when the time is up.
// It is Eventually at a fixed pace, for a test whose polling itself is
// what it imitates (a deploy script asking /readyz every 100 ms, a
// balancer's checks); a test that only waits uses Eventually.
func Poll(t testing.TB, timeout, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline.C:
			if cond() {
				return
			}
			t.Fatalf("testkit: %s: not within %v", what, timeout)
		case <-tick.C:
		}
	}
}

// Self returns a command that runs the test binary again with
// -test.run=run (a pattern, such as "^TestChild$", or "^$" for no test at
// all, where TestMain does the child's work) and -test.count=1, followed by
// args. Its environment holds only GOCOVERDIR, set to a temporary directory
// so that a binary built with -cover prints no warning into the output a
// test reads; append what the child needs to cmd.Env (os.Environ() for all
// of the test's). Start it with [Start] or [Run].
func Self(t testing.TB, run string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=" + run, "-test.count=1"}, args...)...)
	cmd.Env = []string{"GOCOVERDIR=" + t.TempDir()}
	return cmd
}

// Proc is a child process started by [Start]: its output is collected as
// it arrives, and it is killed with its process group when the test ends.
type Proc struct {
	t      testing.TB
	Cmd    *exec.Cmd
	out    Buffer
	errOut Buffer
	exited chan struct{} // closed once the process has exited
	state  error
}

// Start starts cmd in a process group of its own, with its stdout and
// stderr collected (unless the caller set them), and arranges for the group
// to be killed, and the process reaped, when the test ends. It fails the
// test when cmd cannot start.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{t: t, Cmd: cmd, exited: make(chan struct{})}
	if cmd.Stdout == nil {
		cmd.Stdout = &p.out
	}
	if cmd.Stderr == nil {
		cmd.Stderr = &p.errOut
	}
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatalf("testkit: start %s: %v", cmd.Path, err)
	}
	go func() {
		p.state = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		killGroup(cmd)
		<-p.exited
		if t.Failed() {
			t.Logf("%s stdout:\n%s\nstderr:\n%s", filepath.Base(cmd.Path), p.Stdout(), p.Stderr())
		}
	})
	return p
}

// Stdout returns what the process has written to stdout so far (when Start
// collected it).
func (p *Proc) Stdout() string { return p.out.String() }

// Stderr returns what the process has written to stderr so far (when Start
// collected it).
func (p *Proc) Stderr() string { return p.errOut.String() }

// Signal sends sig to the process (not its group); an error means it has
// exited already.
func (p *Proc) Signal(sig os.Signal) error { return p.Cmd.Process.Signal(sig) }

// Exited returns a channel closed once the process has exited.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// HasExited reports whether the process has exited; once it has, all its
// output is in Stdout and Stderr. A wait for output that must not outlast
// the process asks it before reading the output.
func (p *Proc) HasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// Wait waits at most timeout for the process to exit and returns its exit
// code (-1 when a signal ended it) and whether it exited in time; it does
// not fail the test.
func (p *Proc) Wait(timeout time.Duration) (code int, ok bool) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-p.exited:
	case <-timer.C:
		return 0, false
	}
	var exit *exec.ExitError
	switch {
	case p.state == nil:
		return 0, true
	case errors.As(p.state, &exit):
		return exit.ExitCode(), true
	}
	return -1, true
}

// WaitOutput waits at most timeout for stdout to contain s, and reports
// whether it did; it stops waiting early when the process exits without
// having written it.
func (p *Proc) WaitOutput(s string, timeout time.Duration) bool {
	found := false
	Within(timeout, func() bool {
		exited := p.HasExited()
		found = bytes.Contains(p.out.Bytes(), []byte(s))
		return found || exited
	})
	return found
}

// WaitEvent waits at most timeout for a complete line of stdout, read as
// a JSON log line (see [Events]), whose "msg" is msg, and returns the first
// such line; it returns nil when the time is up or the process has exited
// without writing one, for the caller to fail the test saying why.
func (p *Proc) WaitEvent(msg string, timeout time.Duration) map[string]any {
	p.t.Helper()
	var found map[string]any
	Within(timeout, func() bool {
		exited := p.HasExited()
		for _, ev := range Events(p.t, p.Stdout()) {
			if ev["msg"] == msg {
				found = ev
				return true
			}
		}
		return exited
	})
	return found
}

// Run runs cmd to its end, at most for timeout, in a process group of its
// own, and returns its stdout, its stderr and its exit code. It fails the
// test when cmd cannot start or does not exit in time (the group is killed
// then).
func Run(t testing.TB, timeout time.Duration, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	p := Start(t, cmd)
	code, ok := p.Wait(timeout)
	if !ok {
		killGroup(cmd)
		<-p.exited
		t.Fatalf("testkit: %s did not exit within %v; stderr %q", filepath.Base(cmd.Path), timeout, p.Stderr())
	}
	return p.Stdout(), p.Stderr(), code
}

// Buffer is a writer safe for writers and readers at once, such as a
// logger's or a child's output read while it is written. Its zero value is
// empty and ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// Bytes returns a copy of what was written so far.
func (b *Buffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}

// String returns what was written so far.
func (b *Buffer) String() string { return string(b.Bytes()) }

// Events decodes every complete line of out (one that ends in a newline),
// such as a [Proc]'s stdout or a [Buffer] a logger writes to, as one JSON
// object, in order; it leaves out a last line still being written, and
// fails the test on a line that is not a JSON object.
func Events(t testing.TB, out string) []map[string]any {
	t.Helper()
	var events []map[string]any
	for {
		line, rest, ok := strings.Cut(out, "\n")
		if !ok {
			return events
		}
		out = rest
		if strings.TrimSpace(line) == "" {
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev == nil {
			t.Fatalf("testkit: not a JSON object (%v): %q", err, line)
		}
		events = append(events, ev)
	}
}

// Addr returns "127.0.0.1:PORT".
func Addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
