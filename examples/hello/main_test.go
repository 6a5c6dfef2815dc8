package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHello builds hello, starts it with no configuration but a free port,
// sends it requests and SIGTERM, and reads what it printed.
func TestHello(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "hello")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	cmd.Env = []string{"PORT=0", "DRAIN_DELAY=0s"}
	cmd.Dir = t.TempDir()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan map[string]any, 100)
	t.Cleanup(func() {
		// On a failure the reader may be blocked on a full channel: kill
		// the process, then drain until the reader sees EOF and closes it.
		_ = cmd.Process.Kill()
		for range events {
		}
		_ = cmd.Wait()
	})

	go func() {
		defer close(events)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("stdout line is not one JSON event: %q", sc.Text())
				continue
			}
			events <- ev
		}
	}()
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

	addr, _ := next("listening")["addr"].(string)
	addr = strings.Replace(addr, "[::]", "127.0.0.1", 1)
	next("ready")
	client := &http.Client{Timeout: 5 * time.Second}
	get := func(path string) (int, string) {
		resp, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/livez"); code != 200 {
		t.Errorf("/livez = %d %q", code, body)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code, body := get("/"); code != 200 || body != "hello, world\n" {
		t.Errorf("GET / = %d %q", code, body)
	}
	req := next("request")
	if req["path"] != "/" || req["status"] != float64(200) || req["request_id"] == "" || req["service"] != "hello" {
		t.Errorf("request event = %v; want path /, status 200, a request ID and service hello", req)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	next("stopping: signal received")
	next("stopped")
	for range events {
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) || err != nil {
		t.Errorf("exit after SIGTERM: %v, want 0", err)
	}
}
