package config

import (
	"encoding"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
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
	// Value is the field's value as text: [Redacted] or [Unset] for a
	// secret, the password of a URL replaced by "xxxxx", a type's own
	// MarshalText or String form otherwise.
	Value string
	// Source is where the value came from.
	Source Source
	// From is the file the value came from, for SourceFile and SourceDotEnv.
	From string
}

// Explain lists every variable of cfg, a pointer to a struct that [Load] or
// [Parse] filled, with its effective value and where it came from. Pass the
// options given to Load; Explain reads the same environment and .env files
// again to find the sources, but not the files named by NAME_FILE. It is meant
// for a service's "show my config" command and for start-up logs: it never
// shows a secret, nor the password of a URL held in a string. It returns an
// error only for what Parse would refuse.
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
	p := planFor(rv.Elem().Type(), s.prefix)
	if p.err != nil {
		return nil, p.err
	}
	base := s.env
	if !s.envSet {
		base = processEnv()
	}
	type fileVars struct {
		path string
		vars map[string]string
	}
	var files []fileVars
	for _, f := range s.dotenv {
		if m, err := readDotenvFile(f.path); err == nil {
			files = append(files, fileVars{f.path, m})
		}
	}
	doc, _ := Describe(cfg, opts...)
	out := make([]Setting, len(p.leaves))
	for i := range p.leaves {
		lf := &p.leaves[i]
		st := Setting{Var: doc.Vars[i], Source: SourceUnset}
		switch {
		case base[lf.key] != "":
			st.Source = SourceEnv
		case lf.fileKey != "" && base[lf.fileKey] != "":
			st.Source, st.From = SourceFile, base[lf.fileKey]
		default:
			for _, f := range files {
				if f.vars[lf.key] != "" {
					st.Source, st.From = SourceDotEnv, f.path
					break
				}
				if lf.fileKey != "" && f.vars[lf.fileKey] != "" {
					st.Source, st.From = SourceFile, f.vars[lf.fileKey]
					break
				}
			}
			if st.Source == SourceUnset && lf.hasDef {
				st.Source = SourceDefault
			}
		}
		if fv, ok := structAt(rv.Elem(), lf.index); ok {
			st.Value = display(fv, lf.sep)
		}
		out[i] = st
	}
	return out, nil
}

var textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()

// display formats a field's value for people, never showing a secret.
func display(v reflect.Value, sep string) string {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			if v.Type().Elem() == secretType {
				return Unset
			}
			return ""
		}
		v = v.Elem()
	}
	switch t := v.Type(); {
	case t == secretType:
		return v.Interface().(Secret).String()
	case t == durationType:
		return time.Duration(v.Int()).String()
	case t == urlType:
		u := v.Interface().(url.URL)
		return u.Redacted()
	case t == locationType:
		loc := v.Interface().(time.Location)
		return loc.String()
	case t.Implements(textMarshalerType):
		if b, err := v.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
	case v.CanAddr() && reflect.PointerTo(t).Implements(textMarshalerType):
		if b, err := v.Addr().Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(b)
		}
	}
	switch v.Kind() {
	case reflect.String:
		return redactURL(v.String())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = display(v.Index(i), sep)
		}
		return strings.Join(parts, sep)
	case reflect.Map:
		parts := make([]string, 0, v.Len())
		for it := v.MapRange(); it.Next(); {
			parts = append(parts, fmt.Sprint(it.Key().Interface())+":"+display(it.Value(), sep))
		}
		slices.Sort(parts)
		return strings.Join(parts, sep)
	}
	if v.CanInterface() {
		return fmt.Sprint(v.Interface())
	}
	return ""
}

// redactURL hides the password of a string that is a URL with one, such as
// a DATABASE_URL held in a plain string field.
func redactURL(s string) string {
	if !strings.Contains(s, "://") || !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable but URL-shaped: hide everything between :// and @.
		i := strings.Index(s, "://") + 3
		j := strings.LastIndex(s, "@")
		if j > i {
			return s[:i] + "xxxxx" + s[j:]
		}
		return s
	}
	return u.Redacted()
}
