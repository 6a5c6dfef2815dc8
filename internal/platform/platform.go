// Package platform reads what the hosting platform says about the running
// process: its release, its instance and its process type. logging puts the
// first two on every event; admin prints them and chooses a process type.
//
// The variables it reads, in order of precedence, are listed once, in
// [ReleaseVars], [InstanceVars] and [ProcessTypeVars]; documentation and tests
// elsewhere range over those lists (or render them with [List]) instead of
// copying them.
package platform

import (
	"os"
	"runtime/debug"
	"strings"
)

// Var is one environment variable a platform (or the operator) sets: its
// name and who sets it.
type Var struct {
	Name  string // the environment variable, such as DYNO
	SetBy string // who sets it, such as "Heroku"; "" for a generic one
}

// ReleaseVars are the variables [Release] reads, first match wins. RELEASE,
// set by the operator, comes before the platforms' own. The slice is shared:
// callers must not modify it.
var ReleaseVars = []Var{
	{"RELEASE", "the operator"},
	{"SOURCE_VERSION", "Heroku builds, many CI systems"},
	{"HEROKU_SLUG_COMMIT", "Heroku dyno metadata"},
	{"RENDER_GIT_COMMIT", "Render"},
	{"RAILWAY_GIT_COMMIT_SHA", "Railway"},
	{"FLY_IMAGE_REF", "Fly.io"},
	{"K_REVISION", "Cloud Run, Knative"},
}

// InstanceVars are the variables [Instance] reads, first match wins. The
// slice is shared: callers must not modify it.
var InstanceVars = []Var{
	{"DYNO", "Heroku"},
	{"POD_NAME", "Kubernetes, through the downward API"},
	{"FLY_ALLOC_ID", "Fly.io"},
	{"RENDER_INSTANCE_ID", "Render"},
	{"RAILWAY_REPLICA_ID", "Railway"},
	{"HOSTNAME", ""},
}

// ProcessTypeVars are the variables [ProcessType] reads, first match wins
// (DYNO only when it names a process type). The slice is shared: callers
// must not modify it.
var ProcessTypeVars = []Var{
	{"DYNO", "Heroku, the name before the dot"},
	{"FLY_PROCESS_GROUP", "Fly.io"},
	{"PROCESS_TYPE", "any platform or manifest"},
}

// Names returns the names of vars, in order.
func Names(vars []Var) []string {
	names := make([]string, len(vars))
	for i, v := range vars {
		names[i] = v.Name
	}
	return names
}

// List renders vars for documentation and help texts, in order, such as
// "DYNO (Heroku), ..., HOSTNAME".
func List(vars []Var) string {
	var b strings.Builder
	for i, v := range vars {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Name)
		if v.SetBy != "" {
			b.WriteString(" (" + v.SetBy + ")")
		}
	}
	return b.String()
}

// first returns the value of the first of vars that lookup finds set, or "".
func first(lookup func(string) string, vars []Var) string {
	for _, v := range vars {
		if s := lookup(v.Name); s != "" {
			return s
		}
	}
	return ""
}

// Release returns the value of the first of [ReleaseVars] that lookup finds
// set; else [Revision] of bi with "-dirty" for a modified tree, else bi's
// module version, else "".
func Release(lookup func(string) string, bi *debug.BuildInfo) string {
	if v := first(lookup, ReleaseVars); v != "" {
		return v
	}
	if rev, modified := Revision(bi); rev != "" {
		if modified {
			rev += "-dirty"
		}
		return rev
	}
	if bi != nil && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

// Revision returns the VCS revision bi records and whether the tree it was
// built from was modified; "" and false when bi is nil or records none.
func Revision(bi *debug.BuildInfo) (rev string, modified bool) {
	rev = Setting(bi, "vcs.revision")
	return rev, rev != "" && Setting(bi, "vcs.modified") == "true"
}

// Instance returns the value of the first of [InstanceVars] that lookup
// finds set, or "".
func Instance(lookup func(string) string) string {
	return first(lookup, InstanceVars)
}

// ProcessType returns the process type the platform started, or "": the
// name before the dot of Heroku's DYNO (web.1 -> web; one-off run.N dynos,
// scheduler.N and release.N give nothing), else the first of the other
// [ProcessTypeVars] that lookup finds set.
func ProcessType(lookup func(string) string) string {
	for _, v := range ProcessTypeVars {
		s := lookup(v.Name)
		if s == "" {
			continue
		}
		if v.Name != "DYNO" {
			return s
		}
		typ, _, _ := strings.Cut(s, ".")
		if typ != "run" && typ != "scheduler" && typ != "release" {
			return typ
		}
	}
	return ""
}

// Setting returns the value of a build setting such as vcs.revision, or ""
// when bi is nil or does not record it.
func Setting(bi *debug.BuildInfo, key string) string {
	if bi == nil {
		return ""
	}
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// Environ returns the process environment as one map, read once: the shape
// config, logging, backing and admin take. A name repeated in the
// environment keeps its first value, as os.Getenv reads it; an entry
// without '=' or with an empty name is left out. The map is the caller's.
func Environ() map[string]string {
	kvs := os.Environ()
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if _, dup := m[k]; !dup {
			m[k] = v
		}
	}
	return m
}
