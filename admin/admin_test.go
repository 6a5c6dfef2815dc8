package admin_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging/loggingtest"
)

const apiKey = "sk_live_do_not_print"

func goodEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL": "postgres://shop:pa55word@127.0.0.1:5432/shop",
		"API_KEY":      apiKey,
		"PORT":         "0",
		"DRAIN_DELAY":  "0s",
		"RELEASE":      "v9.9.9-test",
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// call runs the shop in-process with env and captured output.
func call(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var cfg shopConfig
	var out, errOut bytes.Buffer
	log, _ := loggingtest.New(t)
	code := newShop(&cfg).Run(context.Background(), args,
		admin.WithEnvironment(env), admin.WithOutput(&out, &errOut), admin.WithLogger(log))
	return result{code, out.String(), errOut.String()}
}

func TestRun_help(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}, {"-help"}} {
		r := call(t, nil, args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing", args, r.code, r.stderr)
		}
		for _, want := range []string{
			"Usage:\n  shop <command> [flags] [arguments]\n",
			"\nProcess types:\n  web      serve the HTTP API\n  worker   process jobs from the queue\n",
			"\nTasks:\n  migrate  apply schema migrations\n",
			"\nBuilt-in commands:\n  config   print the effective configuration, or its documentation with -doc\n",
			"  version  print the release and build information\n  help     print this help",
			"\nEnvironment:\nVARIABLE ",
			"\nDATABASE_URL ", "API_KEY ", "SHUTDOWN_TIMEOUT ", "LOG_LEVEL ",
		} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}
	r := call(t, nil)
	if r.code != lifecycle.ExitUsage || r.stdout != "" || !strings.Contains(r.stderr, "Process types:") {
		t.Errorf("no command: exit %d, stdout %q, stderr %q; want the help on stderr and 64", r.code, r.stdout, r.stderr)
	}
}

func TestRun_commandHelp(t *testing.T) {
	t.Parallel()
	want := "Usage: shop migrate [flags] [arguments]\n\napply schema migrations\n\nCreates and upgrades the schema; safe to run twice.\n\nFlags:\n  -steps int\n    \tnumber of steps to apply (default 1)\n"
	for _, args := range [][]string{{"help", "migrate"}, {"migrate", "-h"}, {"migrate", "--help"}} {
		r := call(t, nil, args...)
		if r.code != 0 || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
		if diff := cmp.Diff(want, r.stdout); diff != "" {
			t.Errorf("%v (-want +got):\n%s", args, diff)
		}
	}
}

func TestRun_usageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"migrat"}, "shop: unknown command \"migrat\"; did you mean migrate?\nRun 'shop help' for the list of commands.\n"},
		{[]string{"wrokr"}, "shop: unknown command \"wrokr\"; did you mean worker?\nRun 'shop help' for the list of commands.\n"},
		{[]string{"conf"}, "shop: unknown command \"conf\"; did you mean config?\nRun 'shop help' for the list of commands.\n"},
		{[]string{"deploy-everything"}, "shop: unknown command \"deploy-everything\"\nRun 'shop help' for the list of commands.\n"},
		{[]string{"help", "nope"}, "shop: unknown command \"nope\"\nRun 'shop help' for the list of commands.\n"},
		{[]string{"migrate", "-stpes", "3"}, "shop migrate: flag provided but not defined: -stpes\nRun 'shop help migrate' for usage.\n"},
		{[]string{"migrate", "-steps", "many"}, "shop migrate: invalid value \"many\" for flag -steps: parse error\nRun 'shop help migrate' for usage.\n"},
	}
	for _, tt := range tests {
		r := call(t, goodEnv(), tt.args...)
		if r.code != lifecycle.ExitUsage || r.stdout != "" || r.stderr != tt.want {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 64 and %q", tt.args, r.code, r.stdout, r.stderr, tt.want)
		}
	}
}

func TestRun_configErrorStopsBeforeWork(t *testing.T) {
	t.Parallel()
	env := goodEnv()
	delete(env, "API_KEY")
	env["BATCH_SIZE"] = "lots"
	r := call(t, env, "migrate")
	want := "config: 2 problems:\n\tAPI_KEY: required but not set; want a secret value; set API_KEY, or API_KEY_FILE to a file holding it (key for the payments API)\n\tBATCH_SIZE: not an integer; want a whole number such as 42\n"
	if r.code != lifecycle.ExitConfig || r.stdout != "" || r.stderr != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 78, no work done, and %q", r.code, r.stdout, r.stderr, want)
	}
}

