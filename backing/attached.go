package backing

import (
	"slices"
	"strings"
)

// Resource is one backing service attached through the environment: the
// variable that names it and its parsed URL, or the reason it did not parse.
type Resource struct {
	// Var is the variable's name, such as DATABASE_URL.
	Var string
	// URL is the parsed value; zero when Err is set.
	URL URL
	// Err is the parse error, naming Var, wrapping [ErrInvalid] and never
	// holding the value.
	Err error
}

// String returns "VAR=" and the redacted URL, or the error.
func (r Resource) String() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	return r.Var + "=" + r.URL.String()
}

// GoString returns the same as String, for %#v.
func (r Resource) GoString() string { return r.String() }

// isServerVar reports whether name is one of the non-URL variables that
// hold a memcached host list.
func isServerVar(name string) bool {
	switch name {
	case "MEMCACHIER_SERVERS", "MEMCACHE_SERVERS", "MEMCACHEDCLOUD_SERVERS", "MEMCACHED_SERVERS":
		return true
	}
	return false
}

// Attached returns the backing services an environment attaches: every
// variable whose name ends in _URL (REDIS_TLS_URL included) and whose value
// starts with a scheme this package knows (see [Parse]), in any case, every
// *_URI variable holding a MongoDB URL (MONGODB_URI, MongoDB's convention), and
// the memcached host lists MEMCACHIER_SERVERS, MEMCACHE_SERVERS,
// MEMCACHEDCLOUD_SERVERS and MEMCACHED_SERVERS. It reads the process
// environment once, or the map of [WithEnvironment] (where nil is an empty
// environment, as everywhere in twelvekit); it keeps no reference to it.
// Of the options only WithEnvironment matters. A
// variable with a known scheme that does not parse is listed with its
// error, so a start-up log shows it; empty variables and those with other
// schemes are left out. The result is sorted by variable name, so the same
// environment always gives the same list.
func Attached(opts ...Option) []Resource {
	env := platformEnv(opts)
	var out []Resource
	add := func(name, value string) {
		if value == "" {
			return
		}
		if !isServerVar(name) {
			i := strings.IndexByte(value, ':')
			if i <= 0 || !validScheme(value[:i]) {
				return
			}
			ref, ok := lookup(value[:i])
			if !ok {
				return
			}
			// MongoDB's convention is *_URI (MONGODB_URI).
			if !strings.HasSuffix(name, "_URL") && !(ref.fam == &mongoFamily && strings.HasSuffix(name, "_URI")) {
				return
			}
		}
		out = append(out, resource(name, value))
	}
	for name, value := range env {
		add(name, value)
	}
	slices.SortFunc(out, func(a, b Resource) int { return strings.Compare(a.Var, b.Var) })
	return out
}

func resource(name, value string) Resource {
	u, err := Parse(value)
	if err != nil {
		msg := err.Error()
		if pe, ok := err.(*parseError); ok {
			msg = pe.msg
		}
		return Resource{Var: name, Err: &varError{name: name, msg: msg}}
	}
	return Resource{Var: name, URL: u}
}

// varError is a parse error for a named variable.
type varError struct{ name, msg string }

func (e *varError) Error() string { return "backing: " + e.name + ": " + e.msg }
func (e *varError) Unwrap() error { return ErrInvalid }
