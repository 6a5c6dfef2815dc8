package main

import (
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/twelvekit/twelvekit/config"
)

// compileSchema compiles a contract with a real JSON Schema validator,
// asserting the draft's formats (the contract uses none a validator would
// misread) and with its keywords checked against the 2020-12 metaschema.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(path)
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
	c.AssertFormat()
	if err := c.AddResource("contract.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("contract.json")
	if err != nil {
		t.Fatalf("the contract does not compile: %v", err)
	}
	return s
}

func instance(env map[string]string) map[string]any {
	m := make(map[string]any, len(env))
	for k, v := range env {
		m[k] = v
	}
	return m
}

// TestJSONSchema_agreesWithLoad validates environments with
// santhosh-tekuri/jsonschema against the exported contract and with
// config.Load: every environment Load accepts is valid, and every one Load
// refuses for a value's type, a missing variable or NAME with NAME_FILE is
// invalid.
func TestJSONSchema_agreesWithLoad(t *testing.T) {
	s := compileSchema(t, writeSchema(t, "orders", ordersConfig{}))
	base := map[string]string{"DATABASE_URL": "postgres://db/orders", "API_KEY": "k"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "<unset>" {
				delete(m, kv[i])
				continue
			}
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	good := []map[string]string{
		base,
		with("PORT", "8081", "SHUTDOWN_TIMEOUT", "20s", "DRAIN_DELAY", "10s", "LOG_LEVEL", "DEBUG", "LOG_FORMAT", " console "),
		with("DATABASE_URL", "postgresql://u@db:5433/orders?sslmode=require", "CACHE_URL", "rediss://cache:6380/1"),
		with("API_KEY", "<unset>", "API_KEY_FILE", "/run/secrets/key"),
		with("DATABASE_URL", "<unset>", "DATABASE_URL_FILE", "/run/secrets/db", "API_KEY_FILE", ""),
		with("WORKERS", "", "PORT", ""), // empty is unset
		with("DBEUG_PPROF", "true"),
		with("DEBUG_PPROF", "1", "LOG_SAMPLING", "F", "OTHER_VARIABLE", "anything"),
	}
	bad := []map[string]string{
		with("PORT", "abc"),
		with("PORT", "-1"),
		with("WORKERS", "4.5"),
		with("SHUTDOWN_TIMEOUT", "10"),
		with("DRAIN_DELAY", "1d"),
		with("LOG_LEVEL", "loud"),
		with("LOG_FORMAT", "xml"),
		with("DATABASE_URL", "redis://cache:6379"),
		with("CACHE_URL", "postgres://db/x"),
		with("DEBUG_PPROF", "yes"),
		with("DATABASE_URL", "<unset>"),
		with("API_KEY", ""),
		with("API_KEY", "<unset>"),
		with("API_KEY_FILE", "/run/secrets/key"), // both
	}
	for _, env := range good {
		if _, err := config.Load[ordersConfig](config.WithEnvironment(env)); err != nil {
			// NAME_FILE cases name files that do not exist here: Load
			// fails to read them, which no schema can know.
			if env["API_KEY_FILE"] == "" && env["DATABASE_URL_FILE"] == "" {
				t.Errorf("Load refuses a good environment %v: %v", env, err)
			}
		}
		if err := s.Validate(instance(env)); err != nil {
			t.Errorf("the schema refuses %v: %v", env, err)
		}
	}
	for _, env := range bad {
		if _, err := config.Load[ordersConfig](config.WithEnvironment(env)); err == nil {
			t.Errorf("Load accepts a bad environment %v", env)
		}
		if err := s.Validate(instance(env)); err == nil {
			t.Errorf("the schema accepts %v, which Load refuses", env)
		}
	}
}
