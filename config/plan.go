package config

import (
	"encoding"
	"fmt"
	"math"
	"net/url"
	"reflect"
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
	validators []validatorNode
	err        error // a programming error in the struct (bad tag, unsupported type)
}

// leaf is one variable read into one field.
type leaf struct {
	index    []int // field index path from the root struct
	path     string
	name     string // the Go field name, as caarlos0/env reports it
	typ      reflect.Type
	key      string // full variable name, prefixes included
	fileKey  string // key + "_FILE"
	def      string
	hasDef   bool
	required bool
	secret   bool
	desc     string
	sep      string
	kind     typeInfo
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
type Validator interface {
	Validate() error
}

var (
	plans sync.Map // reflect.Type -> *typePlans

	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	validatorType       = reflect.TypeFor[Validator]()
	secretType          = reflect.TypeFor[Secret]()
	durationType        = reflect.TypeFor[time.Duration]()
	urlType             = reflect.TypeFor[url.URL]()
	locationType        = reflect.TypeFor[time.Location]()
	timeType            = reflect.TypeFor[time.Time]()
)

type typePlans struct {
	mu       sync.Mutex
	byPrefix map[string]*plan
}

func planFor(t reflect.Type, prefix string) *plan {
	v, ok := plans.Load(t)
	if !ok {
		v, _ = plans.LoadOrStore(t, &typePlans{byPrefix: map[string]*plan{}})
	}
	tp := v.(*typePlans)
	tp.mu.Lock()
	defer tp.mu.Unlock()
	p, ok := tp.byPrefix[prefix]
	if !ok {
		p = buildPlan(t, prefix)
		tp.byPrefix[prefix] = p
	}
	return p
}

func buildPlan(t reflect.Type, prefix string) *plan {
	w := walker{p: &plan{}}
	w.walk(t, nil, "", prefix, []reflect.Type{t})
	if len(w.errs) > 0 {
		w.p.err = &Error{Problems: w.errs}
	}
	declared := make(map[string]bool, len(w.p.leaves))
	for _, l := range w.p.leaves {
		declared[l.key] = true
	}
	for i := range w.p.leaves {
		l := &w.p.leaves[i]
		if l.required {
			w.p.required = append(w.p.required, i)
		}
		if declared[l.fileKey] {
			// The struct reads NAME_FILE itself (a path, say): the
			// NAME_FILE convention would take its variable away.
			l.fileKey = ""
		}
	}
	return w.p
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
// order; anonymous struct types and named struct types without a variable of
// their own are descended into with their envPrefix; a pointer to a struct is
// descended into when its tag has the init option.
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
		var required, notEmpty, init bool
		for o := range strings.SplitSeq(opts, ",") {
			switch o {
			case "", "file", "unset", "expand":
			case "required":
				required = true
			case "notEmpty":
				notEmpty = true
			case "init":
				init = true
			case "-":
				name = "-"
			default:
				w.fail(fpath, prefix+name, "unknown option %q in the env tag; use one of %s", o, knownTagOptions)
			}
		}
		if name == "-" {
			continue
		}
		if name != "" {
			info, ok := describeType(ft)
			if !ok {
				w.fail(fpath, prefix+name, "config cannot read a field of type %s; use a string, number, bool, time.Duration, url.URL, a type with an UnmarshalText method, or a slice or map of those", ft)
				continue
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
				secret:   isSecretType(ft),
				desc:     sf.Tag.Get("desc"),
				sep:      sep,
				kind:     info,
			})
			continue
		}
		switch {
		case ft.Kind() == reflect.Struct:
			w.walk(ft, idx, fpath, nested, onPath)
		case ft.Kind() == reflect.Pointer && ft.Elem().Kind() == reflect.Struct && init:
			if !contains(onPath, ft.Elem()) {
				w.walk(ft.Elem(), idx, fpath, nested, append(onPath, ft.Elem()))
			}
		case isStructSlice(ft):
			w.fail(fpath, "", "config cannot read a list of structs (%s); use one nested struct per item, or a list of strings", ft)
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

func isStructSlice(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct && !isText(t.Elem())
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
	}
	return typeInfo{words: t.String(), text: true}
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
	case w == "boolean" || w == "integer" || w == "non-negative integer" || w == "number" ||
		w == "string" || w == "duration" || w == "URL" || w == "time zone" || w == "secret" || w == "time":
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
