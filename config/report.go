package config

import (
	"reflect"
	"slices"
	"sync"
)

// Report records where the values of a load came from, for [Explain]. Give a
// pointer to one to [Load] or [Parse] with [WithReport], then to Explain with
// the same option: Explain then shows what was loaded, even for a field tagged
// unset whose variable the load removed, without reading the environment or
// any file again. A Report holds no value, only sources and file paths. The
// zero value is ready to use; a Report is safe for concurrent use and must not
// be copied after first use.
type Report struct {
	mu       sync.Mutex
	loads    map[reportKey][]origin
	warnings map[reportKey][]string
}

type reportKey struct {
	t      reflect.Type
	prefix string
}

// origin is where one leaf's value came from.
type origin struct {
	source Source
	from   string // the file, for SourceFile and SourceDotEnv
}

func (r *Report) record(t reflect.Type, prefix string, o []origin, warnings []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loads == nil {
		r.loads = map[reportKey][]origin{}
	}
	r.loads[reportKey{t, prefix}] = o
	if len(warnings) > 0 {
		if r.warnings == nil {
			r.warnings = map[reportKey][]string{}
		}
		r.warnings[reportKey{t, prefix}] = warnings
	} else {
		delete(r.warnings, reportKey{t, prefix})
	}
}

// Warnings returns what the loads recorded in r read that still works but
// should change, one sentence each, sorted, each said once however many
// loads saw it: an old name of a variable (the envOld tag) read in place of
// its new name, or set beside the new name and ignored. A program logs them
// at start (admin does). A nil Report has none.
func (r *Report) Warnings() []string {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ws := range r.warnings {
		out = append(out, ws...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (r *Report) lookup(t reflect.Type, prefix string) ([]origin, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.loads[reportKey{t, prefix}]
	return o, ok
}

// sources says where each leaf's value comes from, as the load is about to
// read it: before caarlos0/env runs, so that a variable it unsets (the unset
// tag option) is still seen.
func (l *loader) sources() []origin {
	out := make([]origin, len(l.p.leaves))
	for i := range l.p.leaves {
		lf := &l.p.leaves[i]
		o := origin{source: SourceUnset}
		switch v := l.get(lf.key); {
		case l.fromFile[lf.key] != "":
			o = origin{source: SourceFile, from: l.fromFile[lf.key]}
		case v != "" && lf.fileOpt:
			o = origin{source: SourceFile, from: v}
		case v != "" && l.viaOld[lf.key] != "":
			old := l.viaOld[lf.key]
			o = origin{source: SourceEnv, from: "as " + old + ", a deprecated name"}
			if f := l.dotenvOf[old]; f != "" {
				o = origin{source: SourceDotEnv, from: f + ", as " + old + ", a deprecated name"}
			}
		case v != "" && l.dotenvOf[lf.key] != "":
			o = origin{source: SourceDotEnv, from: l.dotenvOf[lf.key]}
		case v != "":
			o.source = SourceEnv
		case lf.hasDef:
			o.source = SourceDefault
			if lf.fileOpt && lf.def != "" {
				o.from = lf.def
			}
		}
		if l.reported(i) {
			// A NAME_FILE that could not be read, a refused file path:
			// nothing was loaded into the field.
			o = origin{source: SourceUnset}
		}
		out[i] = o
	}
	return out
}
