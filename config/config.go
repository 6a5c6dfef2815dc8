package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"
)

// Load reads the environment into a new T, which must be a struct, and
// returns it with every problem found; see [Parse] for the rules. On error the
// returned value holds what could be read, so a program can still show it.
func Load[T any](opts ...Option) (T, error) {
	var cfg T
	err := Parse(&cfg, opts...)
	return cfg, err
}

// Parse reads the environment into the struct dst points to, with
// github.com/caarlos0/env/v11 and its tags: env:"NAME" names a variable
// (with the options required, notEmpty, file, expand, unset and init),
// envDefault:"..." gives its default, envPrefix:"DB_" prefixes the variables
// of a nested struct, envSeparator:";" splits lists. Config adds:
//
//   - desc:"..." describes a variable for [Describe];
//   - an empty value is the same as no value: the default applies, and a
//     required variable set to "" is reported as empty;
//   - NAME_FILE: when NAME is unset or empty and NAME_FILE is set, the content
//     of the file it names, less one trailing newline, is NAME's value; setting
//     both is an error. This does not apply when the struct itself declares a
//     variable called NAME_FILE;
//   - after reading, the Validate method of the struct and of every nested
//     struct that has one is called (see [Validator]);
//   - every problem is returned at once in a [*Error], in field order, and no
//     message quotes a variable's value.
//
// A field that already holds a value keeps it unless its variable is set or
// has a default. Parse reads the process environment unless
// [WithEnvironment] is given, and .env files only with [WithDotEnv]. It never
// changes the process environment (except for fields tagged with the unset
// option, which caarlos0/env removes from it) and is safe to call from several
// goroutines at once.
func Parse(dst any, opts ...Option) error {
	rv := reflect.ValueOf(dst)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &Error{Problems: []*FieldError{{
			Problem: fmt.Sprintf("Parse needs a non-nil pointer to a struct, not %s", typeName(dst)),
			Want:    "a pointer to your config struct, such as &cfg",
			Err:     ErrStruct,
		}}}
	}
	s := newSettings(opts)
	p := planFor(rv.Elem().Type(), s.prefix)
	if p.err != nil {
		return p.err
	}

	l := loader{p: p}
	vars := l.environ(&s)
	if err := env.ParseWithOptions(dst, env.Options{Environment: vars, Prefix: s.prefix}); err != nil {
		l.upstream(err, vars)
	}
	l.requiredEmpty(vars)
	l.validate(rv.Elem())
	if len(l.problems) == 0 {
		return nil
	}
	slices.SortStableFunc(l.problems, func(a, b ranked) int { return a.rank - b.rank })
	out := &Error{Problems: make([]*FieldError, len(l.problems))}
	for i, r := range l.problems {
		out.Problems[i] = r.fe
	}
	return out
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// loader gathers the problems of one Parse call. A problem's rank orders the
// report: 2*i for leaf i, 2*last-1 for a Validate of a struct whose leaves end
// before last, and -1 for a problem of the whole call.
type loader struct {
	p        *plan
	problems []ranked
	fromFile map[string]string // variable -> path of the NAME_FILE it was read from
}

type ranked struct {
	rank int
	leaf int
	fe   *FieldError
}

func (l *loader) add(leaf, rank int, fe *FieldError) {
	l.problems = append(l.problems, ranked{rank: rank, leaf: leaf, fe: fe})
}

// addLeaf reports a problem with leaf i, unless one is reported already: a
// NAME_FILE that cannot be read also leaves NAME unset, and the first problem
// is the one to fix.
func (l *loader) addLeaf(i int, fe *FieldError) {
	if l.reported(i) {
		return
	}
	lf := &l.p.leaves[i]
	fe.Var, fe.Field = lf.key, lf.path
	l.add(i, 2*i, fe)
}

func (l *loader) reported(i int) bool {
	for _, r := range l.problems {
		if r.leaf == i {
			return true
		}
	}
	return false
}

