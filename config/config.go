package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/caarlos0/env/v11"
	"github.com/twelvekit/twelvekit/internal/platform"
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
//   - a file named by NAME_FILE or the file option is read only when it is a
//     regular file within the limit of [WithFileLimit], so Parse returns
//     promptly whatever the path names;
//   - every problem is returned at once in a [*Error], in field order, and no
//     message quotes a variable's value or a file's content. A struct with a
//     mistake in it (a misspelt tag option, a field of a type nothing reads)
//     is reported with [ErrStruct], and every other field is still read.
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
	var s settings
	if len(opts) > 0 {
		s = newSettings(opts)
	} else {
		s.fileLimit = DefaultFileLimit
	}
	t := rv.Elem().Type()
	p := planFor(t, s.prefix).withDefaults(s.defaults)

	l := loader{p: p, s: s}
	for _, fe := range p.problems(s.parsers) {
		l.add(-1, -1, fe)
	}
	l.environ()
	if s.report != nil {
		s.report.record(t, s.prefix, l.sources(), l.warnings)
	}
	l.serviceDefaults()
	var err error
	if l.vars == nil && s.prefix == "" && len(s.parsers) == 0 {
		// The plain call: caarlos0/env reads the process environment
		// itself, and nothing else copies it.
		err = env.Parse(dst)
	} else {
		err = env.ParseWithOptions(dst, env.Options{Environment: l.vars, Prefix: s.prefix, FuncMap: l.funcMap()})
	}
	if err != nil {
		l.upstream(err)
	}
	l.requiredEmpty()
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

// serviceDefaults hands caarlos0/env the defaults of WithDefaults, which it
// cannot read from the tags: as the values of their variables when these
// are unset or empty and not read from a NAME_FILE. It runs after the
// sources are recorded, so the report still says "default".
func (l *loader) serviceDefaults() {
	for name, def := range l.s.defaults {
		if l.get(name) != "" || l.fromFile[name] != "" {
			continue
		}
		for i := range l.p.leaves {
			if lf := &l.p.leaves[i]; lf.key == name && !lf.nested && !l.reported(i) {
				l.own()
				l.vars[name] = def
				break
			}
		}
	}
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
	s        settings // a copy: a pointer would move the caller's to the heap
	problems []ranked
	// vars is the environment handed to caarlos0/env, or nil when that is
	// the process environment as it is: then nothing copies it, and single
	// variables are looked up with os.LookupEnv.
	vars     map[string]string
	owned    bool              // vars is a copy config may change
	anyFile  bool              // some variable of the environment given ends in _FILE
	anyEmpty bool              // some variable of the environment given is set to ""
	fromFile map[string]string // variable -> path of the NAME_FILE it was read from
	dotenvOf map[string]string // variable -> .env file it was read from
	viaOld   map[string]string // variable -> the old name (envOld) it was read from
	warnings []string          // deprecated names in use, for the Report
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

// lookup returns a variable of the environment being read.
func (l *loader) lookup(key string) (string, bool) {
	if l.vars == nil && !l.s.envSet {
		return os.LookupEnv(key)
	}
	v, ok := l.vars[key]
	return v, ok
}

func (l *loader) get(key string) string {
	v, _ := l.lookup(key)
	return v
}

// own makes vars a map config may add to: a copy of the caller's map or of
// the process environment, made at most once per call and only when a .env
// file, a NAME_FILE or a refused file path changes what caarlos0/env reads.
func (l *loader) own() {
	if l.owned {
		return
	}
	if l.vars == nil && !l.s.envSet {
		l.vars = processEnv()
	} else {
		l.vars = maps.Clone(l.vars)
		if l.vars == nil {
			l.vars = map[string]string{}
		}
	}
	l.owned = true
}

// environ assembles the variables to read: the process environment or the
// map given, then .env files for what neither sets, then NAME_FILE contents.
// Neither the caller's map nor the process environment is changed, and
// neither is copied unless something is added.
func (l *loader) environ() {
	s := &l.s
	if s.envSet {
		l.vars = s.env
		if l.vars == nil {
			l.vars, l.owned = map[string]string{}, true
		}
	}
	if len(l.p.fileKeys) > 0 || len(l.p.required) > 0 {
		l.anyFile, l.anyEmpty = l.scan()
	}
	if s.dotenvAny {
		files := l.readDotenv(s.dotenv)
		for _, f := range files {
			for k, v := range f.vars {
				if l.get(k) != "" || l.get(k+"_FILE") != "" {
					continue
				}
				if base, ok := strings.CutSuffix(k, "_FILE"); ok && l.get(base) != "" {
					continue
				}
				l.own()
				l.vars[k] = v
				l.anyFile = l.anyFile || strings.HasSuffix(k, "_FILE")
				if l.dotenvOf == nil {
					l.dotenvOf = map[string]string{}
				}
				l.dotenvOf[k] = f.path
			}
		}
	}
	l.renames()
	for _, i := range l.p.fileKeys {
		if !l.anyFile {
			break
		}
		lf := &l.p.leaves[i]
		if lf.nested && !l.p.visible(i, s.parsers) {
			continue
		}
		path := l.get(lf.fileKey)
		if path == "" {
			continue
		}
		if l.get(lf.key) != "" {
			l.addLeaf(i, &FieldError{
				Problem: "set together with " + lf.fileKey,
				Want:    "only one of " + lf.key + " and " + lf.fileKey + "; unset the other",
				Err:     ErrConflict,
			})
			continue
		}
		v, err := readValueFile(path, s.fileLimit)
		if err != nil {
			l.addLeaf(i, &FieldError{
				Problem: fileProblem(lf.fileKey, err),
				Want:    fileWant(err, s.fileLimit, pathWant(lf.fileKey, "a regular file holding the value of "+lf.key)+", or unset "+lf.fileKey),
				Err:     &fileError{cause: err},
			})
			continue
		}
		if t, ok := strings.CutSuffix(v, "\n"); ok {
			v = strings.TrimSuffix(t, "\r")
		}
		l.own()
		l.vars[lf.key] = v
		if l.fromFile == nil {
			l.fromFile = map[string]string{}
		}
		l.fromFile[lf.key] = path
	}
	// The file tag option: caarlos0/env reads the file itself, without a
	// bound. A path (or a default path) that is not a small regular file is
	// reported here and replaced by the null device, which reads as empty at
	// once, so that caarlos0/env never opens a pipe or a device.
	for _, i := range l.p.fileOpts {
		lf := &l.p.leaves[i]
		path := l.get(lf.key)
		if path == "" && lf.hasDef {
			path = lf.def
		}
		if path == "" {
			continue
		}
		st, err := os.Stat(path)
		if err == nil {
			err = checkKind(st, s.fileLimit)
		}
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			continue // caarlos0/env reads it, or reports it missing
		}
		l.addLeaf(i, &FieldError{
			Problem: fileProblem(lf.key, err),
			Want:    fileWant(err, s.fileLimit, pathWant(lf.key, "a regular file")),
			Err:     &fileError{cause: err},
		})
		l.own()
		l.vars[lf.key] = os.DevNull
	}
}

