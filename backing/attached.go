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

// String returns "VAR=" and the redacted URL, or "VAR: " and the error.
func (r Resource) String() string {
	if r.Err != nil {
		return r.Err.Error()
	}
	return r.Var + "=" + r.URL.String()
}

// serverVars are the non-URL variables that hold a memcached host list.
func isServerVar(name string) bool {
	switch name {
	case "MEMCACHIER_SERVERS", "MEMCACHE_SERVERS", "MEMCACHEDCLOUD_SERVERS", "MEMCACHED_SERVERS":
		return true
	}
	return false
}

// Attached returns the backing services an environment attaches: every
// variable whose name ends in _URL (REDIS_TLS_URL included) and whose value
// starts with a scheme this package knows (see [Parse]), in any case, and
// the memcached host lists MEMCACHIER_SERVERS, MEMCACHE_SERVERS,
// MEMCACHEDCLOUD_SERVERS and MEMCACHED_SERVERS. env is either a map or a
// slice of "NAME=value" strings as os.Environ returns; Attached does not read
// the process environment itself. A variable with a known scheme that does
// not parse is listed with its error, so a start-up log shows it; empty
// variables and those with other schemes are left out. The result is sorted
// by variable name, so the same environment always gives the same list.
func Attached[E []string | map[string]string](env E) []Resource {
	vars := make(map[string]string)
	switch e := any(env).(type) {
	case []string:
		for _, kv := range e {
			if k, v, ok := strings.Cut(kv, "="); ok {
				vars[k] = v // a repeated name: the last wins, as in os.Getenv
			}
		}
	case map[string]string:
		vars = e
	}
	var out []Resource
	for name, value := range vars {
		if value == "" {
			continue
		}
		if !isServerVar(name) {
			if !strings.HasSuffix(name, "_URL") {
				continue
			}
			i := strings.IndexByte(value, ':')
			if i <= 0 || !validScheme(value[:i]) {
				continue
			}
			if _, ok := lookup(value[:i]); !ok {
				continue
			}
		}
		out = append(out, resource(name, value))
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
