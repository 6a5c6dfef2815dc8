package rollout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// caddySetting is one way Caddy is told about the instances.
type caddySetting struct {
	name string
	// checks is the interval of Caddy's active health check of /readyz;
	// 0: no active check (Caddy then sends to every upstream in its config,
	// as a passive balancer does).
	checks time.Duration
	// removeAhead is how long before SIGTERM the old instance leaves Caddy's
	// config; negative: it stays in the config until it has exited.
	removeAhead time.Duration
}

// caddyExitWithin bounds how long after SIGTERM an old instance may take to
// exit behind Caddy: its drain ends on "traffic stopped" within about 1-2 s
// in every setting below (it lasted the full 15 s DRAIN_DELAY in most stops
// of a removed instance before the drain learned that a prober can go). The
// bound leaves room for a loaded machine, where Caddy's own checks come
// late and the learned interval (twice of which means "gone") grows: 3.4 s
// was seen once with two test modules running beside it.
const caddyExitWithin = 4 * time.Second

// TestRolloutCaddy replaces three instances of examples/hello behind Caddy
// (the distribution's caddy package, its admin API on loopback) one by one
// under steady load, with no retries (lb_try_duration 0) and hello's default
// configuration: no request may fail, every old instance's drain must end on
// "traffic stopped", and it must exit within caddyExitWithin. The instances
// are waited for as a deploy script does, by polling /readyz until it
// answers 200, so each old instance has seen a startup poller go.
func TestRolloutCaddy(t *testing.T) {
	caddy, err := exec.LookPath("caddy")
	if err != nil {
		t.Fatalf("caddy is not on PATH (%v): install the distribution's caddy package (./test.sh does when it is missing)", err)
	}
	hello := testkit.Build(t, "../hello")
	for _, s := range []caddySetting{
		{name: "removed at SIGTERM, 1s checks", checks: time.Second},
		{name: "removed 0.5s before SIGTERM, 1s checks", checks: time.Second, removeAhead: 500 * time.Millisecond},
		{name: "removed at SIGTERM, no active checks"},
		{name: "left in config, 1s checks", checks: time.Second, removeAhead: -1},
	} {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			rolloutCaddy(t, caddy, hello, s)
		})
	}
}

func rolloutCaddy(t *testing.T, caddyBin, helloBin string, s caddySetting) {
	var olds []instance
	var oldPorts, newPorts []int
	for range 3 {
		p := testkit.FreePort(t)
		in := startInstance(t, helloBin, p)
		in.pollReady(t, p)
		olds, oldPorts = append(olds, in), append(oldPorts, p)
	}
	lb := startCaddy(t, caddyBin, oldPorts, s.checks)
	loadBegan := time.Now()
	load := testkit.StartLoad(t, "http://"+lb.addr+"/", loadWorkers, loadEvery)
	load.WaitSent(t, 200, patience)
	for i, old := range olds {
		p := testkit.FreePort(t)
		in := startInstance(t, helloBin, p)
		in.pollReady(t, p)
		newPorts = append(newPorts, p)
		// The upstreams: the olds not yet replaced, then the news.
		keep := append(append([]int(nil), oldPorts[i+1:]...), newPorts...)
		if s.removeAhead < 0 {
			lb.setUpstreams(t, append([]int{oldPorts[i]}, keep...))
		} else {
			lb.setUpstreams(t, keep)
			if s.removeAhead > 0 {
				<-time.After(s.removeAhead) // the deploy script's pace, not synchronisation
			}
		}
		signalled := time.Now()
		old.signal(t, syscall.SIGTERM)
		code := old.wait(t)
		took := time.Since(signalled)
		if s.removeAhead < 0 {
			lb.setUpstreams(t, keep)
		}
		drain := old.entry("drain ended")
		start := old.entry("draining: readiness fails, servers still serve")
		res := load.Result()
		t.Logf("%s: old instance %d exited %d after %s (drain %v, %v; prober_seen %v, quiet_window %v); sent so far %d, failed %d",
			s.name, i+1, code, took.Round(time.Millisecond), drain["took"], drain["reason"], start["prober_seen"], start["quiet_window"],
			res.Sent(), res.Failed)
		if code != 0 {
			t.Errorf("old instance %d exited %d, want 0\n%s", i+1, code, old.tail())
		}
		if drain["reason"] != "traffic stopped" {
			t.Errorf("old instance %d: drain ended on %v, want traffic stopped", i+1, drain["reason"])
		}
		if took > caddyExitWithin {
			t.Errorf("old instance %d exited %s after SIGTERM, want within %s", i+1, took.Round(time.Millisecond), caddyExitWithin)
		}
	}
	checkLoad(t, s.name, load, loadBegan)
}