// scan looks once at the environment given (before anything is added to
// it) and reports whether any variable's name ends in _FILE and whether any
// is set to "", so that the common environment with neither costs one pass
// over names instead of a lookup per field for NAME_FILE twins and required
// variables.
func (l *loader) scan() (anyFile, anyEmpty bool) {
	if l.vars == nil && !l.s.envSet {
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			anyFile = anyFile || strings.HasSuffix(k, "_FILE")
			anyEmpty = anyEmpty || v == ""
		}
		return anyFile, anyEmpty
	}
	for k, v := range l.vars {
		anyFile = anyFile || strings.HasSuffix(k, "_FILE")
		anyEmpty = anyEmpty || v == ""
	}
	return anyFile, anyEmpty
}

// fileWant says how to mend a file that could not be read.
func fileWant(err error, limit int64, want string) string {
	if errors.Is(err, errTooLarge) {
		return "a file of at most " + byteSize(limit) + " (see config.WithFileLimit), or unset the variable"
	}
	return want
}

// fileError is the Err of a problem with a file: it is [ErrFile] for
// errors.Is and unwraps to the cause.
type fileError struct{ cause error }

func (e *fileError) Error() string        { return ErrFile.Error() }
func (e *fileError) Is(target error) bool { return target == ErrFile }
func (e *fileError) Unwrap() error        { return e.cause }

// invalidError is the Err of a value that did not parse: it is [ErrInvalid]
// for errors.Is, and unwraps to the parser's own error, which may quote the
// value and so is never part of a message.
type invalidError struct{ cause error }

func (e *invalidError) Error() string        { return ErrInvalid.Error() }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }
func (e *invalidError) Unwrap() error        { return e.cause }

// funcMap returns the parsers registered with WithParser in caarlos0/env's
// form, or nil.
func (l *loader) funcMap() map[reflect.Type]env.ParserFunc {
	if len(l.s.parsers) == 0 {
		return nil
	}
	m := make(map[reflect.Type]env.ParserFunc, len(l.s.parsers))
	for t, p := range l.s.parsers {
		m[t] = p.fn
	}
	return m
}