func TestRun_task(t *testing.T) {
	t.Parallel()
	r := call(t, goodEnv(), "migrate", "-steps", "3", "extra")
	if r.code != 0 || r.stderr != "" || r.stdout != "migrated 3 steps with batch 100, args [\"extra\"]\n" {
		t.Errorf("migrate: %+v", r)
	}
	// A task reads no lifecycle setting: a wrong one does not stop it.
	for name, value := range map[string]string{"PORT": "-5", "SHUTDOWN_TIMEOUT": "soon"} {
		env := goodEnv()
		env[name] = value
		if r := call(t, env, "migrate"); r.code != 0 {
			t.Errorf("migrate with a wrong %s: %+v; want 0", name, r)
		}
		if r := call(t, env, "web"); r.code != lifecycle.ExitConfig || !strings.Contains(r.stderr, name+": ") {
			t.Errorf("web with a wrong %s: %+v; want 78 naming it", name, r)
		}
	}
	r = call(t, goodEnv(), "fail")
	if r.code != 1 || r.stdout != "" || r.stderr != "shop fail: the import file is missing; upload it first\n" {
		t.Errorf("fail: %+v; want exit 1 and the error once on stderr", r)
	}
	r = call(t, goodEnv(), "exit42")
	if r.code != 42 {
		t.Errorf("exit42: exit %d, want the error's own 42", r.code)
	}
}

func TestRun_taskLogsAreCaptured(t *testing.T) {
	t.Parallel()
	var cfg shopConfig
	log, logs := loggingtest.New(t)
	var out bytes.Buffer
	code := newShop(&cfg).Run(context.Background(), []string{"migrate"}, admin.WithEnvironment(goodEnv()), admin.WithOutput(&out, &out), admin.WithLogger(log))
	if code != 0 || logs.FilterMessage("migration done").Len() != 1 {
		t.Errorf("exit %d; logged %v; want one \"migration done\"", code, logs.All())
	}
}

func TestRun_loggerFromConfigWritesToStdout(t *testing.T) {
	t.Parallel()
	var cfg shopConfig
	var out, errOut bytes.Buffer
	env := goodEnv()
	env["LOG_LEVEL"] = "debug"
	code := newShop(&cfg).Run(context.Background(), []string{"migrate"}, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut))
	if code != 0 || !strings.Contains(out.String(), `"msg":"migration done"`) || !strings.Contains(out.String(), `"service":"shop"`) || !strings.Contains(out.String(), `"release":"v9.9.9-test"`) {
		t.Errorf("exit %d, stdout %s; want a JSON event with service shop and the release", code, out.String())
	}
}

func TestRun_process(t *testing.T) {
	t.Parallel()
	var cfg shopConfig
	log, logs := loggingtest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- newShop(&cfg).Run(ctx, []string{"worker"}, admin.WithEnvironment(goodEnv()), admin.WithLogger(log), admin.WithOutput(&bytes.Buffer{}, &bytes.Buffer{}))
	}()
	testkit.Eventually(t, 10*time.Second, "the worker started", func() bool {
		return logs.FilterMessage("worker started").Len() > 0
	})
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("worker stopped with exit %d, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the worker did not stop within 10s of its context ending")
	}
}

func TestRun_platformProcessType(t *testing.T) {
	t.Parallel()
	env := goodEnv()
	env["DYNO"] = "reporter.1"
	var cfg shopConfig
	var out, errOut bytes.Buffer
	code := newShop(&cfg, admin.WithPlatformProcessType()).Run(context.Background(), nil, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut))
	if code != lifecycle.ExitUsage || errOut.String() != "shop: the platform names process type \"reporter\", which is not one of this program's process types (web, worker)\n" {
		t.Errorf("exit %d, stderr %q", code, errOut.String())
	}
	// Without the option the platform's variable is ignored.
	r := call(t, env)
	if r.code != lifecycle.ExitUsage || !strings.Contains(r.stderr, "Usage:") {
		t.Errorf("without the option: %+v", r)
	}
}

// The service's own variable names the process type before the
// platform's, and an error names the variable that named it.
func TestRun_serviceProcessTypeVariable(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, own, want string
	}{
		{"own variable first", "reporter", "shop: SERVER_TO_RUN names process type \"reporter\""},
		{"empty own variable: the platform's", "", "shop: the platform names process type \"reporter\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := goodEnv()
			env["SERVER_TO_RUN"] = tt.own
			env["DYNO"] = "web.1"
			if tt.own == "" {
				env["DYNO"] = "reporter.1"
			}
			var cfg shopConfig
			var out, errOut bytes.Buffer
			code := newShop(&cfg, admin.WithPlatformProcessType("SERVER_TO_RUN")).Run(context.Background(), nil, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut))
			if code != lifecycle.ExitUsage || !strings.HasPrefix(errOut.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut.String(), lifecycle.ExitUsage, tt.want)
			}
		})
	}
}

