package admin

import (
	"errors"
	"os"
	"reflect"
	"strings"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/platform"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// snapshot returns the environment of one run: the map of WithEnvironment
// (nil is an empty environment), or the process environment read once.
// Every parse, built-in and logger of the run reads this one map, which
// nothing changes after it is made.
func snapshot(s *settings) map[string]string {
	if s.envSet {
		if s.env == nil {
			return map[string]string{}
		}
		return s.env
	}
	return platform.Environ()
}

func (r *run) lookup(name string) string { return r.env[name] }

// configOptions are the options of every parse of the run: the App's, then
// the snapshot, and the report of the sources when one is kept.
func (r *run) configOptions() []config.Option {
	opts := append(make([]config.Option, 0, len(r.s.configOpts)+3), r.s.configOpts...)
	opts = append(opts, config.WithEnvironment(r.env))
	if r.report != nil {
		opts = append(opts, config.WithReport(r.report))
	}
	return opts
}

// A part is one struct a command reads: its config, or the logging or
// lifecycle settings when that config holds none.
type part struct {
	ptr any // pointer to the struct
	// prefix is the envPrefix of the fields above ptr when ptr points inside
	// the App's config; prefixed says it applies.
	prefix   string
	prefixed bool
	// skip is the Go path of a field whose problems the command does not
	// read (the lifecycle settings, for a task), "" for none.
	skip string
}

// reads is what one command reads: its parts, and where among them its
// logging and lifecycle settings are.
type reads struct {
	parts     []part
	cfg       any // the command's config: its own, or the App's; nil for none
	logging   *logging.Config
	lifecycle *lifecycle.Config // nil for commands other than process types
}

// readsOf returns what command c reads. A nil c (the version built-in)
// reads nothing; a built-in that reads the App's config is given as a
// command without a config of its own.
func (r *run) readsOf(c *command) *reads {
	rd := &reads{}
	if c == nil {
		rd.logging = &logging.Config{}
		return rd
	}
	rd.cfg = c.cfg
	if rd.cfg == nil {
		rd.cfg = r.app.cfg
	}
	if rd.cfg != nil {
		p := r.partOf(rd.cfg)
		if c.kind == kindTask && c.cfg == nil {
			// A task runs no group: a bad PORT must not stop it.
			if _, path, ok := findField[lifecycle.Config](rd.cfg); ok {
				p.skip = path
			}
		}
		rd.parts = append(rd.parts, p)
	}
	rd.logging = findOrAdd[logging.Config](r, rd, c)
	if c.kind == kindProcess {
		rd.lifecycle = findOrAdd[lifecycle.Config](r, rd, c)
	}
	return rd
}

// findOrAdd returns the T that c's config holds; else, for a command with
// its own config, the T the App's config holds, added as a part; else a new
// T, added as a part.
func findOrAdd[T any](r *run, rd *reads, c *command) *T {
	if t, _, ok := findField[T](rd.cfg); ok {
		return t
	}
	if c.cfg != nil {
		if t, _, ok := findField[T](r.app.cfg); ok {
			rd.parts = append(rd.parts, r.partOf(t))
			return t
		}
	}
	t := new(T)
	rd.parts = append(rd.parts, part{ptr: t})
	return t
}

// partOf returns the part for ptr, with the envPrefix tags of the fields
// above it when it points inside the App's config.
func (r *run) partOf(ptr any) part {
	if prefix, ok := prefixIn(r.app.cfg, ptr); ok && prefix != "" {
		return part{ptr: ptr, prefix: prefix, prefixed: true}
	}
	return part{ptr: ptr}
}

// options returns the config options that read p.
func (r *run) options(p part) []config.Option {
	opts := r.configOptions()
	if p.prefixed {
		opts = append(opts, config.WithPrefix(r.userPrefix()+p.prefix))
	}
	return opts
}

// userPrefix returns the prefix that the App's config options give, found
// by describing a struct of one variable with them.
func (r *run) userPrefix() string {
	type one struct {
		X string `env:"X"`
	}
	doc, err := config.Describe(one{}, r.s.configOpts...)
	if err != nil || len(doc.Vars) != 1 {
		return ""
	}
	return strings.TrimSuffix(doc.Vars[0].Name, "X")
}

// load parses every part of rd from the snapshot and returns every problem
// of the parts the command reads, in one *config.Error when they are all
// config problems.
func (r *run) load(rd *reads) error {
	var problems []*config.FieldError
	var other []error
	for _, p := range rd.parts {
		err := config.Parse(p.ptr, r.options(p)...)
		if err == nil {
			continue
		}
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			other = append(other, err)
			continue
		}
		for _, fe := range cerr.Problems {
			if p.skip != "" && (fe.Field == p.skip || strings.HasPrefix(fe.Field, p.skip+".")) {
				continue
			}
			problems = append(problems, fe)
		}
	}
	if len(problems) > 0 {
		other = append([]error{&config.Error{Problems: problems}}, other...)
	}
	return errors.Join(other...)
}

