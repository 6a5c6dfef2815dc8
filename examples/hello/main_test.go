package main

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
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/processtest"
	"go.uber.org/goleak"
)

// helloBin is hello, built once by TestMain.
var helloBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hello-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	helloBin = filepath.Join(dir, "hello")
	if out, err := exec.Command("go", "build", "-o", helloBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		_ = os.RemoveAll(dir)
		os.Exit(1)
	}
	goleak.VerifyTestMain(m, goleak.Cleanup(func(int) { _ = os.RemoveAll(dir) }))
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
		processtest.WithTightBalancer(),
		processtest.WithChecks(processtest.CheckRollingStop, processtest.CheckConfigErrors),
		processtest.WithBadConfig("PORT", "abc"),
		processtest.WithBadConfig("LOG_LEVEL", "loud"),
		processtest.WithBadConfig("SHUTDOWN_TIMEOUT", "soon"))
}

// TestHello_requestLog checks what the kit cannot know: GET / answers the
// greeting and is logged as one request event with hello's fields.
func TestHello_requestLog(t *testing.T) {
	ln, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(helloBin)
	const canary = "Zq7canary9Wx"
	cmd.Env = []string{"PORT=" + strconv.Itoa(ln), "DRAIN_DELAY=0s", "GREETING=hi there",
		"DATABASE_URL=postgres://app:" + canary + "@db.internal:5433/shop?sslmode=require",
		"SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T0/B0/" + canary,
		"REPO_URL=https://x-access-token:" + canary + "@github.com/org/repo.git"}
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan map[string]any, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev map[string]any
			if json.Unmarshal(sc.Bytes(), &ev) == nil {
				events <- ev
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		for range events {
		}
		_ = cmd.Wait()
	})
	next := func(msg string) map[string]any {
		t.Helper()
		timeout := time.After(15 * time.Second)
		for {
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("stdout ended before %q", msg)
				}
				if ev["msg"] == msg {
					return ev
				}
			case <-timeout:
				t.Fatalf("no %q event within 15s", msg)
			}
		}
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
	resp, err := client.Get("http://127.0.0.1:" + strconv.Itoa(ln) + "/")
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
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("stopped")
}

func freePort() (int, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