// A command's own logger carries the process field, as its group's lines do.
func TestCall_logCarriesProcess(t *testing.T) {
	t.Parallel()
	app := admin.New("tool", nil)
	app.Task("report", "log one line", func(ctx context.Context, c *admin.Call) error {
		c.Log.Info("reported")
		return nil
	})
	var out, errOut bytes.Buffer
	if code := app.Run(context.Background(), []string{"report"}, admin.WithEnvironment(map[string]string{}), admin.WithOutput(&out, &errOut)); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if strings.Contains(line, `"msg":"reported"`) || strings.Contains(line, `"message":"reported"`) {
			found = true
			if !strings.Contains(line, `"process":"report"`) {
				t.Errorf("the task's line lacks process=report: %s", line)
			}
		}
	}
	if !found {
		t.Fatalf("no line logged by the task in:\n%s", out.String())
	}
}

func TestRun_configBuiltin(t *testing.T) {
	t.Parallel()
	env := goodEnv()
	env["BATCH_SIZE"] = "250"
	r := call(t, env, "config")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("config: %+v", r)
	}
	for _, want := range []string{
		"VARIABLE          VALUE",
		"\nPORT              0 ",
		"environment\n",
		"\nDATABASE_URL      postgres://shop:[REDACTED]@127.0.0.1:5432/shop  environment\n",
		"\nAPI_KEY           [REDACTED]",
		"\nBATCH_SIZE        250 ",
		"\nLOG_LEVEL         info ",
		"default\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, apiKey) || strings.Contains(r.stdout, "pa55word") {
		t.Errorf("config prints a secret:\n%s", r.stdout)
	}

	// Incomplete: the table still shows, problems on stderr, exit 78.
	delete(env, "API_KEY")
	r = call(t, env, "config")
	if r.code != lifecycle.ExitConfig || !strings.Contains(r.stdout, "\nAPI_KEY           [UNSET]") || !strings.Contains(r.stderr, "API_KEY: required but not set") {
		t.Errorf("incomplete config: %+v", r)
	}
}

func TestRun_configDoc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"config", "-doc"}, "VARIABLE          TYPE", 0},
		{[]string{"config", "--doc", "--format=markdown"}, "| `DATABASE_URL` | string |  | yes |  | primary database |\n", 0},
		{[]string{"config", "-doc", "-format", "dotenv"}, "# rows per batch (integer)\nBATCH_SIZE=100\n", 0},
	}
	for _, tt := range tests {
		r := call(t, nil, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout, tt.want) {
			t.Errorf("%v: exit %d, stdout:\n%s\nwant it to contain %q", tt.args, r.code, r.stdout, tt.want)
		}
	}
	r := call(t, nil, "config", "-doc", "-format", "yaml")
	if r.code != lifecycle.ExitUsage || r.stderr != "shop config: -format \"yaml\" is not a format; use text, markdown or dotenv\n" {
		t.Errorf("bad format: %+v", r)
	}
}

func TestRun_version(t *testing.T) {
	t.Parallel()
	r := call(t, map[string]string{"RELEASE": "v1.2.3-rc1"}, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "release   v1.2.3-rc1\ngo        go1.") {
		t.Errorf("version: %+v", r)
	}
	if !strings.Contains(r.stdout, "\nmodule    github.com/twelvekit/twelvekit") {
		t.Errorf("version names no module:\n%s", r.stdout)
	}
}

func TestRun_builtinNames(t *testing.T) {
	t.Parallel()
	var cfg shopConfig
	var out bytes.Buffer
	app := newShop(&cfg, admin.WithBuiltinName("config", "settings"), admin.WithBuiltinName("version", ""))
	if code := app.Run(context.Background(), []string{"help"}, admin.WithOutput(&out, &out)); code != 0 {
		t.Fatalf("help: exit %d", code)
	}
	if !strings.Contains(out.String(), "\n  settings ") || strings.Contains(out.String(), "\n  version ") || strings.Contains(out.String(), "\n  config ") {
		t.Errorf("renamed and removed built-ins not reflected in help:\n%s", out.String())
	}
	out.Reset()
	if code := app.Run(context.Background(), []string{"version"}, admin.WithOutput(&out, &out)); code != lifecycle.ExitUsage {
		t.Errorf("a switched-off built-in ran: exit %d", code)
	}
}

func TestNew_registrationErrors(t *testing.T) {
	t.Parallel()
	app := admin.New("shop", nil)
	app.Task("migrate", "one", func(context.Context, *admin.Call) error { return nil })
	app.Task("migrate", "two", func(context.Context, *admin.Call) error { return nil })
	app.Task("help", "help is built in", func(context.Context, *admin.Call) error { return nil })
	app.Task("two words", "bad name", func(context.Context, *admin.Call) error { return nil })
	app.Process("web", "nil", nil)
	var out bytes.Buffer
	code := app.Run(context.Background(), []string{"migrate"}, admin.WithOutput(&out, &out))
	want := "admin: command \"migrate\" is registered twice\nadmin: command \"help\" is registered twice\nadmin: command name \"two words\" is not a word; use a name such as migrate\nadmin: process type \"web\" has a nil function\n"
	if code != 1 || out.String() != want {
		t.Errorf("exit %d, output %q; want 1 and %q", code, out.String(), want)
	}
	bad := admin.New("shop", shopConfig{})
	out.Reset()
	if code := bad.Run(context.Background(), []string{"version"}, admin.WithOutput(&out, &out)); code != 1 || !strings.Contains(out.String(), "pointer to the config struct") {
		t.Errorf("New with a struct value: exit %d, %q", code, out.String())
	}
}

