package config

import (
	"encoding"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// Source says where a variable's effective value came from.
type Source string

// The sources [Explain] reports, in the order config looks at them.
const (
	SourceEnv     Source = "environment" // the process environment or WithEnvironment's map
	SourceFile    Source = "file"        // the file named by NAME_FILE
	SourceDotEnv  Source = ".env"        // a file given with WithDotEnv
	SourceDefault Source = "default"     // the envDefault tag
	SourceUnset   Source = "unset"       // nothing: the field keeps its zero value
)

// Setting is one variable's effective value and where it came from.
type Setting struct {
	Var
	// Value is the field's value as text, printed by the package's one
	// rule (see "Printing values" in the package documentation): as it is
	// when the field's type cannot hold a credential (bool, numbers,
	// durations, enums such as a log level) or the field is tagged
	// public:"true"; [Redacted] or [Unset] for a [Secret]; [Redacted] for a
	// value read from a file (NAME_FILE or the file tag option); for any
	// other value, the scheme, hosts, ports and database name of a URL or
	// connection string with the rest masked, and [Redacted] for a value
	// of any other shape.
	Value string
	// Redacted reports whether Value hides something of the field's value.
	Redacted bool
	// Source is where the value came from.
	Source Source
	// From is the file the value came from, for SourceFile and SourceDotEnv;
	// [Redacted] for SourceFile when no load read the file and no regular
	// file is at that path now (what was set where a path belongs may be
	// the value itself); for a value read under an old name (the envOld
	// tag), it says so: "as OLD_NAME, a deprecated name".
	From string
}

// Explain lists every variable of cfg, a pointer to a struct that [Load] or
// [Parse] filled, with its effective value and where it came from. It is meant
// for a service's "show my config" command and for start-up logs, and never
// shows a credential (see [Setting.Value] for what is masked).
//
// Pass the options given to Load, [WithReport] among them: the sources are
// then the ones the load recorded, so Explain agrees with what was loaded and
// reads neither the environment nor any file. Without a report of a load of
// cfg's type and prefix, Explain works the sources out again from the
// environment and .env files the options name, which cannot see a variable
// that a field tagged unset removed; the file named by NAME_FILE is never
// read. Explain returns an error only for what Parse would refuse.
func Explain(cfg any, opts ...Option) ([]Setting, error) {
	rv := reflect.ValueOf(cfg)
	if !rv.IsValid() || rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return nil, &Error{Problems: []*FieldError{{
			Problem: "Explain needs a non-nil pointer to a struct, not " + typeName(cfg),
			Want:    "the pointer your config was loaded into, such as &cfg",
			Err:     ErrStruct,
		}}}
	}
	s := newSettings(opts)
	t := rv.Elem().Type()
	p := planFor(t, s.prefix).withDefaults(s.defaults)
	if ps := p.problems(s.parsers); ps != nil {
		return nil, &Error{Problems: ps}
	}
	var origins []origin
	if s.report != nil {
		origins, _ = s.report.lookup(t, s.prefix)
	}
	guessed := origins == nil
	if guessed {
		origins = guessSources(p, &s)
	}
	out := make([]Setting, 0, len(p.leaves))
	for i := range p.leaves {
		if !p.visible(i, s.parsers) {
			continue
		}
		lf := &p.leaves[i]
		st := Setting{Var: varOf(lf), Source: origins[i].source, From: origins[i].from}
		fv, ok := structAt(rv.Elem(), lf.index)
		if ok {
			st.Value, st.Redacted = display(fv, lf.sep, lf.public)
		}
		if st.Source == SourceFile && !lf.secret && st.Value != "" {
			st.Value, st.Redacted = redact.Mask, true
		}
		if st.Source == SourceFile && st.From != "" && (guessed || lf.fileOpt) && !regularFile(st.From) {
			// a path no load has read and no file is at: perhaps the value
			// itself, pasted where the path belongs; Explain does not show it
			st.From = redact.Mask
		}
		out = append(out, st)
	}
	return out, nil
}

// regularFile reports whether path names a regular file (after symbolic
// links) that exists now.
func regularFile(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// guessSources works out where each leaf's value would come from with the
// environment and .env files of s, for Explain without a report.
func guessSources(p *plan, s *settings) []origin {
	// The loader's own reading of the environment, .env files and NAME_FILE
	// twins, so that the sources follow the one precedence rule; problems
	// are the load's to report, not Explain's.
	l := loader{p: p, s: *s}
	l.environ()
	return l.sources()
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// display formats a field's value for people by the one rule of
// internal/redact, and reports whether it hid something: as it is when
// public is true or its type cannot hold a credential, through redact.Text
// otherwise.
func display(v reflect.Value, sep string, public bool) (string, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if v.Type().Elem() == secretType {
				return Unset, false
			}
			return "", false
		}
		v = v.Elem()
	}
	t := v.Type()
	if t == secretType {
		s := v.Interface().(Secret)
		return s.String(), s.IsSet()
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 || t.Implements(textMarshalerType) {
			break
		}
		parts := make([]string, v.Len())
		hid := false
		for i := range parts {
			var h bool
			parts[i], h = display(v.Index(i), sep, public)
			hid = hid || h
		}
		return strings.Join(parts, sep), hid
	case reflect.Map:
		if t.Implements(textMarshalerType) {
			break
		}
		parts := make([]string, 0, v.Len())
		hid := false
		for it := v.MapRange(); it.Next(); {
			key, hk := display(it.Key(), sep, public)
			val, hv := display(it.Value(), sep, public)
			hid = hid || hk || hv
			parts = append(parts, key+":"+val)
		}
		slices.Sort(parts)
		return strings.Join(parts, sep), hid
	}
	text := plainText(v)
	out := redact.Show(t, text, public)
	return out, out != text
}

// plainText is a value's own text: its MarshalText or String form.
func plainText(v reflect.Value) string {
	switch t := v.Type(); {
	case t == durationType:
		return time.Duration(v.Int()).String()
	case t == urlType:
		u := v.Interface().(url.URL)
		return u.String()
	case t == locationType:
		loc := v.Interface().(time.Location)
		return loc.String()
	case t.Implements(textMarshalerType):
		if b, err := v.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
		return ""
	case v.CanAddr() && reflect.PointerTo(t).Implements(textMarshalerType):
		if b, err := v.Addr().Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
		return ""
	case v.Kind() == reflect.String:
		return v.String()
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return ""
}
