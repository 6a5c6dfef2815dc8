package benchmarks

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// Whole-process benchmarks: programs built as they ship (static, stripped),
// run from exec to exit (or to accepting connections, and from SIGTERM to
// exit) in interleaved rounds, one run of every program per round in an
// order that rotates, so that a burst of load from another process weighs
// on all of them alike.

// builds caches the programs built in this test process: every
// sub-benchmark and every pass of b.Loop reuses them.
var builds sync.Map // "module dir|package" -> *buildOnce

// staticBuild builds the main package pkg of the module in moddir (relative
// to benchmarks/) the way a service ships: CGO_ENABLED=0 (a static binary,
// as from scratch or distroless images) and -ldflags='-s -w' (stripped).
// Both sides of every whole-process comparison are built so. It leaves out
// -trimpath, which changes every compile and would rebuild the standard
// library in ../test.sh; run.sh's size table uses -trimpath builds.
func staticBuild(b *testing.B, moddir, pkg string) string {
	b.Helper()
	bin, err := staticBuildErr(moddir, pkg)
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// staticBuildErr is staticBuild returning its error; each program is built
// once per test process, and a failed build is not retried.
func staticBuildErr(moddir, pkg string) (string, error) {
	key := moddir + "|" + pkg
	v, _ := builds.LoadOrStore(key, new(buildOnce))
	o := v.(*buildOnce)
	o.once.Do(func() { o.bin, o.err = goBuildStatic(moddir, pkg) })
	return o.bin, o.err
}

// buildOnce is one program's build, shared by every caller.
type buildOnce struct {
	once sync.Once
	bin  string
	err  error
}

func goBuildStatic(moddir, pkg string) (string, error) {
	bin, _, err := testkit.BuildMain(filepath.Join(moddir, pkg), "CGO_ENABLED=0", "-ldflags=-s -w")
	return bin, err
}

// staticBuilds builds the main packages pkgs of the module in moddir at
// once (two links run side by side on two cores) and returns their paths in
// order.
func staticBuilds(b *testing.B, moddir string, pkgs ...string) []string {
	b.Helper()
	var wg sync.WaitGroup
	for _, pkg := range pkgs {
		// An error is kept and reported by staticBuild below.
		wg.Go(func() { _, _ = staticBuildErr(moddir, pkg) })
	}
	wg.Wait()
	bins := make([]string, len(pkgs))
	for i, pkg := range pkgs {
		bins[i] = staticBuild(b, moddir, pkg)
	}
	return bins
}

// removeBuilds removes the programs staticBuild built; TestMain calls it.
func removeBuilds() {
	builds.Range(func(_, v any) bool {
		if o := v.(*buildOnce); o.bin != "" {
			os.RemoveAll(filepath.Dir(o.bin))
		}
		return true
	})
}

// program is one side of a whole-process benchmark.
type program struct {
	name string
	bin  string
	args []string
}

// processRun is what one run of a program measured.
type processRun struct {
	wall time.Duration // exec to exit, or exec to accepting
	cpu  time.Duration // user and system CPU time of the child
	stop time.Duration // SIGTERM to exit (servers only)
}

// processRounds runs every program once per b.Loop iteration, in rotating
// order, with run, and reports for each NAME-ms (median wall time),
// NAME-cpu-ms (median CPU time of the child) and, for servers, NAME-stop-ms;
// for every program after the first, x-NAME (median per-round ratio of the
// first program's wall time to NAME's), x-NAME-ci (half width of its 95 %
// confidence interval, a fraction), x-NAME-cpu and, for servers,
// x-NAME-stop.
func processRounds(b *testing.B, run func(program) (processRun, error), ps ...program) {
	b.Helper()
	for _, p := range ps { // warm the page cache, fail early
		if _, err := run(p); err != nil {
			b.Fatalf("%s: %v", p.name, err)
		}
	}
	wall := make([][]float64, len(ps))
	cpu := make([][]float64, len(ps))
	stop := make([][]float64, len(ps))
	round := 0
	for b.Loop() {
		for k := range ps {
			i := (round + k) % len(ps)
			r, err := run(ps[i])
			if err != nil {
				b.Fatalf("%s: %v", ps[i].name, err)
			}
			wall[i] = append(wall[i], float64(r.wall)/1e6)
			cpu[i] = append(cpu[i], float64(r.cpu)/1e6)
			stop[i] = append(stop[i], float64(r.stop)/1e6)
		}
		round++
	}
	b.StopTimer()
	ratios := func(xs [][]float64, i int) []float64 {
		rs := make([]float64, len(xs[0]))
		for r := range rs {
			rs[r] = xs[0][r] / xs[i][r]
		}
		return rs
	}
	server := median(stop[0]) > 0
	for i, p := range ps {
		b.ReportMetric(median(wall[i]), p.name+"-ms")
		b.ReportMetric(median(cpu[i]), p.name+"-cpu-ms")
		if server {
			b.ReportMetric(median(stop[i]), p.name+"-stop-ms")
		}
		if i == 0 {
			continue
		}
		rs := ratios(wall, i)
		b.ReportMetric(median(rs), "x-"+p.name)
		b.ReportMetric(medianCI(rs), "x-"+p.name+"-ci")
		b.ReportMetric(median(ratios(cpu, i)), "x-"+p.name+"-cpu")
		if server {
			rs := ratios(stop, i)
			b.ReportMetric(median(rs), "x-"+p.name+"-stop")
			b.ReportMetric(medianCI(rs), "x-"+p.name+"-stop-ci")
		}
	}
}

// runTask runs a one-off program to its exit and checks it printed want.
func runTask(want string) func(program) (processRun, error) {
	return func(p program) (processRun, error) {
		cmd := exec.Command(p.bin, p.args...)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "DYNO=run.1"}
		start := time.Now()
		out, err := cmd.Output()
		wall := time.Since(start)
		if err != nil || string(out) != want {
			return processRun{}, fmt.Errorf("printed %q, %v; want %q", out, err, want)
		}
		st := cmd.ProcessState
		return processRun{wall: wall, cpu: st.UserTime() + st.SystemTime()}, nil
	}
}

