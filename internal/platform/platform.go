// Package platform reads what the hosting platform says about the running
// process: its release, its instance and its process type. logging puts the
// first two on every event; admin prints them and chooses a process type.
package platform

import (
	"runtime/debug"
	"strings"
)

// Release returns the first of these variables that lookup finds set:
// RELEASE (set by the operator) wins over the platforms' own; else the VCS
// revision bi records (with -dirty for a modified tree), else bi's module
// version, else "".
func Release(lookup func(string) string, bi *debug.BuildInfo) string {
	for _, name := range [...]string{
		"RELEASE",
		"SOURCE_VERSION",         // Heroku builds, many CI systems
		"HEROKU_SLUG_COMMIT",     // Heroku dyno metadata
		"RENDER_GIT_COMMIT",      // Render
		"RAILWAY_GIT_COMMIT_SHA", // Railway
		"FLY_IMAGE_REF",          // Fly.io
		"K_REVISION",             // Cloud Run, Knative
	} {
		if v := lookup(name); v != "" {
			return v
		}
	}
	return buildRelease(bi)
}

// Instance returns the first of these variables that lookup finds set, or "".
func Instance(lookup func(string) string) string {
	for _, name := range [...]string{
		"DYNO",               // Heroku
		"POD_NAME",           // Kubernetes, through the downward API
		"FLY_ALLOC_ID",       // Fly.io
		"RENDER_INSTANCE_ID", // Render
		"RAILWAY_REPLICA_ID", // Railway
		"HOSTNAME",
	} {
		if v := lookup(name); v != "" {
			return v
		}
	}
	return ""
}

func buildRelease(bi *debug.BuildInfo) string {
	if bi == nil {
		return ""
	}
	if rev := Setting(bi, "vcs.revision"); rev != "" {
		if Setting(bi, "vcs.modified") == "true" {
			rev += "-dirty"
		}
		return rev
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return ""
}

// ProcessType returns the process type the platform started, or "": the
// name before the dot of Heroku's DYNO (web.1 -> web; one-off run.N dynos
// and scheduler.N give ""), Fly.io's FLY_PROCESS_GROUP, or PROCESS_TYPE,
// which any platform or manifest can set.
func ProcessType(lookup func(string) string) string {
	if d := lookup("DYNO"); d != "" {
		typ, _, _ := strings.Cut(d, ".")
		if typ != "run" && typ != "scheduler" && typ != "release" {
			return typ
		}
	}
	if v := lookup("FLY_PROCESS_GROUP"); v != "" {
		return v
	}
	return lookup("PROCESS_TYPE")
}

// Setting returns the value of a build setting such as vcs.revision.
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
