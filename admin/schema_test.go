package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

type renameConfig struct {
	Logging logging.Config
	Store   struct {
		URL string `env:"STORE_URL,required" envOld:"STORE_DSN"`
	}
	Key config.Secret `env:"API_KEY"`
}

func newRenames(cfg *renameConfig) *admin.App {
	app := admin.New("renames", cfg)
	app.Task("job", "prints the store", func(ctx context.Context, c *admin.Call) error {
		c.Log.Info("job ran")
		return nil
	})
	app.Task("migrate", "reads the store only", func(ctx context.Context, c *admin.Call) error { return nil },
		admin.WithConfig(&cfg.Store))
	return app
}

func runRenames(env map[string]string, args ...string) result {
	var out, errOut bytes.Buffer
	var cfg renameConfig
	code := newRenames(&cfg).Run(context.Background(), args, admin.WithEnvironment(env), admin.WithOutput(&out, &errOut))
	return result{code, out.String(), errOut.String()}
}

// TestConfigSchema prints the App's contract and a command's.
func TestConfigSchema(t *testing.T) {
	t.Parallel()
	props := func(args ...string) map[string]map[string]any {
		t.Helper()
		r := runRenames(nil, args...)
		if r.code != 0 {
			t.Fatalf("%q: exit %d: %s", args, r.code, r.stderr)
		}
		var s struct {
			Schema     string                    `json:"$schema"`
			Properties map[string]map[string]any `json:"properties"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Schema != config.JSONSchemaURI {
			t.Fatalf("%q: not a JSON Schema (%v):\n%s", args, err, r.stdout)
		}
		return s.Properties
	}
	all := props("config", "-schema")
	for _, name := range []string{"LOG_LEVEL", "STORE_URL", "API_KEY"} {
		if all[name] == nil {
			t.Errorf("config -schema lacks %s", name)
		}
	}
	if all["STORE_DSN"]["deprecated"] != true || all["API_KEY"]["x-secret"] != true {
		t.Errorf("STORE_DSN %v, API_KEY %v", all["STORE_DSN"], all["API_KEY"])
	}
	if all["LOG_LEVEL"]["x-format"] != "log-level" {
		t.Errorf("LOG_LEVEL: %v", all["LOG_LEVEL"])
	}
	mig := props("config", "-schema", "migrate")
	if mig["STORE_URL"] == nil || mig["API_KEY"] != nil {
		t.Errorf("config -schema migrate: %v", mig)
	}
	if r := runRenames(nil, "config", "-schema", "nosuch"); r.code != lifecycle.ExitUsage {
		t.Errorf("config -schema nosuch: exit %d", r.code)
	}
	for _, f := range []string{"kubernetes", "compose", "appjson"} {
		r := runRenames(nil, "config", "-doc", "-format", f)
		if r.code != 0 || !strings.Contains(r.stdout, "STORE_URL") {
			t.Errorf("config -doc -format %s: exit %d\n%s%s", f, r.code, r.stdout, r.stderr)
		}
	}
}

// TestDeprecatedName_loggedAndShown: a variable read under its old name
// works, is logged once at start and shown by config.
func TestDeprecatedName_loggedAndShown(t *testing.T) {
	t.Parallel()
	env := map[string]string{"STORE_DSN": "postgres://db/app"}
	r := runRenames(env, "job")
	if r.code != 0 {
		t.Fatalf("job: exit %d: %s", r.code, r.stderr)
	}
	if n := strings.Count(r.stdout, "STORE_DSN is a deprecated name of STORE_URL"); n != 1 {
		t.Errorf("the warning is logged %d times, want once:\n%s", n, r.stdout)
	}
	if !strings.Contains(r.stdout, `"level":"warn"`) {
		t.Errorf("no warn event:\n%s", r.stdout)
	}
	r = runRenames(env, "config")
	if r.code != 0 || !strings.Contains(r.stdout, "environment as STORE_DSN, a deprecated name") {
		t.Errorf("config: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A built-in's output stays what it prints: no log line in a schema.
	r = runRenames(env, "config", "-schema")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "{") || strings.Contains(r.stdout, `"level"`) {
		t.Errorf("config -schema with an old name set: exit %d\n%s", r.code, r.stdout)
	}
	r = runRenames(map[string]string{"STORE_URL": "postgres://db/app"}, "job")
	if strings.Contains(r.stdout, "deprecated") {
		t.Errorf("a warning without an old name:\n%s", r.stdout)
	}
}
