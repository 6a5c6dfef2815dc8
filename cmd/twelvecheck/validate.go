package main

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// goType returns the Go type a schema's x-go-type names, for the types
// twelvecheck links: Go's own, config's, logging's and backing's. A type it
// does not know is checked against the schema's pattern alone.
func goType(name string) (reflect.Type, bool) {
	if e, ok := strings.CutPrefix(name, "[]"); ok {
		t, ok := goType(e)
		if !ok {
			return nil, false
		}
		return reflect.SliceOf(t), true
	}
	if e, ok := strings.CutPrefix(name, "*"); ok {
		t, ok := goType(e)
		if !ok {
			return nil, false
		}
		return reflect.PointerTo(t), true
	}
	var t reflect.Type
	switch name {
	case "string":
		t = reflect.TypeFor[string]()
	case "bool":
		t = reflect.TypeFor[bool]()
	case "int":
		t = reflect.TypeFor[int]()
	case "int8":
		t = reflect.TypeFor[int8]()
	case "int16":
		t = reflect.TypeFor[int16]()
	case "int32":
		t = reflect.TypeFor[int32]()
	case "int64":
		t = reflect.TypeFor[int64]()
	case "uint":
		t = reflect.TypeFor[uint]()
	case "uint8":
		t = reflect.TypeFor[uint8]()
	case "uint16":
		t = reflect.TypeFor[uint16]()
	case "uint32":
		t = reflect.TypeFor[uint32]()
	case "uint64":
		t = reflect.TypeFor[uint64]()
	case "float32":
		t = reflect.TypeFor[float32]()
	case "float64":
		t = reflect.TypeFor[float64]()
	case "time.Duration":
		t = reflect.TypeFor[time.Duration]()
	case "time.Time":
		t = reflect.TypeFor[time.Time]()
	case "url.URL":
		t = reflect.TypeFor[url.URL]()
	case "slog.Level":
		t = reflect.TypeFor[slog.Level]()
	case "netip.Addr":
		t = reflect.TypeFor[netip.Addr]()
	case "netip.Prefix":
		t = reflect.TypeFor[netip.Prefix]()
	case "netip.AddrPort":
		t = reflect.TypeFor[netip.AddrPort]()
	case "net.IP":
		t = reflect.TypeFor[net.IP]()
	case "config.Secret":
		t = reflect.TypeFor[config.Secret]()
	case "logging.Level":
		t = reflect.TypeFor[logging.Level]()
	case "logging.Format":
		t = reflect.TypeFor[logging.Format]()
	case "logging.Keys":
		t = reflect.TypeFor[logging.Keys]()
	case "backing.URL":
		t = reflect.TypeFor[backing.URL]()
	case "backing.SQLURL":
		t = reflect.TypeFor[backing.SQLURL]()
	case "backing.PostgresURL":
		t = reflect.TypeFor[backing.PostgresURL]()
	case "backing.MySQLURL":
		t = reflect.TypeFor[backing.MySQLURL]()
	case "backing.RedisURL":
		t = reflect.TypeFor[backing.RedisURL]()
	case "backing.AMQPURL":
		t = reflect.TypeFor[backing.AMQPURL]()
	case "backing.NATSURL":
		t = reflect.TypeFor[backing.NATSURL]()
	case "backing.MQTTURL":
		t = reflect.TypeFor[backing.MQTTURL]()
	default:
		return nil, false
	}
	return t, true
}

// validate checks literal values (by variable name, old names already
// mapped to the current ones) against the contract, and returns what is
// wrong with each, in words that never quote the value. It loads them with
// config itself, into a struct built from the schema's Go types, so a value
// is refused exactly when the service would refuse it at start; a type
// twelvecheck does not link, and what the type alone does not restrict (a
// port's range), is checked against the schema's pattern.
func validate(c *contract, values map[string]string) map[string]string {
	out := map[string]string{}
	var fields []reflect.StructField
	env := map[string]string{}
	for name, value := range values {
		v := c.vars[name]
		if v == nil || value == "" {
			continue
		}
		t, ok := goType(v.GoType)
		if !ok {
			continue
		}
		tag := `env:` + strconv.Quote(name)
		if v.Separator != "" {
			tag += ` envSeparator:` + strconv.Quote(v.Separator)
		}
		fields = append(fields, reflect.StructField{
			Name: "F" + strconv.Itoa(len(fields)),
			Type: t,
			Tag:  reflect.StructTag(tag),
		})
		env[name] = value
	}
	if len(fields) > 0 {
		dst := reflect.New(reflect.StructOf(fields)).Interface()
		err := config.Parse(dst, config.WithEnvironment(env))
		var cerr *config.Error
		if errors.As(err, &cerr) {
			for _, fe := range cerr.Problems {
				if fe.Var == "" {
					continue
				}
				msg := fe.Problem
				if fe.Want != "" {
					msg += "; want " + fe.Want
				}
				out[fe.Var] = msg
			}
		}
	}
	for name, value := range values {
		v := c.vars[name]
		if v == nil || value == "" || out[name] != "" || v.re == nil || v.re.MatchString(value) {
			continue
		}
		what := "not " + article(v.Type)
		if v.Format == "port" {
			what = "not a port"
		}
		out[name] = what + "; want " + wantOf(v)
	}
	return out
}

// wantOf says what a valid value of v looks like, from the schema.
func wantOf(v *contractVar) string {
	switch {
	case v.Format == "port":
		return "a port number from 0 to 65535"
	case len(v.Schemes) > 0:
		return "a URL whose scheme is one of " + strings.Join(v.Schemes, ", ")
	case len(v.Enum) > 0:
		return "one of " + strings.Join(v.Enum, ", ")
	case v.Format == "duration":
		return "a duration such as 30s, 1m or 1h30m"
	}
	return "a value matching the pattern of the contract"
}

func article(w string) string {
	if w == "" {
		return "a valid value"
	}
	switch w[0] {
	case 'a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U':
		return "an " + w
	}
	return "a " + w
}

// libraryChecks loads the values into the library Configs the contract
// holds whole (lifecycle.Config, logging.Config: every variable declared,
// with the same Go type), so their Validate methods judge the values
// together as the service would: DRAIN_DELAY above SHUTDOWN_TIMEOUT, say.
// A Config one of whose variables has a value the files do not give is not
// loaded: its default would stand in for it. A task (a Job, a CronJob) runs
// no process group, so lifecycle's settings are not judged for it, as admin
// does not.
func libraryChecks(c *contract, values map[string]string, unknown func(string) bool, task bool) map[string]string {
	out := map[string]string{}
	configs := []any{&logging.Config{}}
	if !task {
		configs = append(configs, &lifecycle.Config{})
	}
	for _, cfg := range configs {
		doc, err := config.Describe(cfg)
		if err != nil {
			continue
		}
		whole := true
		env := map[string]string{}
		for _, v := range doc.Vars {
			cv := c.vars[v.Name]
			if cv == nil || cv.GoType != v.GoType || unknown(v.Name) {
				whole = false
				break
			}
			if s, ok := values[v.Name]; ok {
				env[v.Name] = s
			}
		}
		if !whole {
			continue
		}
		var cerr *config.Error
		if !errors.As(config.Parse(cfg, config.WithEnvironment(env)), &cerr) {
			continue
		}
		for _, fe := range cerr.Problems {
			if fe.Var == "" || out[fe.Var] != "" {
				continue
			}
			msg := fe.Problem
			if fe.Want != "" {
				msg += "; want " + fe.Want
			}
			out[fe.Var] = msg
		}
	}
	return out
}
