package config

import (
	"encoding"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A plan is what config knows about a struct type before reading any value:
// every variable it reads, in the order caarlos0/env visits them, and every
// struct with a Validate method. Plans are built once per type and prefix and
// cached, like encoding/json caches its encoders; the cache holds no value read
// from any environment.
type plan struct {
	leaves     []leaf
	required   []int // indexes into leaves
	fileOpts   []int // leaves with the file tag option
	fileKeys   []int // leaves whose NAME_FILE twin applies
	validators []validatorNode
	// errs are programming errors in the struct (a misspelt tag option):
	// reported by every load, which still reads every other field.
	errs []*FieldError
	// unsupported lists the leaves of a type config cannot read unless a
	// parser is registered for it with WithParser.
	unsupported []int
}

// leaf is one variable read into one field.
type leaf struct {
	index    []int // field index path from the root struct
	path     string
	name     string // the Go field name, as caarlos0/env reports it
	typ      reflect.Type
	key      string // full variable name, prefixes included
	fileKey  string // key + "_FILE", or "" when the struct reads that itself
	def      string
	hasDef   bool
	required bool // required or notEmpty
	notEmpty bool
	fileOpt  bool // the file tag option: the value is a path to read
	// nested: the field is a struct (or a pointer to one) that also names a
	// variable (`env:"FOO" envPrefix:"FOO_"`). caarlos0/env reads that
	// variable, which is an error when set unless a parser is registered
	// for the type, and then the struct's own fields.
	nested bool
	secret bool
	// public: the public:"true" tag, the team's word that the value is
	// no credential, so that Explain and Describe print it as it is.
	public bool
	desc   string
	sep    string
	kind   typeInfo
	// old are the deprecated names the leaf still reads (the envOld tag),
	// prefixes included.
	old []string
	// contract is what the type says about the values, for tools.
	contract contract
}

// validatorNode is a struct, the root included, whose pointer has a Validate
// method; first and last bound the leaves inside it.
type validatorNode struct {
	index       []int
	path        string
	prefix      string
	first, last int
}

// Validator is implemented by config structs that check their values as a
// whole after every variable has been read. [Load] and [Parse] call Validate
// on the root struct and on every nested struct that implements it, innermost
// first, and add what it returns to the same report. Validate is skipped for a
// struct one of whose own fields is already reported as wrong (it would see a
// zero value there); a wrong field of a nested struct does not skip it.
//
// Return a [*FieldError] (or several, joined with errors.Join) whose Var is the
// variable's name without prefixes to point at one variable: the prefixes of
// the enclosing structs are added for you. Any other error is reported against
// the struct.
//
// A package that does not import config can do the same with its own error
// type: an error with the methods EnvVar() string (the variable's name
// without prefixes), Problem() string and Want() string is reported as that
// variable's problem, prefixes added, with those words. lifecycle.Config
// does this. Likewise, an error returned by a field type's UnmarshalText
// that has Problem() and Want() methods is reported with its own words
// (logging.Level does this); neither may quote the value.
type Validator interface {
	Validate() error
}

var (
	plans sync.Map // planKey -> *plan

	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	validatorType       = reflect.TypeFor[Validator]()
	secretType          = reflect.TypeFor[Secret]()
	durationType        = reflect.TypeFor[time.Duration]()
	urlType             = reflect.TypeFor[url.URL]()
	locationType        = reflect.TypeFor[time.Location]()
	timeType            = reflect.TypeFor[time.Time]()
	addrType            = reflect.TypeFor[netip.Addr]()
	prefixType          = reflect.TypeFor[netip.Prefix]()
	addrPortType        = reflect.TypeFor[netip.AddrPort]()
	ipType              = reflect.TypeFor[net.IP]()
	levelType           = reflect.TypeFor[slog.Level]()
)

type planKey struct {
	t      reflect.Type
	prefix string
}

// planFor returns the cached plan of t with prefix, building it on first use.
// Two goroutines may build the same plan at once; one of them is kept.
// withDefaults returns p with the service's defaults of [WithDefaults] in
// place of the envDefault tags of the leaves they name; p itself (shared
// through planFor's cache) is not changed.
func (p *plan) withDefaults(defaults map[string]string) *plan {
	if len(defaults) == 0 {
		return p
	}
	var q *plan
	for i := range p.leaves {
		def, ok := defaults[p.leaves[i].key]
		if !ok || p.leaves[i].nested {
			continue
		}
		if q == nil {
			c := *p
			c.leaves = slices.Clone(p.leaves)
			q = &c
		}
		q.leaves[i].def, q.leaves[i].hasDef = def, true
	}
	if q == nil {
		return p
	}
	return q
}

func planFor(t reflect.Type, prefix string) *plan {
	k := planKey{t, prefix}
	if v, ok := plans.Load(k); ok {
		return v.(*plan)
	}
	v, _ := plans.LoadOrStore(k, buildPlan(t, prefix))
	return v.(*plan)
}

func buildPlan(t reflect.Type, prefix string) *plan {
	w := walker{p: &plan{}}
	w.walk(t, nil, "", prefix, []reflect.Type{t})
	w.p.errs = w.errs
	declared := make(map[string]bool, len(w.p.leaves))
	for _, l := range w.p.leaves {
		declared[l.key] = true
	}
	for i := range w.p.leaves {
		l := &w.p.leaves[i]
		if l.required {
			w.p.required = append(w.p.required, i)
		}
		if l.fileOpt {
			w.p.fileOpts = append(w.p.fileOpts, i)
		}
		if l.kind.unsupported {
			w.p.unsupported = append(w.p.unsupported, i)
		}
		if declared[l.fileKey] {
			// The struct reads NAME_FILE itself (a path, say): the
			// NAME_FILE convention would take its variable away.
			l.fileKey = ""
		}
		if l.fileKey != "" {
			w.p.fileKeys = append(w.p.fileKeys, i)
		}
		l.contract = contractFacts(l)
	}
	return w.p
}

// problems returns what makes the struct unloadable with the given parsers,
// or nil: the plan's own errors and the fields of a type no parser covers.
func (p *plan) problems(parsers map[reflect.Type]parser) []*FieldError {
	if len(p.errs) == 0 && len(p.unsupported) == 0 {
		return nil
	}
	out := make([]*FieldError, 0, len(p.errs)+len(p.unsupported))
	for _, fe := range p.errs {
		c := *fe // the plan is shared: callers get their own copy
		out = append(out, &c)
	}
	for _, i := range p.unsupported {
		lf := &p.leaves[i]
		if _, ok := parserFor(lf.typ, parsers); ok || lf.nested {
			continue
		}
		out = append(out, &FieldError{
			Var: lf.key, Field: lf.path,
			Problem: fmt.Sprintf("config cannot read a field of type %s", lf.typ),
			Want:    "a string, number, bool, time.Duration, url.URL, a type with an UnmarshalText method, a slice or map of those, or a parser registered with config.WithParser",
			Err:     ErrStruct,
		})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// visible reports whether leaf i is a variable of the struct with the given
// parsers: every leaf is, except a nested struct's own name (see leaf.nested)
// when no parser reads its type.
func (p *plan) visible(i int, parsers map[reflect.Type]parser) bool {
	lf := &p.leaves[i]
	if !lf.kind.unsupported {
		return true
	}
	_, ok := parserFor(lf.typ, parsers)
	return ok || !lf.nested
}

// parserFor finds the parser caarlos0/env would use for a field of type t:
// the one for t itself or, for a pointer, its element; for a slice, the one
// of its element.
func parserFor(t reflect.Type, parsers map[reflect.Type]parser) (parser, bool) {
	if len(parsers) == 0 {
		return parser{}, false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if p, ok := parsers[t]; ok {
		return p, true
	}
	if t.Kind() == reflect.Slice {
		e := t.Elem()
		if e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		p, ok := parsers[e]
		return p, ok
	}
	return parser{}, false
}

type walker struct {
	p    *plan
	errs []*FieldError
}

func (w *walker) fail(path, key, format string, args ...any) {
	w.errs = append(w.errs, &FieldError{Var: key, Field: path, Problem: fmt.Sprintf(format, args...), Err: ErrStruct})
}

// knownTagOptions are the options caarlos0/env accepts after the name in an
// env tag.
const knownTagOptions = "required, notEmpty, file, expand, unset, init"

// walk mirrors caarlos0/env's traversal of a struct type: exported fields in
// order; anonymous struct types and named struct types are descended into with
// their envPrefix (after the struct's own variable, when it names one); a
// pointer to a struct is descended into when its tag has the init option.
func (w *walker) walk(t reflect.Type, index []int, path, prefix string, onPath []reflect.Type) {
	first := len(w.p.leaves)
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		idx := append(append(make([]int, 0, len(index)+1), index...), i)
		fpath := sf.Name
		if path != "" {
			fpath = path + "." + sf.Name
		}
		ft := sf.Type
		nested := prefix + sf.Tag.Get("envPrefix")

		if ft.Kind() == reflect.Struct && ft.Name() == "" {
			w.walk(ft, idx, fpath, nested, onPath)
			continue
		}

		tag := sf.Tag.Get("env")
		name, opts, _ := strings.Cut(tag, ",")
		var required, notEmpty, init, fileOpt, bad bool
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "", "unset", "expand":
			case "file":
				fileOpt = true
			case "required":
				required = true
			case "notEmpty":
				notEmpty = true
			case "init":
				init = true
			case "-":
				name = "-"
			case "public":
				bad = true
				w.fail(fpath, prefix+name, "public is not an option of the env tag (caarlos0/env refuses it); write it as a tag of its own, public:%q", "true")
			default:
				bad = true
				w.fail(fpath, prefix+name, "unknown option %q in the env tag; use one of %s", o, knownTagOptions)
			}
		}
		if pub, ok := sf.Tag.Lookup("public"); ok && pub != "true" && pub != "false" {
			bad = true
			w.fail(fpath, prefix+name, "public tag %q; want public:%q, or no public tag", pub, "true")
		}
		if name == "-" || bad {
			continue
		}
		isStruct := ft.Kind() == reflect.Struct || (ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct)
		if name != "" {
			info, ok := describeType(ft)
			{
				if !ok {
					info = typeInfo{words: ft.String(), unsupported: true}
					if ft.Kind() == reflect.Slice {
						info.words = "list of " + ft.Elem().String() + " values"
					}
				}
				def, hasDef := sf.Tag.Lookup("envDefault")
				sep := sf.Tag.Get("envSeparator")
				if sep == "" {
					sep = ","
				}
				info.want = strings.ReplaceAll(info.want, "the list separator", strconv.Quote(sep))
				w.p.leaves = append(w.p.leaves, leaf{
					index:    idx,
					path:     fpath,
					name:     sf.Name,
					typ:      ft,
					key:      prefix + name,
					fileKey:  prefix + name + "_FILE",
					def:      def,
					hasDef:   hasDef,
					required: required || notEmpty,
					notEmpty: notEmpty,
					fileOpt:  fileOpt,
					secret:   isSecretType(ft),
					public:   sf.Tag.Get("public") == "true" && !isSecretType(ft),
					desc:     sf.Tag.Get("desc"),
					sep:      sep,
					kind:     info,
					nested:   !ok && isStruct,
					old:      oldNames(prefix, sf.Tag.Get("envOld")),
				})
				if ok || !isStruct {
					continue
				}
			}
		}
		switch {
		case ft.Kind() == reflect.Struct:
			w.walk(ft, idx, fpath, nested, onPath)
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && init:
			if !contains(onPath, ft.Elem()) {
				w.walk(ft.Elem(), idx, fpath, nested, append(onPath, ft.Elem()))
			}
		}
	}
	if reflect.PointerTo(t).Implements(validatorType) {
		w.p.validators = append(w.p.validators, validatorNode{
			index: index, path: path, prefix: prefix, first: first, last: len(w.p.leaves),
		})
	}
}

func contains(ts []reflect.Type, t reflect.Type) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

func isSecretType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	return t == secretType
}