// runServer starts a server program on a free port with DRAIN_DELAY=0,
// times exec until 127.0.0.1:PORT accepts a connection, lets it idle for
// idle, then times SIGTERM until the process has exited (which must be
// with status 0). Every wait is bounded.
func runServer(b *testing.B, idle time.Duration) func(program) (processRun, error) {
	return func(p program) (processRun, error) {
		port := testkit.FreePort(b)
		cmd := exec.Command(p.bin, p.args...)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=/tmp", "PORT=" + strconv.Itoa(port), "DRAIN_DELAY=0", "LOG_LEVEL=error"}
		addr := testkit.Addr(port)
		start := time.Now()
		if err := cmd.Start(); err != nil {
			return processRun{}, err
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var r processRun
		deadline := time.Now().Add(10 * time.Second)
		for {
			c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
			if err == nil {
				r.wall = time.Since(start)
				c.Close()
				break
			}
			select {
			case err := <-exited:
				return r, fmt.Errorf("exited before accepting: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				<-exited
				return r, errors.New("not accepting after 10s")
			}
			time.Sleep(50 * time.Microsecond) // poll the port; the child runs meanwhile
		}
		select {
		case err := <-exited:
			return r, fmt.Errorf("exited while idle: %v", err)
		case <-time.After(idle):
		}
		t := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			return r, err
		}
		select {
		case err := <-exited:
			r.stop = time.Since(t)
			if err != nil {
				return r, fmt.Errorf("after SIGTERM: %v", err)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			return r, errors.New("still running 10s after SIGTERM")
		}
		st := cmd.ProcessState
		r.cpu = st.UserTime() + st.SystemTime()
		return r, nil
	}
}

// BenchmarkLifecycleProcess runs benchmarks/lifecycle's programs (the
// lifecycle owner's) as whole processes, built static on both sides: the
// server on lifecycle.Group alone against the same server written by hand
// on net/http, and the full twelvekit stack (config, logging, lifecycle)
// for orientation. Targets (issue 11): exec to accepting within 1.1x of
// bare, SIGTERM to exit within 1.3x.
func BenchmarkLifecycleProcess(b *testing.B) {
	bins := staticBuilds(b, "lifecycle", "lifecycle", "bare", "full")
	ps := []program{{name: "lifecycle", bin: bins[0]}, {name: "bare", bin: bins[1]}, {name: "full", bin: bins[2]}}
	processRounds(b, runServer(b, 20*time.Millisecond), ps...)
}