// describe documents every variable of rd's parts, each once.
func (r *run) describe(rd *reads) (config.Doc, error) {
	var doc config.Doc
	seen := map[string]bool{}
	for _, p := range rd.parts {
		d, err := config.Describe(p.ptr, r.options(p)...)
		if err != nil {
			return config.Doc{}, err
		}
		for _, v := range d.Vars {
			if !seen[v.Name] {
				seen[v.Name] = true
				doc.Vars = append(doc.Vars, v)
			}
		}
	}
	return doc, nil
}

// logger returns the run's logger: WithLogger's, or one built from lc after
// the WithLogging hooks have seen the command's config, writing to the
// run's stdout, with the platform's fields from the snapshot.
func (r *run) logger(cfg any, lc *logging.Config) *zap.Logger {
	if r.s.log != nil {
		return r.s.log
	}
	lcfg := *lc
	for _, h := range r.s.logHooks {
		h.derive(cfg, &lcfg)
	}
	if lcfg.Service == "" {
		lcfg.Service = r.app.name
	}
	log := logging.New(lcfg, logging.WithWriter(r.stdout), logging.WithEnvironment(r.env))
	if !r.s.envSet && platform.Instance(r.lookup) == "" {
		// logging falls back to the host name only when it reads the
		// process environment itself; the snapshot is that environment.
		if h, err := os.Hostname(); err == nil && h != "" {
			log = log.With(zap.String("instance", h))
		}
	}
	return log
}

// findField returns the first field of type T in the struct cfg points to,
// and its Go path, searching fields in order and nested structs depth first.
// Pointers are not followed, so the walk ends: a struct cannot hold itself
// by value.
func findField[T any](cfg any) (*T, string, bool) {
	v, ok := structPtr(cfg)
	if !ok {
		return nil, "", false
	}
	want := reflect.TypeFor[T]()
	var walk func(v reflect.Value, path string) (*T, string, bool)
	walk = func(v reflect.Value, path string) (*T, string, bool) {
		if v.Type() == want {
			return v.Addr().Interface().(*T), path, true
		}
		if v.Kind() != reflect.Struct {
			return nil, "", false
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				p := f.Name
				if path != "" {
					p = path + "." + f.Name
				}
				if t, tp, ok := walk(v.Field(i), p); ok {
					return t, tp, true
				}
			}
		}
		return nil, "", false
	}
	return walk(v.Elem(), "")
}

// prefixIn reports whether ptr points to root's struct or to a struct field
// inside it, and returns the envPrefix tags of the fields on the way.
func prefixIn(root, ptr any) (string, bool) {
	rv, ok := structPtr(root)
	if !ok {
		return "", false
	}
	pv, ok := structPtr(ptr)
	if !ok {
		return "", false
	}
	target, typ := pv.Pointer(), pv.Type().Elem()
	var walk func(v reflect.Value, prefix string) (string, bool)
	walk = func(v reflect.Value, prefix string) (string, bool) {
		if v.Type() == typ && v.Addr().Pointer() == target {
			return prefix, true
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() && f.Type.Kind() == reflect.Struct {
				if p, ok := walk(v.Field(i), prefix+f.Tag.Get("envPrefix")); ok {
					return p, true
				}
			}
		}
		return "", false
	}
	return walk(rv.Elem(), "")
}

func structPtr(p any) (reflect.Value, bool) {
	if p == nil {
		return reflect.Value{}, false
	}
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return v, true
}
