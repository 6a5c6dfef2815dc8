package admin_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// child is a test program running as its own process: stdout holds its
// JSON log and, for some commands, plain text.
type child struct {
	*testkit.Proc
	t *testing.T
}

// start runs the test binary as the shop program with args and env (and no
// other variable), reading its output as it comes.
func start(t *testing.T, env map[string]string, args ...string) *child {
	t.Helper()
	return startProgram(t, "shop", env, args...)
}

// startProgram runs the test binary as the program of that name (see
// programs and TestMain), with args and env and no other variable.
func startProgram(t *testing.T, program string, env map[string]string, args ...string) *child {
	t.Helper()
	cmd := testkit.Self(t, "^$", args...)
	cmd.Env = append(cmd.Env, childEnv+"="+program)
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return &child{testkit.Start(t, cmd), t}
}

// waitLine returns the first complete line of stdout containing s, failing
// the test when none comes within 15s or the process exits without one.
func (c *child) waitLine(t *testing.T, s string) string {
	t.Helper()
	var line string
	gone := false
	testkit.Eventually(t, 15*time.Second, "a line with "+strconv.Quote(s), func() bool {
		gone = c.HasExited() // read before stdout: all of it is in then
		for l := range strings.Lines(c.Stdout()) {
			if strings.HasSuffix(l, "\n") && strings.Contains(l, s) {
				line = strings.TrimSuffix(l, "\n")
				return true
			}
		}
		return gone
	})
	if line == "" {
		t.Fatalf("stdout ended without %q; stderr: %s", s, c.errText())
	}
	return line
}

// wait returns the exit code, once output is read to the end.
func (c *child) wait(t *testing.T) int {
	t.Helper()
	code, ok := c.Wait(20 * time.Second)
	if !ok {
		t.Fatal("the process did not exit within 20s")
	}
	return code
}

// forceWithSIGINTs sends SIGINT every 100ms until the process exits (the
// early ones are ignored, as in lifecycle), at most for 10s.
func (c *child) forceWithSIGINTs(t *testing.T) {
	t.Helper()
	testkit.Poll(t, 10*time.Second, 100*time.Millisecond, "the stop forced by SIGINTs", func() bool {
		if c.HasExited() {
			return true
		}
		_ = c.Signal(syscall.SIGINT) // an error means it has just exited
		return false
	})
}

// events returns the JSON events of stdout with that message; the plain
// lines some commands print beside their log are left out.
func (c *child) events(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var log strings.Builder
	for l := range strings.Lines(c.Stdout()) {
		if strings.HasPrefix(l, "{") {
			log.WriteString(l)
		}
	}
	var out []map[string]any
	for _, ev := range testkit.Events(t, log.String()) {
		if ev["msg"] == msg {
			out = append(out, ev)
		}
	}
	return out
}

// errLines returns the lines of stderr.
func (c *child) errLines() []string {
	var out []string
	for line := range strings.SplitSeq(strings.TrimRight(c.errText(), "\n"), "\n") {
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

func (c *child) outText() string { return c.Stdout() }
func (c *child) errText() string { return c.Stderr() }

func TestProcess_exitCodes(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 143}, {syscall.SIGINT, 130}} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			c := start(t, goodEnv(), "wait")
			c.waitLine(t, "started")
			if err := c.Signal(tt.sig); err != nil {
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
	t.Parallel()
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
	t.Parallel()
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
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := c.wait(t); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0; stderr %s", code, c.errText())
	}
	if !strings.Contains(c.outText(), `"msg":"stopping: signal received"`) || !strings.Contains(c.outText(), `"process":"web"`) {
		t.Errorf("stdout lacks the stop event of the web process:\n%s", c.outText())
	}
}
