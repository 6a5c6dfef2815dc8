package admin_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// child is the shop program running as its own process.
type child struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	stdout strings.Builder
	stderr strings.Builder
	lines  chan string
	done   chan struct{}
}

// start runs the test binary as the shop program with args and env (and no
// other variable), reading its output as it comes.
func start(t *testing.T, env map[string]string, args ...string) *child {
	t.Helper()
	return startProgram(t, "shop", env, args...)
}

// startProgram runs the test binary as the program of that name (see
// programs), with args and env and no other variable.
func startProgram(t *testing.T, program string, env map[string]string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{childEnv + "=" + program}
	if dir := os.Getenv("GOCOVERDIR"); dir != "" {
		cmd.Env = append(cmd.Env, "GOCOVERDIR="+dir)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: make(chan string, 1000), done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			c.mu.Lock()
			c.stdout.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			c.lines <- sc.Text()
		}
	}()
	go func() {
		defer wg.Done()
		b, _ := io.ReadAll(errPipe)
		c.mu.Lock()
		c.stderr.Write(b)
		c.mu.Unlock()
	}()
	go func() { wg.Wait(); close(c.lines); close(c.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-c.done
		_ = cmd.Wait()
	})
	return c
}

// waitLine returns the first line of stdout containing s.
func (c *child) waitLine(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				t.Fatalf("stdout ended without %q; stderr: %s", s, c.errText())
			}
			if strings.Contains(line, s) {
				return line
			}
		case <-timeout:
			t.Fatalf("no line with %q within 15s", s)
		}
	}
}

// wait returns the exit code, once output is read to the end.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the process did not exit within 20s")
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// events returns the JSON events of stdout with that message.
func (c *child) events(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(c.outText(), "\n") {
		var ev map[string]any
		if json.Unmarshal([]byte(line), &ev) == nil && ev["msg"] == msg {
			out = append(out, ev)
		}
	}
	return out
}

// errLines returns the lines of stderr, less any the Go tool chain adds
// (such as the GOCOVERDIR warning of a binary built with -cover).
func (c *child) errLines() []string {
	var out []string
	for line := range strings.SplitSeq(strings.TrimRight(c.errText(), "\n"), "\n") {
		if line != "" && !strings.HasPrefix(line, "warning: GOCOVERDIR") {
			out = append(out, line)
		}
	}
	return out
}

func (c *child) outText() string { c.mu.Lock(); defer c.mu.Unlock(); return c.stdout.String() }
func (c *child) errText() string { c.mu.Lock(); defer c.mu.Unlock(); return c.stderr.String() }

func TestProcess_exitCodes(t *testing.T) {
	missing := goodEnv()
	delete(missing, "API_KEY")
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		code       int
		wantStderr string
	}{
		{"success", goodEnv(), []string{"migrate"}, 0, ""},
		{"failure", goodEnv(), []string{"fail"}, 1, "shop fail: the import file is missing; upload it first"},
		{"usage", goodEnv(), []string{"migrat"}, 64, "shop: unknown command \"migrat\"; did you mean migrate?\nRun 'shop help' for the list of commands."},
		{"flag before the command", goodEnv(), []string{"-v", "migrate"}, 64, "shop: flag -v comes before the command; flags go after it, as in 'shop migrate -v'\nRun 'shop help migrate' for its flags."},
		{"config", missing, []string{"migrate"}, 78, "config: API_KEY: required but not set; want a secret value; set API_KEY, or API_KEY_FILE to a file holding it (key for the payments API)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := start(t, tt.env, tt.args...)
			if code := c.wait(t); code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, c.errText())
			}
			if got := strings.Join(c.errLines(), "\n"); got != tt.wantStderr {
				t.Errorf("stderr = %q, want %q", got, tt.wantStderr)
			}
		})
	}
}

func TestProcess_taskCancelledBySignal(t *testing.T) {
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			c := start(t, goodEnv(), "wait")
			c.waitLine(t, "started")
			if err := c.cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			c.waitLine(t, "cleanup done")
			if code := c.wait(t); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if lines := c.errLines(); len(lines) != 1 || lines[0] != "shop wait: context canceled" {
				t.Errorf("stderr = %q, want the task's error once", c.errText())
			}
		})
	}
}

func TestProcess_configNeverPrintsSecrets(t *testing.T) {
	c := start(t, goodEnv(), "config")
	if code := c.wait(t); code != 0 {
		t.Fatalf("exit %d, stderr %s", code, c.errText())
	}
	out := c.outText()
	if strings.Contains(out, apiKey) || strings.Contains(out, "pa55word") {
		t.Errorf("config prints a secret:\n%s", out)
	}
	if !strings.Contains(out, "[REDACTED]") {
		t.Errorf("config shows no redaction:\n%s", out)
	}
}

// TestProcess_web runs the web process type from the platform's DYNO
// variable, serves a request on the port it bound, and stops on SIGTERM.
func TestProcess_web(t *testing.T) {
	env := goodEnv()
	env["DYNO"] = "web.1"
	c := start(t, env)
	var ev struct{ Addr string }
	if err := json.Unmarshal([]byte(c.waitLine(t, `"msg":"listening"`)), &ev); err != nil || ev.Addr == "" {
		t.Fatalf("listening event without addr: %v", err)
	}
	c.waitLine(t, `"msg":"ready"`)
	addr := strings.Replace(ev.Addr, "[::]", "127.0.0.1", 1)
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello\n" {
		t.Errorf("GET /hello = %d %q", resp.StatusCode, body)
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0; stderr %s", code, c.errText())
	}
	if !strings.Contains(c.outText(), `"msg":"stopping: signal received"`) || !strings.Contains(c.outText(), `"process":"web"`) {
		t.Errorf("stdout lacks the stop event of the web process:\n%s", c.outText())
	}
}