// isText reports whether caarlos0/env reads t through UnmarshalText.
func isText(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		return t.Implements(textUnmarshalerType)
	}
	return reflect.PointerTo(t).Implements(textUnmarshalerType)
}

// typeInfo says in words what a field holds and what a valid value looks
// like.
type typeInfo struct {
	words string // "integer", "list of durations"
	want  string // "a whole number such as 42"
	text  bool   // read through UnmarshalText
	bits  int    // size of an integer kind, for range messages
	uint  bool
	// unsupported: caarlos0/env has no parser for the type; only a parser
	// registered with WithParser makes it readable.
	unsupported bool
}

// describeType reports how caarlos0/env reads a field of type t, mirroring the
// order of its checks, and false when it cannot read it.
func describeType(t reflect.Type) (typeInfo, bool) {
	if isText(t) {
		return textInfo(t), true
	}
	if info, ok := scalarInfo(t); ok {
		return info, true
	}
	switch t.Kind() {
	case reflect.Slice:
		e := t.Elem()
		if e.Kind() == reflect.Pointer {
			e = e.Elem()
		}
		var info typeInfo
		if isText(e) {
			info = textInfo(e)
		} else if si, ok := scalarInfo(e); ok {
			info = si
		} else {
			return typeInfo{}, false
		}
		info.words = "list of " + plural(info.words)
		if info.want != "" {
			info.want = "one or more items separated by the list separator, each " + info.want
		}
		return info, true
	case reflect.Map:
		k, okk := scalarInfo(t.Key())
		v, okv := scalarInfo(t.Elem())
		if !okk || !okv || t.Key().Kind() == reflect.Pointer || t.Elem().Kind() == reflect.Pointer {
			return typeInfo{}, false
		}
		return typeInfo{
			words: "map of " + k.words + " to " + v.words,
			want:  "key:value pairs separated by the list separator, such as a:1,b:2",
		}, true
	}
	return typeInfo{}, false
}

