package rollout

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// patience bounds every single wait of the test.
const patience = 30 * time.Second

// timing is one way HAProxy checks its servers.
type timing struct {
	name  string
	check string // the server line's check options
	// exitWithin bounds how long after SIGTERM an old instance may take to
	// exit; 0: only the default SHUTDOWN_TIMEOUT bounds it.
	exitWithin time.Duration
}

// TestRollout replaces three instances of examples/hello behind HAProxy one
// by one under steady load, with HAProxy's default check timings (inter 2s,
// fall 3, rise 2) and with tight ones (inter 1s, fall 1), no retries and no
// redispatch, and hello's default configuration: no request may fail.
func TestRollout(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatalf("haproxy is not on PATH (%v): install the distribution's haproxy package (./test.sh does when it is missing)", err)
	}
	hello := buildHello(t)
	for _, tm := range []timing{
		{name: "default checks", check: "check"},
		{name: "tight checks", check: "check inter 1s fall 1", exitWithin: 2500 * time.Millisecond},
	} {
		t.Run(tm.name, func(t *testing.T) {
			t.Parallel()
			rollout(t, haproxy, hello, tm)
		})
	}
}

// buildHello builds examples/hello from the root module.
func buildHello(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hello")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/twelvekit/twelvekit/examples/hello")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build examples/hello: %v\n%s", err, out)
	}
	return bin
}

func rollout(t *testing.T, haproxyBin, helloBin string, tm timing) {
	dir := t.TempDir()
	const slots = 6 // three instances, and a slot for each replacement
	ports := make([]int, slots)
	for i := range ports {
		ports[i] = freePort(t)
	}
	var olds []*instance
	for i := range 3 {
		olds = append(olds, startInstance(t, helloBin, ports[i]))
	}
	lb := startHAProxy(t, haproxyBin, dir, ports, tm.check)
	for i := range 3 {
		lb.waitUp(t, i)
	}

	load := startLoad(t, "http://"+lb.addr+"/")
	load.waitSent(t, 200)
	for i, old := range olds {
		slot := 3 + i
		startInstance(t, helloBin, ports[slot]).waitReady(t)
		lb.enable(t, slot)
		lb.waitUp(t, slot)
		signalled := time.Now()
		old.signal(t, syscall.SIGTERM)
		code := old.wait(t)
		took := time.Since(signalled)
		drain := old.entry("drain ended")
		t.Logf("%s: old instance %d exited %d after %s (drain %v, %v); sent so far %d, failed %d",
			tm.name, i+1, code, took.Round(time.Millisecond), drain["took"], drain["reason"], load.sent.Load(), load.failed.Load())
		if code != 0 {
			t.Errorf("old instance %d exited %d, want 0\n%s", i+1, code, old.tail())
		}
		if tm.exitWithin > 0 && took > tm.exitWithin {
			t.Errorf("old instance %d exited %s after SIGTERM, want within %s", i+1, took.Round(time.Millisecond), tm.exitWithin)
		}
	}
	load.waitSent(t, load.sent.Load()+100) // the new instances serve
	sent, failed := load.stop()
	t.Logf("%s: sent %d, failed %d", tm.name, sent, failed)
	if failed > 0 {
		t.Errorf("%s: %d of %d requests failed; first: %s", tm.name, failed, sent, load.firstFailure())
	}
	if sent < 1000 {
		t.Errorf("%s: only %d requests sent, want steady load", tm.name, sent)
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// instance is one running hello.
type instance struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []map[string]any
	exited chan struct{}
	code   int
}

// startInstance starts hello on port with its default configuration.
func startInstance(t *testing.T, bin string, port int) *instance {
	t.Helper()
	in := &instance{exited: make(chan struct{})}
	in.cmd = exec.Command(bin)
	in.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(port), "HOSTNAME=rollout-" + strconv.Itoa(port)}
	out, err := in.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in.cmd.Stderr = io.Discard
	if err := in.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] != "request" {
				in.mu.Lock()
				in.lines = append(in.lines, m)
				in.mu.Unlock()
			}
		}
		_ = in.cmd.Wait()
		in.code = in.cmd.ProcessState.ExitCode()
		close(in.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-in.exited:
		default:
			_ = in.cmd.Process.Kill()
			<-in.exited
		}
	})
	return in
}

// waitReady waits until the instance has logged "ready".
func (in *instance) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for in.entry("ready") == nil {
		select {
		case <-in.exited:
			t.Fatalf("instance exited with %d before it was ready\n%s", in.code, in.tail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("instance not ready within %s", patience)
		}
		time.Sleep(5 * time.Millisecond) // polling with a deadline
	}
}

