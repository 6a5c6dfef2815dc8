package rollout

import (
	"fmt"
	"os"
	"os/exec"
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
	const slots = 6 // three instances, and a slot for each replacement
	ports := make([]int, slots)
	for i := range ports {
		ports[i] = testkit.FreePort(t)
	}
	var olds []instance
	for i := range 3 {
		olds = append(olds, startInstance(t, helloBin, ports[i]))
	}
	servers := make([]string, slots)
	for i, p := range ports {
		servers[i] = fmt.Sprintf("127.0.0.1:%d %s", p, tm.check)
		if i >= 3 {
			servers[i] += " disabled"
		}
	}
	lb := testkit.StartHAProxy(t, haproxyBin, testkit.Backend{Name: "hello", Check: "option httpchk GET /readyz", Servers: servers})
	for i := range 3 {
		lb.WaitUp(i)
	}

	loadBegan := time.Now()
	load := testkit.StartLoad(t, "http://"+lb.Addr+"/", loadWorkers, loadEvery)
	load.WaitSent(t, 200, patience)
	for i, old := range olds {
		slot := 3 + i
		startInstance(t, helloBin, ports[slot]).waitReady(t)
		lb.Enable(slot)
		lb.WaitUp(slot)
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
// at least a quarter of what the clients would send at their pace since
// began (a loaded machine slows each request, not the test's verdict).
func checkLoad(t *testing.T, name string, load *testkit.Load, began time.Time) {
	t.Helper()
	load.WaitSent(t, load.Result().Sent()+100, patience)
	res := load.Stop()
	steady := int64(time.Since(began)/loadEvery) * loadWorkers / 4
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
