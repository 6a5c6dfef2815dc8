package compat_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/davecgh/go-spew/spew"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/twelvekit/twelvekit/config"
)

type service struct {
	Port   int
	APIKey config.Secret
	DB     struct {
		Password *config.Secret
		Keys     []config.Secret
	}
}

func newService(value string) service {
	s := config.NewSecret(value)
	var c service
	c.Port, c.APIKey = 8080, s
	c.DB.Password, c.DB.Keys = &s, []config.Secret{s}
	return c
}

// TestSecret_spew prints configs holding a secret with go-spew as testify's
// assert.Equal diff does (methods disabled, pointers followed) and with its
// other configurations: none shows the value.
func TestSecret_spew(t *testing.T) {
	t.Parallel()
	const canary = "sk_live_spew-canary"
	c := newService(canary)
	configs := map[string]*spew.ConfigState{
		"testify":                           {Indent: " ", DisablePointerAddresses: true, DisableCapacities: true, SortKeys: true, DisableMethods: true, MaxDepth: 10},
		"default":                           spew.NewDefaultConfig(),
		"methods disabled, addresses shown": {DisableMethods: true},
		"continue on method":                {ContinueOnMethod: true},
	}
	for name, cs := range configs {
		for _, out := range []string{cs.Sdump(c), cs.Sdump(&c), cs.Sprintf("%v %+v %#v", c, c, c), cs.Sdump(c.APIKey)} {
			if strings.Contains(out, canary) || strings.Contains(out, fmt.Sprintf("%x", canary)) {
				t.Errorf("spew (%s) shows the value:\n%s", name, out)
			}
		}
	}
}

// TestSecret_cmpDiff: configs that differ only in a secret differ for go-cmp,
// and its report does not show either value.
func TestSecret_cmpDiff(t *testing.T) {
	t.Parallel()
	a, b := newService("first-canary"), newService("second-canary")
	diff := cmp.Diff(a, b)
	if diff == "" {
		t.Fatal("cmp.Diff reports no difference")
	}
	if strings.Contains(diff, "canary") {
		t.Errorf("cmp.Diff shows a value:\n%s", diff)
	}
	if d := cmp.Diff(a, newService("first-canary")); d != "" {
		t.Errorf("cmp.Diff of equal secrets:\n%s", d)
	}
}

// recorder is a testing.TB stand-in for testify that keeps what it reports.
type recorder struct{ msgs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}

// TestSecret_testify: assert.Equal of configs that differ only in a secret
// fails, and its message (go-spew's dump and diff) shows neither value.
func TestSecret_testify(t *testing.T) {
	t.Parallel()
	a, b := newService("first-canary"), newService("second-canary")
	var r recorder
	if assert.Equal(&r, a, b) {
		t.Fatal("assert.Equal passes for configs with different secrets")
	}
	msg := strings.Join(r.msgs, "\n")
	if strings.Contains(msg, "canary") || !strings.Contains(msg, "Diff:") {
		t.Errorf("testify's message shows a value, or no diff:\n%s", msg)
	}
}
