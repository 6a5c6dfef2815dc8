package admin_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// runTasks runs the tasks program in-process.
func runTasks(t *testing.T, env map[string]string, opts []admin.Option, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	app, _ := newTasks(opts...)
	code := app.Run(context.Background(), args, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut), admin.WithLogger(zap.NewNop()))
	return result{code, out.String(), errOut.String()}
}

func TestWithConfig_help(t *testing.T) {
	t.Parallel()
	r := runTasks(t, nil, nil, "help")
	for _, want := range []string{
		"\nEnvironment:\nVARIABLE ",
		"\nCommands that read only their own variables (see 'tasks help NAME'):\n",
		"\n  migrate   DB_HOST, DB_NAME, DB_PASSWORD, LOG_LEVEL, LOG_FORMAT, ",
		"\n  report    LOG_LEVEL, LOG_FORMAT, ",
		", REPORT_WINDOW\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runTasks(t, nil, nil, "help", "migrate")
	if !strings.Contains(r.stdout, "\nEnvironment (only these are read and checked):\nVARIABLE ") || !strings.Contains(r.stdout, "\nDB_HOST ") || strings.Contains(r.stdout, "API_KEY") {
		t.Errorf("help migrate:\n%s", r.stdout)
	}
}

func TestWithConfig_configBuiltin(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DB_HOST": "db.internal", "DB_PASSWORD": "canary-pw"}
	r := runTasks(t, env, nil, "config", "migrate")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("config migrate: %+v", r)
	}
	for _, want := range []string{"\nDB_HOST       db.internal  environment\n", "\nDB_NAME       app          default\n", "\nDB_PASSWORD   [REDACTED]   environment\n", "\nLOG_LEVEL "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config migrate lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "API_KEY") || strings.Contains(r.stdout, "canary-pw") {
		t.Errorf("config migrate shows what migrate does not read, or a password:\n%s", r.stdout)
	}
	// The whole configuration is incomplete: config says so.
	if r := runTasks(t, env, nil, "config"); r.code != lifecycle.ExitConfig || !strings.Contains(r.stderr, "API_KEY: required but not set") {
		t.Errorf("config: %+v", r)
	}
	if r := runTasks(t, env, nil, "config", "version"); r.code != lifecycle.ExitUsage || !strings.Contains(r.stderr, "\"version\" is no process type or task") {
		t.Errorf("config version: %+v", r)
	}

	r = runTasks(t, nil, nil, "config", "-doc")
	if r.code != 0 || !strings.Contains(r.stdout, "\nmigrate reads:\nVARIABLE ") || !strings.Contains(r.stdout, "\nreport reads:\nVARIABLE ") {
		t.Errorf("config -doc: %+v", r)
	}
	r = runTasks(t, nil, nil, "config", "-doc", "-format", "dotenv")
	if r.code != 0 || strings.Count(r.stdout, "DB_HOST=") != 1 || !strings.Contains(r.stdout, "\n# read by report\n") || !strings.Contains(r.stdout, "REPORT_WINDOW=") {
		t.Errorf("config -doc -format dotenv names a variable twice or misses one:\n%s", r.stdout)
	}
}

// TestWithConfig_prefix reads a part of the App's config with the prefix
// of WithConfigOptions and the envPrefix of the fields above it.
func TestWithConfig_prefix(t *testing.T) {
	t.Parallel()
	opts := []admin.Option{admin.WithConfigOptions(config.WithPrefix("SHOP_"))}
	r := runTasks(t, map[string]string{"SHOP_DB_HOST": "db.internal", "DB_HOST": "wrong"}, opts, "migrate")
	if r.code != 0 || r.stdout != "migrating db.internal/app\n" {
		t.Errorf("migrate with SHOP_DB_HOST: %+v", r)
	}
}

func TestWithLogging_wrongType(t *testing.T) {
	t.Parallel()
	opts := []admin.Option{admin.WithLogging(func(*reportConfig, *logging.Config) {}), admin.WithLogging(func(*shopConfig, *logging.Config) {})}
	r := runTasks(t, nil, opts, "noop")
	want := "admin: WithLogging's function takes a *admin_test.shopConfig, which is the config of no command; make it take the App's config type\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("got %+v, want exit 1 and %q", r, want)
	}
}

func TestWithConfig_notAPointer(t *testing.T) {
	t.Parallel()
	app := admin.New("x", nil)
	app.Task("t", "t", func(context.Context, *admin.Call) error { return nil }, admin.WithConfig(reportConfig{}))
	var out bytes.Buffer
	if code := app.Run(context.Background(), []string{"t"}, admin.WithOutput(&out, &out)); code != 1 || !strings.Contains(out.String(), "WithConfig of command \"t\" needs a pointer to a config struct") {
		t.Errorf("exit %d, %q", code, out.String())
	}
}

func TestRun_flagBeforeCommand(t *testing.T) {
	t.Parallel()
	r := call(t, nil, "-v", "--steps=2", "migrate", "x")
	want := "shop: flag -v comes before the command; flags go after it, as in 'shop migrate -v --steps=2 x'\nRun 'shop help migrate' for its flags.\n"
	if r.code != lifecycle.ExitUsage || r.stderr != want {
		t.Errorf("got %+v, want 64 and %q", r, want)
	}
	r = call(t, nil, "-v")
	if r.code != lifecycle.ExitUsage || !strings.Contains(r.stderr, "shop: flag -v comes before any command; flags go after the command, as in 'shop <command> -v'") {
		t.Errorf("got %+v", r)
	}
}

func TestWithTimeout_inProcess(t *testing.T) {
	t.Parallel()
	r := runTasks(t, nil, nil, "deadline")
	if r.code != 124 || !strings.Contains(r.stderr, "tasks deadline: the task ran past its timeout of 100ms; ") {
		t.Errorf("got %+v, want 124 and the timeout on stderr", r)
	}
}