// processEnv is the process environment as a map (see platform.Environ).
func processEnv() map[string]string { return platform.Environ() }

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
func (l *loader) upstream(err error) {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		l.add(-1, 1<<30, &FieldError{Problem: "cannot be loaded", Err: &invalidError{cause: err}})
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
			problem := l.emptyProblem(e.Key)
			if _, set := l.lookup(e.Key); !set {
				problem = "required but not set"
			}
			l.addKeyed(i, e.Key, &FieldError{Problem: problem, Want: l.missingWant(i), Err: ErrMissing})
		case env.LoadFileContentError:
			i := l.leafByKey(e.Key)
			l.addKeyed(i, e.Key, &FieldError{
				Problem: fileProblem(e.Key, e.Err),
				Want:    pathWant(e.Key, "a readable file"),
				Err:     &fileError{cause: e.Err},
			})
		case env.ParseError:
			i := l.leafByField(e.Name, e.Type, next)
			if i < 0 {
				l.add(-1, 1<<30, &FieldError{Field: e.Name, Problem: "not a valid " + e.Type.String(), Err: &invalidError{cause: e.Err}})
				continue
			}
			next = i + 1
			problem, want := l.parseProblem(&l.p.leaves[i], e.Err)
			l.addLeaf(i, &FieldError{Problem: problem, Want: want, Err: &invalidError{cause: e.Err}})
		case env.NoParserError:
			if i := l.leafByField(e.Name, e.Type, 0); i >= 0 && l.p.leaves[i].kind.unsupported && !l.p.leaves[i].nested {
				continue // reported from the plan
			}
			if i := l.leafByField(e.Name, e.Type, 0); i >= 0 && l.p.leaves[i].nested {
				lf := &l.p.leaves[i]
				l.addLeaf(i, &FieldError{
					Problem: "set, but it names a struct (" + lf.typ.String() + "), whose fields have variables of their own",
					Want:    "unset " + lf.key + " and set the variables of the struct's fields",
					Err:     ErrInvalid,
				})
				continue
			}
			l.add(-1, 1<<30, &FieldError{Field: e.Name, Problem: "config cannot read a field of type " + e.Type.String(), Err: ErrStruct})
		case env.NoSupportedTagOptionError:
			// Reported from the plan, with the field's name.
		default:
			// Tag and type problems are caught by the plan before parsing;
			// anything else is reported without its words, which may
			// quote a value.
			l.add(-1, 1<<30, &FieldError{Problem: "cannot be loaded", Err: &invalidError{cause: e}})
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
	if _, ok := l.fromFile[key]; ok {
		return "empty: the file that " + key + "_FILE names is empty"
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
func (l *loader) requiredEmpty() {
	if !l.anyEmpty && !l.owned {
		// Nothing was set to "" and config added nothing.
		return
	}
	for _, i := range l.p.required {
		lf := &l.p.leaves[i]
		if lf.hasDef || lf.notEmpty {
			continue
		}
		if v, ok := l.lookup(lf.key); !ok || v != "" || l.reported(i) {
			continue
		}
		l.addLeaf(i, &FieldError{Problem: l.emptyProblem(lf.key), Want: l.missingWant(i), Err: ErrMissing})
	}
}

// describer is an error that words itself for the report without quoting
// the value, for packages that do not import config (see [Validator]).
type describer interface {
	error
	Problem() string
	Want() string
}

// varDescriber is a describer that names the variable it is about, without
// prefixes (see [Validator]).
type varDescriber interface {
	describer
	EnvVar() string
}

// parseProblem words a value that did not parse from the field's type alone:
// the parser's own message, which often quotes the value, is never used. A
// type's UnmarshalText may return a [*FieldError] to choose the words itself.
func (l *loader) parseProblem(lf *leaf, err error) (problem, want string) {
	k := lf.kind
	if p, ok := parserFor(lf.typ, l.s.parsers); ok && !k.text {
		if lf.typ.Kind() != reflect.Slice {
			return "not a valid " + k.words, p.want
		}
		return "not a valid " + k.words, "one or more items separated by " + strconv.Quote(lf.sep) + ", each " + p.want
	}
	if k.text {
		var own *FieldError
		if errors.As(err, &own) && own.Problem != "" {
			return own.Problem, own.Want
		}
		var d describer
		if errors.As(err, &d) && d.Problem() != "" {
			return d.Problem(), d.Want()
		}
		return "not a valid " + k.words, k.want
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
			var named varDescriber
			if errors.As(e, &named) && named.EnvVar() != "" && named.Problem() != "" {
				fe = &FieldError{Var: vn.prefix + named.EnvVar(), Field: vn.path,
					Problem: named.Problem(), Want: named.Want(), Err: e}
			} else if errors.As(e, &own) {
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