func textInfo(t reflect.Type) typeInfo {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case secretType:
		return typeInfo{words: "secret", text: true}
	case timeType:
		return typeInfo{words: "time", want: "a time in RFC 3339 form such as 2026-01-02T15:04:05Z", text: true}
	case addrType:
		return typeInfo{words: "IP address", want: "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1", text: true}
	case prefixType:
		return typeInfo{words: "IP prefix", want: "an address and prefix length such as 10.0.0.0/8 or 2001:db8::/32", text: true}
	case addrPortType:
		return typeInfo{words: "address and port", want: "an IP address and a port such as 192.0.2.1:8080 or [2001:db8::1]:443", text: true}
	case ipType:
		return typeInfo{words: "IP address", want: "an IPv4 or IPv6 address such as 192.0.2.1 or 2001:db8::1", text: true}
	case levelType:
		return typeInfo{words: "log level", want: "DEBUG, INFO, WARN or ERROR (any case), optionally with an offset such as INFO+2", text: true}
	}
	return typeInfo{words: t.String(), want: "a value that " + t.String() + " accepts (see its UnmarshalText method)", text: true}
}

func scalarInfo(t reflect.Type) (typeInfo, bool) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case durationType:
		return typeInfo{words: "duration", want: "a duration such as 30s, 1m or 1h30m"}, true
	case urlType:
		return typeInfo{words: "URL", want: "a URL such as https://example.com/path"}, true
	case locationType:
		return typeInfo{words: "time zone", want: "a time zone name such as UTC or Europe/Berlin"}, true
	}
	switch t.Kind() {
	case reflect.Bool:
		return typeInfo{words: "boolean", want: "true or false"}, true
	case reflect.String:
		return typeInfo{words: "string"}, true
	case reflect.Int, reflect.Int32:
		return intInfo(32, false), true
	case reflect.Int8:
		return intInfo(8, false), true
	case reflect.Int16:
		return intInfo(16, false), true
	case reflect.Int64:
		return intInfo(64, false), true
	case reflect.Uint, reflect.Uint32:
		return intInfo(32, true), true
	case reflect.Uint8:
		return intInfo(8, true), true
	case reflect.Uint16:
		return intInfo(16, true), true
	case reflect.Uint64:
		return intInfo(64, true), true
	case reflect.Float32, reflect.Float64:
		return typeInfo{words: "number", want: "a number such as 0.5"}, true
	}
	return typeInfo{}, false
}

func intInfo(bits int, unsigned bool) typeInfo {
	if unsigned {
		return typeInfo{words: "non-negative integer", want: "a whole number of 0 or more such as 42", bits: bits, uint: true}
	}
	return typeInfo{words: "integer", want: "a whole number such as 42", bits: bits}
}

func plural(w string) string {
	switch {
	case w == "address and port":
		return "addresses and ports"
	case w == "boolean" || w == "integer" || w == "non-negative integer" || w == "number" ||
		w == "string" || w == "duration" || w == "URL" || w == "time zone" || w == "secret" || w == "time" ||
		w == "IP address" || w == "IP prefix" || w == "log level":
		return w + "s"
	}
	return w + " values"
}

// rangeWant says which whole numbers fit an integer kind.
func (k typeInfo) rangeWant() string {
	if k.uint {
		return fmt.Sprintf("a whole number from 0 to %d", uint64(math.MaxUint64)>>(64-k.bits))
	}
	maxInt := int64(math.MaxInt64) >> (64 - k.bits)
	return fmt.Sprintf("a whole number from %d to %d", -maxInt-1, maxInt)
}
