package main

import (
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestSchema_shopEnvironments validates, with a real JSON Schema validator,
// the environments the shop runs with in its tests and manifests against
// the contract `shop config -schema` prints, and the bad ones the shop
// refuses at start (TestWebContract's) against it too: each is refused.
func TestSchema_shopEnvironments(t *testing.T) {
	t.Parallel()
	f, err := os.Open(shopSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("shop.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("shop.json")
	if err != nil {
		t.Fatalf("shop's contract does not compile: %v", err)
	}
	env := func(kv ...string) map[string]any {
		m := map[string]any{}
		for _, s := range kv {
			k, v, _ := strings.Cut(s, "=")
			m[k] = v
		}
		return m
	}
	db := "DATABASE_URL=postgres://shop:canary@127.0.0.1:5432/shop?sslmode=disable"
	good := []map[string]any{
		env(), // SQLite in ./shop.db, every default
		env("DATABASE_URL=sqlite:///tmp/shop-e2e/shop.db", "LOG_LEVEL=info", "PORT=0", "DRAIN_DELAY=1s", "SHUTDOWN_TIMEOUT=10s"),
		env(db, "LOG_LEVEL=info", "JOB_LEASE=2s", "POLL_INTERVAL=50ms", "CARRIER_LATENCY=2ms", "SHUTDOWN_TIMEOUT=10s", "DRAIN_DELAY=1s"),
		env(db, "API_KEY=canary-key", "PORT=0", "DRAIN_DELAY=0s", "POLL_INTERVAL=50ms", "LOG_LEVEL=debug"),
		env("DATABASE_URL=sqlite://shop.db", "DRAIN_DELAY=2s", "SHUTDOWN_TIMEOUT=10s"),
		env("PORT=8080", "POD_NAME=shop-web-7d9f"),                      // deploy/web.yaml
		env("MANAGEMENT_PORT=9090", "JOB_LEASE=30s", "POD_NAME=shop-w"), // deploy/worker.yaml
		env("API_KEY_FILE=/run/secrets/api-key", "LOG_FORMAT=console", "LOG_KEYS=GCP"),
	}
	bad := []map[string]any{
		env("PORT=abc"),
		env("LOG_LEVEL=loud"),
		env("DATABASE_URL=postgres://%zz"),
		env("DATABASE_URL=cassandra://db/shop"), // a scheme no backing family reads
		env("JOB_LEASE=30"),
		env("JOB_MAX_ATTEMPTS=five"),
		env("API_KEY=k", "API_KEY_FILE=/run/secrets/api-key"),
	}
	for _, e := range good {
		if err := schema.Validate(e); err != nil {
			t.Errorf("the contract refuses an environment the shop runs with, %v: %v", e, err)
		}
	}
	for _, e := range bad {
		if err := schema.Validate(e); err == nil {
			t.Errorf("the contract accepts %v, which the shop refuses", e)
		}
		// The shop refuses it too, at start, before it binds.
		var args []string
		for k, v := range e {
			args = append(args, k+"="+v.(string))
		}
		if code, _, _ := runBinEnv(t, shopBin, args, "config"); code != 78 {
			t.Errorf("shop config with %v: exit %d, want 78", e, code)
		}
	}
}
