package config

import (
	"encoding"
	"fmt"
	"net/url"
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
	// Value is the field's value as text, with every credential masked:
	// [Redacted] or [Unset] for a [Secret]; [Redacted] for a value read
	// from a file (NAME_FILE or the file tag option) and for a variable
	// whose name says it is a credential (DB_PASSWORD, API_TOKEN,
	// STRIPE_SECRET_KEY...); the password, token and credential query
	// values of a URL-shaped value masked; a type's own MarshalText or
	// String form otherwise.
	Value string
	// Redacted reports whether Value hides something of the field's value.
	Redacted bool
	// Source is where the value came from.
	Source Source
	// From is the file the value came from, for SourceFile and SourceDotEnv.
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
	p := planFor(t, s.prefix)
	if ps := p.problems(s.parsers); ps != nil {
		return nil, &Error{Problems: ps}
	}
	var origins []origin
	if s.report != nil {
		origins, _ = s.report.lookup(t, s.prefix)
	}
	if origins == nil {
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
			st.Value, st.Redacted = display(fv, lf.sep)
		}
		hide := st.Source == SourceFile || redact.Name(lf.key) || redact.Name(lf.name)
		if hide && !lf.secret && st.Value != "" {
			st.Value, st.Redacted = redact.Mask, true
		}
		out = append(out, st)
	}
	return out, nil
}

// guessSources works out where each leaf's value would come from with the
// environment and .env files of s, for Explain without a report.
func guessSources(p *plan, s *settings) []origin {
	l := loader{p: p, s: *s}
	if s.envSet {
		l.vars = s.env
	}
	for _, f := range s.dotenv {
		m, err := readDotenvFile(f.path, s.fileLimit)
		if err != nil {
			continue
		}
		for k, v := range m {
			if l.get(k) != "" || l.get(k+"_FILE") != "" {
				continue
			}
			if base, ok := strings.CutSuffix(k, "_FILE"); ok && l.get(base) != "" {
				continue
			}
			l.own()
			l.vars[k] = v
			if l.dotenvOf == nil {
				l.dotenvOf = map[string]string{}
			}
			l.dotenvOf[k] = f.path
		}
	}
	for _, i := range p.fileKeys {
		lf := &p.leaves[i]
		if path := l.get(lf.fileKey); path != "" && l.get(lf.key) == "" {
			if l.fromFile == nil {
				l.fromFile = map[string]string{}
			}
			l.fromFile[lf.key] = path
		}
	}
	return l.sources()
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// display formats a field's value for people, never showing a secret, and
// reports whether it hid something.
func display(v reflect.Value, sep string) (string, bool) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if v.Type().Elem() == secretType {
				return Unset, false
			}
			return "", false
		}
		v = v.Elem()
	}
	switch t := v.Type(); {
	case t == secretType:
		s := v.Interface().(Secret)
		return s.String(), s.IsSet()
	case t == durationType:
		return time.Duration(v.Int()).String(), false
	case t == urlType:
		u := v.Interface().(url.URL)
		return maskURL(u.String())
	case t == locationType:
		loc := v.Interface().(time.Location)
		return loc.String(), false
	case t.Implements(textMarshalerType):
		if b, err := v.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return maskURL(string(b))
		}
	case v.CanAddr() && reflect.PointerTo(t).Implements(textMarshalerType):
		if b, err := v.Addr().Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return maskURL(string(b))
		}
	}
	switch v.Kind() {
	case reflect.String:
		return maskURL(v.String())
	case reflect.Slice:
		parts := make([]string, v.Len())
		hid := false
		for i := range parts {
			var h bool
			parts[i], h = display(v.Index(i), sep)
			hid = hid || h
		}
		return strings.Join(parts, sep), hid
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		hid := false
		for it := v.MapRange(); it.Next(); {
			val, h := display(it.Value(), sep)
			hid = hid || h
			parts = append(parts, fmt.Sprint(it.Key().Interface())+":"+val)
		}
		slices.Sort(parts)
		return strings.Join(parts, sep), hid
	}
	if v.CanInterface() {
		return maskURL(fmt.Sprint(v.Interface()))
	}
	return "", false
}

// maskURL hides what grants access in a URL-shaped value (a DATABASE_URL held
// in a plain string, say), and reports whether it hid anything.
func maskURL(s string) (string, bool) {
	out, _ := redact.URL(s)
	return out, out != s
}
