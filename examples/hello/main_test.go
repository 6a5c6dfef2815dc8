package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/processtest"
	"go.uber.org/goleak"
)

// helloBin is hello, built once by TestMain.
var helloBin string

func TestMain(m *testing.M) {
	bin, remove, err := testkit.BuildMain(".")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helloBin = bin
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { remove() }))
}

// TestHello_contract runs the process kit's default checks on hello as it
// ships, with no configuration at all, behind the default balancer model
// (HAProxy's 2 s x 3): port, probes, a rolling stop under load, JSON logs
// and no files, PORT=abc rejected with 78, a second signal. The whole check
// must take under 20 s.
func TestHello_contract(t *testing.T) {
	t.Parallel()
	rep := processtest.Run(t, processtest.Binary{Path: helloBin})
	t.Logf("hello, default check: %v\n%s", rep.Duration.Round(time.Millisecond), rep)
	if rep.Duration > 20*time.Second {
		t.Errorf("the default check took %v, want under 20s", rep.Duration)
	}
}

// TestHello_contractTight checks hello's rolling stop with a short drain
// behind a tight balancer (1 s x 1), and more bad variables.
func TestHello_contractTight(t *testing.T) {
	t.Parallel()
	processtest.Run(t, processtest.Binary{Path: helloBin, Env: map[string]string{"DRAIN_DELAY": "2s"}},
		processtest.WithBalancer(time.Second, 1),
		processtest.WithChecks(processtest.CheckRollingStop, processtest.CheckConfigErrors),
		processtest.WithBadConfig("PORT", "abc"),
		processtest.WithBadConfig("LOG_LEVEL", "loud"),
		processtest.WithBadConfig("SHUTDOWN_TIMEOUT", "soon"))
}

// TestHello_requestLog checks what the kit cannot know: GET / answers the
// greeting and is logged as one request event with hello's fields.
func TestHello_requestLog(t *testing.T) {
	port := testkit.FreePort(t)
	cmd := exec.Command(helloBin)
	const canary = "Zq7canary9Wx"
	cmd.Env = []string{"PORT=" + strconv.Itoa(port), "DRAIN_DELAY=0s", "GREETING=hi there",
		"DATABASE_URL=postgres://app:" + canary + "@db.internal:5433/shop?sslmode=require",
		"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/" + canary,
		"REPO_URL=https://x-access-token:" + canary + "@github.com/org/repo.git"}
	cmd.Dir = t.TempDir()
	p := testkit.Start(t, cmd)
	next := func(msg string) map[string]any {
		t.Helper()
		var found map[string]any
		testkit.Eventually(t, 15*time.Second, "a "+msg+" event", func() bool {
			for _, ev := range testkit.Events(t, p.Stdout()) {
				if ev["msg"] == msg {
					found = ev
					return true
				}
			}
			return false
		})
		return found
	}
	attached, _ := json.Marshal(next("attached"))
	for _, want := range []string{"DATABASE_URL=postgres://app:[REDACTED]@db.internal:5433/shop?sslmode=require",
		"SLACK_WEBHOOK_URL=https://hooks.slack.com:443/", "REPO_URL=https://[REDACTED]@github.com:443/"} {
		if !strings.Contains(string(attached), want) {
			t.Errorf("attached event %s does not show %s", attached, want)
		}
	}
	if strings.Contains(string(attached), canary) {
		t.Errorf("attached event shows a credential: %s", attached)
	}
	next("ready")
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + testkit.Addr(port) + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hi there\n" {
		t.Errorf("GET / = %d %q, want 200 %q", resp.StatusCode, body, "hi there\n")
	}
	req := next("request")
	if req["path"] != "/" || req["status"] != float64(200) || req["request_id"] == "" || req["service"] != "hello" {
		t.Errorf("request event = %v; want path /, status 200, a request ID and service hello", req)
	}
	if err := p.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("stopped")
	if code, ok := p.Wait(15 * time.Second); !ok || code != 0 {
		t.Errorf("after SIGTERM: exit %d (exited: %v), want 0", code, ok)
	}
}
