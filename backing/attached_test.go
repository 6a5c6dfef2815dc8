package backing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

func TestAttached(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"DATABASE_URL":       "postgres://u:hunter2@db/app",
		"REDIS_TLS_URL":      "rediss://:hunter2@r:6380",
		"CLOUDAMQP_URL":      "amqps://u:hunter2@rabbit/vh",
		"MEMCACHIER_SERVERS": "mc1:11211,mc2:11211",
		"CALLBACK_URL":       "ftp://x",
		"BROKEN_URL":         "postgres://u:hunter2@h:0/db",
		"PORT":               "8080",
		"EMPTY_URL":          "",
	}
	got := backing.Attached(backing.WithEnvironment(env))
	var lines []string
	for _, r := range got {
		lines = append(lines, r.String())
	}
	want := []string{
		"backing: BROKEN_URL: port is not a number from 1 to 65535; fix the port, and percent-encode a : or @ in the password",
		"CLOUDAMQP_URL=amqps://u:[REDACTED]@rabbit:5671/vh",
		"DATABASE_URL=postgres://u:[REDACTED]@db:5432/app",
		"MEMCACHIER_SERVERS=memcached://mc1:11211,mc2:11211",
		"REDIS_TLS_URL=rediss://:[REDACTED]@r:6380/0",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("Attached:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if !errors.Is(got[0].Err, backing.ErrInvalid) {
		t.Errorf("BROKEN_URL error does not wrap ErrInvalid")
	}
}

// TestAttached_processEnvironment checks that a nil map reads the process
// environment.
func TestAttached_processEnvironment(t *testing.T) {
	t.Setenv("TWELVEKIT_TEST_CACHE_URL", "redis://:hunter2@cache:6380/1")
	var found bool
	for _, r := range backing.Attached() {
		if r.Var == "TWELVEKIT_TEST_CACHE_URL" {
			found = true
			if r.String() != "TWELVEKIT_TEST_CACHE_URL=redis://:[REDACTED]@cache:6380/1" {
				t.Errorf("got %s", r)
			}
		}
	}
	if !found {
		t.Errorf("Attached() did not read the process environment")
	}
}

// TestURL_configLoad shows a backing.URL field read by config loading: a
// valid value parses, a bad one joins the config report without the password
// or the raw URL.
func TestURL_configLoad(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Database backing.URL `env:"DATABASE_URL,required"`
		Cache    backing.URL `env:"REDIS_URL"`
	}
	c, err := config.Load[cfg](config.WithEnvironment(map[string]string{"DATABASE_URL": "postgres://u:hunter2@db/app"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Database.Scheme() != "postgres" || !c.Cache.IsZero() {
		t.Errorf("loaded %v, %v", c.Database, c.Cache)
	}
	_, err = config.Load[cfg](config.WithEnvironment(map[string]string{
		"DATABASE_URL": "postgres://u:hunter2@db:70000/app",
		"REDIS_URL":    "couchdb://u:hunter2@m",
	}))
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	for _, want := range []string{"DATABASE_URL: port is not a number", "REDIS_URL: unknown scheme"} {
		if !strings.Contains(msg, want) {
			t.Errorf("config error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "hunter2") || strings.Contains(msg, "db:70000") {
		t.Errorf("config error quotes the value: %q", msg)
	}
}

// WithEnvironment(nil) is an empty environment, as everywhere in twelvekit:
// it reads nothing of the process's.
func TestAttached_nilEnvironmentIsEmpty(t *testing.T) {
	t.Setenv("ZZ_NIL_ENV_URL", "redis://127.0.0.1:6379")
	if got := backing.Attached(backing.WithEnvironment(nil)); len(got) != 0 {
		t.Errorf("Attached(WithEnvironment(nil)) = %v, want nothing", got)
	}
}