// environ assembles the variables to read: the process environment or the
// map given, then .env files for what neither sets, then NAME_FILE contents.
// The caller's map is copied before anything is added to it.
func (l *loader) environ(s *settings) map[string]string {
	vars, owned := s.env, false
	if !s.envSet {
		vars, owned = processEnv(), true
	} else if vars == nil {
		vars, owned = map[string]string{}, true
	}
	if s.dotenvAny {
		files := l.readDotenv(s.dotenv)
		if len(files) > 0 && !owned {
			vars, owned = maps.Clone(vars), true
		}
		for _, f := range files {
			for k, v := range f {
				if vars[k] != "" || vars[k+"_FILE"] != "" {
					continue
				}
				if base, ok := strings.CutSuffix(k, "_FILE"); ok && vars[base] != "" {
					continue
				}
				vars[k] = v
			}
		}
	}
	for i := range l.p.leaves {
		lf := &l.p.leaves[i]
		if lf.fileKey == "" {
			continue
		}
		path := vars[lf.fileKey]
		if path == "" {
			continue
		}
		if vars[lf.key] != "" {
			l.addLeaf(i, &FieldError{
				Problem: "set together with " + lf.fileKey,
				Want:    "only one of " + lf.key + " and " + lf.fileKey + "; unset the other",
				Err:     ErrConflict,
			})
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			l.addLeaf(i, &FieldError{
				Problem: fmt.Sprintf("cannot read %s, the file named by %s: %s", path, lf.fileKey, reason(err)),
				Want:    "a readable file holding the value, or unset " + lf.fileKey,
				Err:     ErrFile,
			})
			continue
		}
		if !owned {
			vars, owned = maps.Clone(vars), true
		}
		v := string(b)
		if t, ok := strings.CutSuffix(v, "\n"); ok {
			v = strings.TrimSuffix(t, "\r")
		}
		vars[lf.key] = v
		if l.fromFile == nil {
			l.fromFile = map[string]string{}
		}
		l.fromFile[lf.key] = path
	}
	return vars
}