func (in *instance) signal(t *testing.T, s os.Signal) {
	t.Helper()
	if err := in.cmd.Process.Signal(s); err != nil {
		t.Fatal(err)
	}
}

func (in *instance) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-in.exited:
		return in.code
	case <-time.After(patience):
		t.Fatalf("instance still running %s after SIGTERM", patience)
		return 0
	}
}

// entry returns the first log entry with message msg, or nil.
func (in *instance) entry(msg string) map[string]any {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, l := range in.lines {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

func (in *instance) tail() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	var b strings.Builder
	for _, l := range in.lines[max(0, len(in.lines)-20):] {
		fmt.Fprintln(&b, l)
	}
	return b.String()
}

// balancer is a running HAProxy.
type balancer struct {
	addr   string
	socket string
}

// startHAProxy runs HAProxy in the foreground with its own config: one
// frontend on a loopback port, one backend with a server slot per port (the
// first three enabled), an HTTP check of /readyz, no retries and no
// redispatch.
func startHAProxy(t *testing.T, bin, dir string, ports []int, check string) *balancer {
	t.Helper()
	lb := &balancer{addr: "127.0.0.1:" + strconv.Itoa(freePort(t)), socket: filepath.Join(dir, "admin.sock")}
	var servers strings.Builder
	for i, p := range ports {
		state := ""
		if i >= 3 {
			state = " disabled"
		}
		fmt.Fprintf(&servers, "    server s%d 127.0.0.1:%d %s%s\n", i, p, check, state)
	}
	cfg := fmt.Sprintf(`global
    maxconn 2000
    stats socket %s mode 600 level admin

defaults
    mode http
    retries 0
    no option redispatch
    timeout connect 2s
    timeout client 10s
    timeout server 10s

frontend web
    bind %s
    default_backend hello

backend hello
    balance roundrobin
    option httpchk GET /readyz
%s`, lb.socket, lb.addr, servers.String())
	path := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", "-f", path).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s\n%s", err, out, cfg)
	}
	cmd := exec.Command(bin, "-db", "-f", path)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(patience)
	for {
		if c, err := net.Dial("unix", lb.socket); err == nil {
			c.Close()
			return lb
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy's admin socket not up within %s", patience)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// command sends one command to HAProxy's admin socket and returns the answer.
func (lb *balancer) command(t *testing.T, cmd string) string {
	t.Helper()
	c, err := net.DialTimeout("unix", lb.socket, patience)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(patience))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (lb *balancer) enable(t *testing.T, slot int) {
	t.Helper()
	lb.command(t, fmt.Sprintf("set server hello/s%d state ready", slot))
}

// waitUp waits until HAProxy reports the server of slot UP.
func (lb *balancer) waitUp(t *testing.T, slot int) {
	t.Helper()
	deadline := time.Now().Add(patience)
	var last string
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(lb.command(t, "show stat"), "\n") {
			f := strings.Split(line, ",")
			if len(f) > 17 && f[0] == "hello" && f[1] == "s"+strconv.Itoa(slot) {
				last = f[17]
				if f[17] == "UP" {
					return
				}
			}
		}
		time.Sleep(50 * time.Millisecond) // polling with a deadline
	}
	t.Fatalf("server s%d not UP within %s (last status %q)", slot, patience, last)
}

// load sends requests through the balancer at a steady pace from a few
// clients until stopped.
type load struct {
	sent, failed atomic.Int64
	mu           sync.Mutex
	first        string
	cancel       context.CancelFunc
	wg           sync.WaitGroup
	tr           *http.Transport
}

const (
	loadClients = 4
	loadEvery   = 5 * time.Millisecond // per client: about 800 requests a second in all
)

func startLoad(t *testing.T, url string) *load {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{cancel: cancel, tr: &http.Transport{MaxIdleConnsPerHost: loadClients}}
	c := &http.Client{Transport: l.tr, Timeout: 10 * time.Second}
	for range loadClients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tick := time.NewTicker(loadEvery)
			defer tick.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				l.sent.Add(1)
				resp, err := c.Get(url)
				if err != nil {
					l.fail(err.Error())
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					l.fail(resp.Status)
				}
			}
		}()
	}
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *load) fail(why string) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == "" {
		l.first = why
	}
}

func (l *load) firstFailure() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

// waitSent waits until n requests have been sent.
func (l *load) waitSent(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for l.sent.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d requests sent within %s, want %d", l.sent.Load(), patience, n)
		}
		time.Sleep(10 * time.Millisecond) // polling with a deadline
	}
}

// stop ends the load and returns what was sent and what failed.
func (l *load) stop() (sent, failed int64) {
	l.cancel()
	l.wg.Wait()
	l.tr.CloseIdleConnections()
	return l.sent.Load(), l.failed.Load()
}