func TestCall_Cleanup(t *testing.T) {
	t.Parallel()
	var order []string
	note := func(s string) func(context.Context) error {
		return func(ctx context.Context) error {
			if ctx.Err() != nil {
				s += " (ctx done)"
			}
			order = append(order, s)
			return nil
		}
	}
	app := admin.New("shop", nil)
	app.Process("worker", "work", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		if err := c.Cleanup("pool", note("close pool")); err != nil {
			return err
		}
		if err := c.Cleanup("pool", note("twice")); err == nil {
			t.Error("a second cleanup of the same name was accepted")
		}
		if err := c.Cleanup("flush", note("flush")); err != nil {
			return err
		}
		return g.Go("jobs", func(ctx context.Context) error {
			order = append(order, "worker running")
			return nil // returning stops the group
		})
	})
	app.Process("broken", "setup fails", func(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
		_ = c.Cleanup("pool", note("broken setup cleanup"))
		return errors.New("no templates")
	})
	app.Task("fail", "fails", func(ctx context.Context, c *admin.Call) error {
		_ = c.Cleanup("first", note("task cleanup 1"))
		_ = c.Cleanup("second", func(context.Context) error { return errors.New("disk full") })
		return errors.New("boom")
	})
	app.Task("ok", "succeeds but its cleanup fails", func(ctx context.Context, c *admin.Call) error {
		return c.Cleanup("flush", func(context.Context) error { panic("flush broke") })
	})
	var out bytes.Buffer
	log, logs := loggingtest.New(t)
	opts := []admin.Option{admin.WithEnvironment(map[string]string{"PORT": "0"}), admin.WithOutput(&out, &out), admin.WithLogger(log)}
	if code := app.Run(context.Background(), []string{"worker"}, opts...); code != 0 {
		t.Fatalf("worker: exit %d: %s", code, out.String())
	}
	if code := app.Run(context.Background(), []string{"broken"}, opts...); code != 1 {
		t.Fatalf("broken: exit %d", code)
	}
	out.Reset()
	if code := app.Run(context.Background(), []string{"fail"}, opts...); code != 1 || out.String() != "shop fail: boom\n" {
		t.Fatalf("fail: exit %d, output %q; want 1 and the task's own error", code, out.String())
	}
	out.Reset()
	if code := app.Run(context.Background(), []string{"ok"}, opts...); code != 1 || !strings.Contains(out.String(), "shop ok: admin: cleanup \"flush\" failed: ") {
		t.Fatalf("ok: exit %d, output %q; want 1 and the cleanup's error", code, out.String())
	}
	want := []string{"worker running", "flush", "close pool", "broken setup cleanup", "task cleanup 1"}
	if diff := cmp.Diff(want, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if n := logs.FilterMessage("cleanup failed").Len(); n != 1 {
		t.Errorf("%d \"cleanup failed\" events, want 1", n)
	}
	if n := logs.FilterMessage("cleanup panicked").Len(); n != 1 {
		t.Errorf("%d \"cleanup panicked\" events, want 1", n)
	}
}

// Service-level defaults of a library Config reach the loaded config, help
// and the config built-in alike.
func TestRun_serviceDefaults(t *testing.T) {
	t.Parallel()
	opt := admin.WithConfigOptions(config.WithDefaults(map[string]string{"LOG_LEVEL": "debug"}))
	run := func(args ...string) result {
		var cfg shopConfig
		var out, errOut bytes.Buffer
		code := newShop(&cfg, opt).Run(context.Background(), args, admin.WithEnvironment(goodEnv()), admin.WithOutput(&out, &errOut))
		return result{code, out.String(), errOut.String()}
	}
	help := run("help")
	if help.code != 0 || !regexp.MustCompile(`\nLOG_LEVEL +[^\n]* debug `).MatchString(help.stdout) {
		t.Errorf("help does not show LOG_LEVEL's default debug (exit %d):\n%s", help.code, help.stdout)
	}
	cfg := run("config")
	if cfg.code != 0 || !regexp.MustCompile(`\nLOG_LEVEL +debug +default\n`).MatchString(cfg.stdout) {
		t.Errorf("config does not show LOG_LEVEL debug from its default (exit %d):\n%s", cfg.code, cfg.stdout)
	}
}
