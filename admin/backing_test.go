package admin_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/lifecycle"
	"go.uber.org/zap"
)

// services returns URLs of the loopback PostgreSQL and Redis, and of a port
// nothing listens on. The services must be up: CI starts them; set
// TWELVEKIT_SKIP_SERVICES=1 to skip where they are not.
func services(t *testing.T) (pg, redis, closed string) {
	t.Helper()
	if os.Getenv("TWELVEKIT_SKIP_SERVICES") == "1" {
		t.Skip("TWELVEKIT_SKIP_SERVICES=1: not checking PostgreSQL and Redis on loopback")
	}
	port := testkit.FreePort(t)
	return "postgres://postgres:pa55word@127.0.0.1:5432/test?sslmode=disable",
		"redis://127.0.0.1:6379/0",
		"redis://127.0.0.1:" + strconv.Itoa(port) + "/0"
}

func TestRun_backingList(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"API_KEY":      apiKey,
		"DATABASE_URL": "postgres://shop:pa55word@db.internal:5432/shop",
		"REDIS_URL":    "rediss://:pa55word@cache.internal:6380/1",
		"HOME_URL":     "not a URL",
		"BROKEN_URL":   "postgres://db.internal:99999/shop",
	}
	r := call(t, env, "backing")
	if r.code != 1 {
		t.Errorf("exit %d, want 1 for the variable that does not parse", r.code)
	}
	for _, want := range []string{
		"VARIABLE      SCHEME    URL\n",
		"\nDATABASE_URL  postgres  postgres://shop:",
		"\nREDIS_URL     redis     rediss://",
		"\nBROKEN_URL              invalid: backing: BROKEN_URL: port is not a number",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("backing output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "pa55word") || strings.Contains(r.stdout, "HOME_URL") {
		t.Errorf("backing shows a password or a variable with no known scheme:\n%s", r.stdout)
	}
	if r := call(t, map[string]string{"API_KEY": apiKey, "DATABASE_URL": "shop.db"}, "backing"); r.code != 0 || !strings.HasPrefix(r.stdout, "no backing service attached") {
		t.Errorf("no services: %+v", r)
	}
	// The configuration's problems are reported: the same as config's.
	if r := call(t, map[string]string{"REDIS_URL": "redis://cache:6379/0"}, "backing"); r.code != lifecycle.ExitConfig || !strings.Contains(r.stdout, "\nREDIS_URL ") || !strings.Contains(r.stderr, "API_KEY: required but not set") {
		t.Errorf("incomplete config: %+v; want the list, the problems and 78", r)
	}
}

func TestRun_backingCheck(t *testing.T) {
	t.Parallel()
	pg, redis, closed := services(t)
	r := call(t, map[string]string{"API_KEY": apiKey, "DATABASE_URL": pg, "REDIS_URL": redis}, "backing", "-check", "-timeout", "5s")
	if r.code != 0 {
		t.Errorf("both up: exit %d, want 0:\n%s", r.code, r.stdout)
	}
	if strings.Count(r.stdout, "  up\n") != 2 || strings.Contains(r.stdout, "pa55word") {
		t.Errorf("want two services up and no password:\n%s", r.stdout)
	}

	r = call(t, map[string]string{"API_KEY": apiKey, "DATABASE_URL": pg, "CACHE_URL": closed}, "backing", "--check", "--timeout=2s")
	if r.code != 1 {
		t.Errorf("one down: exit %d, want 1:\n%s", r.code, r.stdout)
	}
	if !strings.Contains(r.stdout, "\nCACHE_URL ") || !strings.Contains(r.stdout, "down: ") || !strings.Contains(r.stdout, "  up\n") {
		t.Errorf("want CACHE_URL down and DATABASE_URL up:\n%s", r.stdout)
	}
}

func TestProcess_backingCheck(t *testing.T) {
	t.Parallel()
	pg, redis, closed := services(t)
	env := goodEnv()
	env["DATABASE_URL"] = pg
	env["REDIS_URL"] = redis
	c := start(t, env, "backing", "-check")
	if code := c.wait(t); code != 0 {
		t.Errorf("up: exit %d, want 0:\n%s%s", code, c.outText(), c.errText())
	}
	env["REDIS_URL"] = closed
	c = start(t, env, "backing", "-check")
	if code := c.wait(t); code != 1 {
		t.Errorf("down: exit %d, want 1:\n%s%s", code, c.outText(), c.errText())
	}
	if !strings.Contains(c.outText(), "REDIS_URL") || !strings.Contains(c.outText(), "down: ") {
		t.Errorf("stdout names no service down:\n%s", c.outText())
	}
}

// TestRun_backingAgreesWithConfig: backing lists the backing.URL fields
// of the loaded config, from a default and from a .env file, as config
// does, besides the other *_URL variables.
func TestRun_backingAgreesWithConfig(t *testing.T) {
	t.Parallel()
	type cfgT struct {
		Cache backing.URL `env:"CACHE_URL" envDefault:"redis://cache.internal:6379/0"`
		Queue backing.URL `env:"QUEUE_URL"`
		Spare backing.URL `env:"SPARE_URL"`
	}
	dotenv := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(dotenv, []byte("QUEUE_URL=amqp://guest:pa55word@mq.internal:5672/\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var cfg cfgT
	app := admin.New("shop", &cfg, admin.WithConfigOptions(config.WithDotEnv(dotenv)))
	env := map[string]string{"REDIS_TLS_URL": "rediss://:pa55word@r.internal:6380/0"}
	var out, errOut bytes.Buffer
	code := app.Run(context.Background(), []string{"backing"}, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut), admin.WithLogger(zap.NewNop()))
	if code != 0 || errOut.String() != "" || strings.Contains(out.String(), "pa55word") {
		t.Errorf("backing: exit %d, stderr %q, stdout:\n%s", code, errOut.String(), out.String())
	}
	for _, want := range []string{
		"VARIABLE       SCHEME  URL\n",
		"\nCACHE_URL      redis   redis://cache.internal:6379/0\n",
		"\nQUEUE_URL      amqp    amqp://guest:[REDACTED]@mq.internal:5672/",
		"\nREDIS_TLS_URL  redis   rediss://:[REDACTED]@r.internal:6380/0\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("backing lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	code = app.Run(context.Background(), []string{"config"}, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut), admin.WithLogger(zap.NewNop()))
	for _, want := range []string{"\nCACHE_URL ", "default\n", "\nQUEUE_URL ", ".env " + dotenv + "\n"} {
		if code != 0 || !strings.Contains(out.String(), want) {
			t.Errorf("config: exit %d, output lacks %q:\n%s", code, want, out.String())
		}
	}
}