// pollReady waits, as a deploy script does, by asking the instance's
// /readyz every 100ms until it answers 200.
func (in instance) pollReady(t *testing.T, port int) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	defer c.CloseIdleConnections()
	url := "http://" + testkit.Addr(port) + "/readyz"
	testkit.Poll(t, patience, 100*time.Millisecond, "instance's /readyz 200", func() bool {
		in.failIfExited(t, "before it was ready")
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("User-Agent", "deploy-script/1")
		resp, err := c.Do(req)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// caddyLB is a running Caddy.
type caddyLB struct {
	addr   string // the proxy's address
	admin  string // the admin API's address
	checks time.Duration
	log    string // the file Caddy logs to
}

// startCaddy runs Caddy with its admin API and one reverse proxy on loopback
// ports, round robin over the upstreams on ports, no retries, and an active
// check of /readyz every checks (none if 0).
func startCaddy(t *testing.T, bin string, ports []int, checks time.Duration) *caddyLB {
	t.Helper()
	dir := t.TempDir()
	lb := &caddyLB{
		addr:   testkit.Addr(testkit.FreePort(t)),
		admin:  testkit.Addr(testkit.FreePort(t)),
		checks: checks,
		log:    filepath.Join(dir, "caddy.log"),
	}
	cfg := map[string]any{
		"admin":   map[string]any{"listen": lb.admin},
		"logging": map[string]any{"logs": map[string]any{"default": map[string]any{"level": "WARN"}}},
		"apps": map[string]any{"http": map[string]any{"servers": map[string]any{"web": map[string]any{
			"listen":          []string{lb.addr},
			"automatic_https": map[string]any{"disable": true},
			"routes":          []any{map[string]any{"handle": []any{lb.proxy(ports)}}},
		}}}},
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "caddy.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(lb.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "run", "--config", path)
	// Caddy keeps its state (autosaved config, certificates) under these.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "XDG_CONFIG_HOME=" + dir, "XDG_DATA_HOME=" + dir}
	cmd.Stdout, cmd.Stderr = logf, logf
	p := testkit.Start(t, cmd)
	c := &http.Client{Timeout: time.Second}
	defer c.CloseIdleConnections()
	testkit.Eventually(t, patience, "caddy proxies a request", func() bool {
		select {
		case <-p.Exited():
			t.Fatalf("caddy exited before it proxied a request\n%s", lb.tail())
		default:
		}
		resp, err := c.Get("http://" + lb.addr + "/")
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return lb
}

// proxy returns the reverse_proxy handler over the upstreams on ports.
func (lb *caddyLB) proxy(ports []int) map[string]any {
	var ups []any
	for _, p := range ports {
		ups = append(ups, map[string]any{"dial": testkit.Addr(p)})
	}
	h := map[string]any{
		"handler":        "reverse_proxy",
		"upstreams":      ups,
		"load_balancing": map[string]any{"selection_policy": map[string]any{"policy": "round_robin"}},
	}
	if lb.checks > 0 {
		h["health_checks"] = map[string]any{"active": map[string]any{
			"uri": "/readyz", "interval": lb.checks.String(), "timeout": "1s",
		}}
	}
	return h
}

// setUpstreams replaces the proxy's upstreams through the admin API, as a
// deploy script or a service discovery agent does; it returns once Caddy
// runs the new config.
func (lb *caddyLB) setUpstreams(t *testing.T, ports []int) {
	t.Helper()
	b, err := json.Marshal(lb.proxy(ports))
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPatch, "http://"+lb.admin+"/config/apps/http/servers/web/routes/0/handle/0", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	c := &http.Client{Timeout: patience}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("caddy admin API: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("caddy admin API: PATCH upstreams %v: %s: %s", ports, resp.Status, body)
	}
}

// tail returns the end of Caddy's log.
func (lb *caddyLB) tail() string {
	b, _ := os.ReadFile(lb.log)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return fmt.Sprintf("caddy log (%s):\n%s", lb.log, b)
}
