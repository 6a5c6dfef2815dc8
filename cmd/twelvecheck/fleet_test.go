package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// Three services of a fleet that share names.
type (
	billing struct {
		Lifecycle lifecycle.Config
		Timeout   time.Duration       `env:"UPSTREAM_TIMEOUT" envDefault:"5s"`
		Cache     backing.RedisURL    `env:"CACHE_URL"`
		License   config.Secret       `env:"LICENSE"`
		Workers   int                 `env:"WORKERS" envDefault:"4"`
		Hosts     []string            `env:"HOSTS"`
		Debug     bool                `env:"DEBUG_PPROF" envOld:"DBEUG_PPROF"`
		Region    string              `env:"REGION" envDefault:"eu"`
		DB        backing.PostgresURL `env:"DATABASE_URL"`
	}
	shipping struct {
		Lifecycle lifecycle.Config
		Timeout   int                 `env:"UPSTREAM_TIMEOUT" envDefault:"5" desc:"seconds"`
		Cache     backing.URL         `env:"CACHE_URL"`
		License   string              `env:"LICENSE"`
		Workers   int                 `env:"WORKERS" envDefault:"8"`
		Hosts     []string            `env:"HOSTS" envSeparator:";"`
		Debug     bool                `env:"DBEUG_PPROF"`
		Region    string              `env:"REGION" envDefault:"eu"`
		DB        backing.PostgresURL `env:"DATABASE_URL"`
	}
)

func fleetConflicts(t *testing.T, want int, schemas ...string) []conflict {
	t.Helper()
	code, out, stderr := twelve(t, append([]string{"fleet", "-json"}, schemas...)...)
	if code != want {
		t.Errorf("exit %d, want %d\n%s%s", code, want, out, stderr)
	}
	var cs []conflict
	if err := json.Unmarshal([]byte(out), &cs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return cs
}

// TestFleet lists each variable read with two meanings, and nothing that
// means the same in every service.
func TestFleet(t *testing.T) {
	a, b := writeSchema(t, "billing", billing{}), writeSchema(t, "shipping", shipping{})
	var got []string
	for _, c := range fleetConflicts(t, exitFail, a, b) {
		got = append(got, c.Variable+" "+c.Aspect)
		if len(c.Services) != 2 || c.Services["billing"] == "" || c.Services["shipping"] == "" {
			t.Errorf("%s %s: services %v", c.Variable, c.Aspect, c.Services)
		}
	}
	want := []string{
		"CACHE_URL URL family",
		"DBEUG_PPROF name",
		"HOSTS list separator",
		"LICENSE secret",
		"UPSTREAM_TIMEOUT default",
		"UPSTREAM_TIMEOUT type",
		"WORKERS default",
	}
	slices.Sort(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("conflicts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// One service twice: no conflict, exit 0; the text form says so.
	if cs := fleetConflicts(t, exitPass, a, writeSchema(t, "billing-eu", billing{})); len(cs) != 0 {
		t.Errorf("the same contract: %+v", cs)
	}
	code, out, _ := twelve(t, "fleet", a, b)
	if code != exitFail || !strings.Contains(out, "UPSTREAM_TIMEOUT: type differs:") || !strings.Contains(out, "2 services compared: 7 conflicts") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
}
