package rollout

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
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
	hello := testkit.Build(t, "../hello")
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

func rollout(t *testing.T, haproxyBin, helloBin string, tm timing) {
	dir := t.TempDir()
	const slots = 6 // three instances, and a slot for each replacement
	ports := make([]int, slots)
	for i := range ports {
		ports[i] = testkit.FreePort(t)
	}
	var olds []instance
	for i := range 3 {
		olds = append(olds, startInstance(t, helloBin, ports[i]))
	}
	lb := startHAProxy(t, haproxyBin, dir, ports, tm.check)
	for i := range 3 {
		lb.waitUp(t, i)
	}

	loadBegan := time.Now()
	load := testkit.StartLoad(t, "http://"+lb.addr+"/", loadWorkers, loadEvery)
	load.WaitSent(t, 200, patience)
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
		res := load.Result()
		t.Logf("%s: old instance %d exited %d after %s (drain %v, %v); sent so far %d, failed %d",
			tm.name, i+1, code, took.Round(time.Millisecond), drain["took"], drain["reason"], res.Sent(), res.Failed)
		if code != 0 {
			t.Errorf("old instance %d exited %d, want 0\n%s", i+1, code, old.tail())
		}
		if tm.exitWithin > 0 && took > tm.exitWithin {
			t.Errorf("old instance %d exited %s after SIGTERM, want within %s", i+1, took.Round(time.Millisecond), tm.exitWithin)
		}
	}
	checkLoad(t, tm.name, load, loadBegan)
}

// The load through the balancer: 4 clients, each sending a request every
// 20 ms at most, about 200 requests a second in all: thousands of requests
// across each rolling deploy, at a cost the six deploys of this package,
// run at once, leave room for on two cores.
const (
	loadWorkers = 4
	loadEvery   = 20 * time.Millisecond
)

// checkLoad waits until the new instances have served 100 more requests,
// stops the load and checks that no request failed and that it was steady:
// at least half of what the clients send at their pace since began.
func checkLoad(t *testing.T, name string, load *testkit.Load, began time.Time) {
	t.Helper()
	load.WaitSent(t, load.Result().Sent()+100, patience)
	res := load.Stop()
	steady := int64(time.Since(began)/loadEvery) * loadWorkers / 2
	t.Logf("%s: sent %d, failed %d", name, res.Sent(), res.Failed)
	if res.Failed > 0 {
		t.Errorf("%s: %d of %d requests failed; first: %s", name, res.Failed, res.Sent(), res.First)
	}
	if res.Sent() < steady {
		t.Errorf("%s: only %d requests sent, want steady load (%d or more)", name, res.Sent(), steady)
	}
}

// instance is one running hello.
type instance struct {
	*testkit.Proc
	t *testing.T
}

// startInstance starts hello on port with its default configuration.
func startInstance(t *testing.T, bin string, port int) instance {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PORT=" + strconv.Itoa(port), "HOSTNAME=rollout-" + strconv.Itoa(port)}
	return instance{testkit.Start(t, cmd), t}
}

// waitReady waits until the instance has logged "ready".
func (in instance) waitReady(t *testing.T) {
	t.Helper()
	testkit.Eventually(t, patience, "instance ready", func() bool {
		in.failIfExited(t, "before it was ready")
		return in.entry("ready") != nil
	})
}

// failIfExited fails the test when the instance has exited.
func (in instance) failIfExited(t *testing.T, when string) {
	t.Helper()
	select {
	case <-in.Exited():
		code, _ := in.Wait(time.Second) // exited: at once
		t.Fatalf("instance exited with %d %s\n%s", code, when, in.tail())
	default:
	}
}

func (in instance) signal(t *testing.T, s os.Signal) {
	t.Helper()
	if err := in.Signal(s); err != nil {
		t.Fatal(err)
	}
}

func (in instance) wait(t *testing.T) int {
	t.Helper()
	code, ok := in.Wait(patience)
	if !ok {
		t.Fatalf("instance still running %s after SIGTERM", patience)
	}
	return code
}

// lines returns the instance's log entries so far but its request lines.
func (in instance) lines() []map[string]any {
	var lines []map[string]any
	for _, l := range testkit.Events(in.t, in.Stdout()) {
		if l["msg"] != "request" {
			lines = append(lines, l)
		}
	}
	return lines
}

// entry returns the first log entry with message msg, or nil.
func (in instance) entry(msg string) map[string]any {
	for _, l := range in.lines() {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

func (in instance) tail() string {
	var b strings.Builder
	lines := in.lines()
	for _, l := range lines[max(0, len(lines)-20):] {
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
	lb := &balancer{addr: testkit.Addr(testkit.FreePort(t)), socket: filepath.Join(dir, "admin.sock")}
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
	if out, errOut, code := testkit.Run(t, patience, exec.Command(bin, "-c", "-f", path)); code != 0 {
		t.Fatalf("haproxy -c: exit %d\n%s%s\n%s", code, out, errOut, cfg)
	}
	p := testkit.Start(t, exec.Command(bin, "-db", "-f", path))
	testkit.Eventually(t, patience, "haproxy's admin socket up", func() bool {
		select {
		case <-p.Exited():
			t.Fatalf("haproxy exited\n%s", p.Stderr())
		default:
		}
		c, err := net.Dial("unix", lb.socket)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return lb
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
	var last string
	if testkit.Within(patience, func() bool {
		for _, line := range strings.Split(lb.command(t, "show stat"), "\n") {
			f := strings.Split(line, ",")
			if len(f) > 17 && f[0] == "hello" && f[1] == "s"+strconv.Itoa(slot) {
				last = f[17]
			}
		}
		return last == "UP"
	}) {
		return
	}
	t.Fatalf("server s%d not UP within %s (last status %q)", slot, patience, last)
}