func processEnv() map[string]string {
	environ := os.Environ()
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// reason returns the cause of a file error without the path that os adds.
func reason(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// upstream turns caarlos0/env's errors into FieldErrors. Its errors come in
// field order and its parse errors name the Go field but not the variable, so
// each is matched to the next leaf of the plan with that field name and type.
func (l *loader) upstream(err error, vars map[string]string) {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		l.add(-1, -1, &FieldError{Problem: err.Error(), Err: ErrInvalid})
		return
	}
	next := 0
	for _, e := range agg.Errors {
		switch e := e.(type) {
		case env.VarIsNotSetError:
			i := l.leafByKey(e.Key)
			l.addKeyed(i, e.Key, &FieldError{Problem: "required but not set", Want: l.missingWant(i), Err: ErrMissing})
		case env.EmptyVarError:
			i := l.leafByKey(e.Key)
			l.addKeyed(i, e.Key, &FieldError{Problem: l.emptyProblem(e.Key), Want: l.missingWant(i), Err: ErrMissing})
		case env.LoadFileContentError:
			i := l.leafByKey(e.Key)
			l.addKeyed(i, e.Key, &FieldError{
				Problem: fmt.Sprintf("cannot read %s, the file it names: %s", e.Filename, reason(e.Err)),
				Want:    "the path of a readable file",
				Err:     ErrFile,
			})
		case env.ParseError:
			i := l.leafByField(e.Name, e.Type, next)
			if i < 0 {
				l.add(-1, 1<<30, &FieldError{Field: e.Name, Problem: "not a valid " + e.Type.String(), Err: ErrInvalid})
				continue
			}
			next = i + 1
			problem, want := parseProblem(&l.p.leaves[i], e.Err, vars)
			l.addLeaf(i, &FieldError{Problem: problem, Want: want, Err: ErrInvalid})
		default:
			// Tag and type problems are caught by the plan before parsing;
			// anything else is reported as caarlos0/env words it.
			l.add(-1, 1<<30, &FieldError{Problem: e.Error(), Err: ErrStruct})
		}
	}
}

func (l *loader) addKeyed(i int, key string, fe *FieldError) {
	if i < 0 {
		fe.Var = key
		l.add(-1, 1<<30, fe)
		return
	}
	l.addLeaf(i, fe)
}

func (l *loader) leafByKey(key string) int {
	for i := range l.p.leaves {
		if l.p.leaves[i].key == key {
			return i
		}
	}
	return -1
}

func (l *loader) leafByField(name string, t reflect.Type, from int) int {
	for i := from; i < len(l.p.leaves); i++ {
		if lf := &l.p.leaves[i]; lf.name == name && lf.typ == t {
			return i
		}
	}
	return -1
}

func (l *loader) emptyProblem(key string) string {
	if path, ok := l.fromFile[key]; ok {
		return "empty: " + path + ", the file named by " + key + "_FILE, is empty"
	}
	return "set but empty"
}

func (l *loader) missingWant(i int) string {
	if i < 0 {
		return ""
	}
	lf := &l.p.leaves[i]
	var w string
	switch {
	case lf.secret && lf.fileKey != "":
		w = "a secret value; set " + lf.key + ", or " + lf.fileKey + " to a file holding it"
	case lf.kind.want != "":
		w = lf.kind.want
	default:
		w = "a " + lf.kind.words + " value"
	}
	if lf.desc != "" {
		w += " (" + lf.desc + ")"
	}
	return w
}

// requiredEmpty reports required variables set to "" that have no default:
// caarlos0/env counts them as set, config counts them as missing.
func (l *loader) requiredEmpty(vars map[string]string) {
	for _, i := range l.p.required {
		lf := &l.p.leaves[i]
		if v, ok := vars[lf.key]; !ok || v != "" || lf.hasDef || l.reported(i) {
			continue
		}
		l.addLeaf(i, &FieldError{Problem: l.emptyProblem(lf.key), Want: l.missingWant(i), Err: ErrMissing})
	}
}

// parseProblem words a value that did not parse, from the field's type alone
// or from the error of the type's own UnmarshalText with the value removed.
func parseProblem(lf *leaf, err error, vars map[string]string) (problem, want string) {
	k := lf.kind
	if k.text {
		if lf.secret || lf.typ == timeType || lf.typ == reflect.PointerTo(timeType) {
			// time's messages quote parts of the value, which scrub
			// cannot find; say only what was expected.
			return "not a valid " + k.words, k.want
		}
		raw := vars[lf.key]
		if raw == "" {
			raw = lf.def
		}
		return "not a valid " + k.words + ": " + scrub(err.Error(), raw, lf.sep), k.want
	}
	var ne *strconv.NumError
	if errors.As(err, &ne) && errors.Is(ne.Err, strconv.ErrRange) {
		if k.bits > 0 {
			return "out of range", k.rangeWant()
		}
		return "out of range", k.want
	}
	if k.words == "boolean" {
		return "not true or false", "true or false (also 1 or 0)"
	}
	return "not " + article(k.words), k.want
}

func article(w string) string {
	switch w[0] {
	case 'a', 'e', 'i', 'o':
		return "an " + w
	}
	return "a " + w
}

// scrub removes a value, and each item of it when it is a list, from a message
// written by code outside config, so the message can be shown without it.
func scrub(msg, raw, sep string) string {
	cands := []string{raw}
	if sep != "" && strings.Contains(raw, sep) {
		cands = append(cands, strings.Split(raw, sep)...)
	}
	// Longest first, so a value is removed before its parts.
	slices.SortFunc(cands, func(a, b string) int { return len(b) - len(a) })
	for _, c := range cands {
		if c == "" {
			continue
		}
		msg = strings.ReplaceAll(msg, strconv.Quote(c), `"…"`)
		msg = strings.ReplaceAll(msg, "'"+c+"'", `'…'`)
		if len(c) >= 4 {
			msg = strings.ReplaceAll(msg, c, "…")
		}
	}
	return msg
}

// validate calls the Validate methods, innermost first, of the structs none
// of whose own fields is already reported.
func (l *loader) validate(root reflect.Value) {
	for _, vn := range l.p.validators {
		// Skip it when one of the struct's own fields is wrong: Validate
		// would read a zero value there. A wrong field of a nested struct
		// does not stop it, so every problem is still reported at once.
		bad := false
		for _, r := range l.problems {
			if r.leaf >= vn.first && r.leaf < vn.last && len(l.p.leaves[r.leaf].index) == len(vn.index)+1 {
				bad = true
				break
			}
		}
		if bad {
			continue
		}
		sv, ok := structAt(root, vn.index)
		if !ok {
			continue
		}
		err := sv.Addr().Interface().(Validator).Validate()
		if err == nil {
			continue
		}
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			if e == nil {
				continue
			}
			fe := &FieldError{Field: vn.path, Problem: e.Error(), Err: e}
			var own *FieldError
			if errors.As(e, &own) {
				c := *own
				if c.Var != "" {
					c.Var = vn.prefix + c.Var
				}
				if c.Field == "" {
					c.Field = vn.path
				}
				if c.Err == nil {
					c.Err = e
				}
				fe = &c
			}
			l.add(-1, 2*vn.last-1, fe)
		}
	}
}

// structAt follows a field index path through pointers; it reports false when
// a pointer on the way is nil.
func structAt(v reflect.Value, index []int) (reflect.Value, bool) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return reflect.Value{}, false
		}
		v = v.Elem()
	}
	return v, true
}
