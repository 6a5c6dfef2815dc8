package config

import (
	"fmt"
	"maps"
	"reflect"
)

// An Option changes how [Load], [Parse], [Describe] and [Explain] read the
// environment. Options are built by the With functions of this package;
// nothing outside it can implement Option. A nil Option is ignored.
type Option interface {
	apply(*settings)
}

// optionFunc is the one adapter every Option of this package is built with.
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// DefaultFileLimit is the largest file, in bytes, that a NAME_FILE variable or
// the file tag option may name: 1 MiB, room for a certificate chain or a
// private key many times over. Change it with [WithFileLimit].
const DefaultFileLimit = 1 << 20

type settings struct {
	prefix    string
	env       map[string]string
	envSet    bool
	dotenv    []dotenvFile
	dotenvAny bool
	fileLimit int64
	parsers   map[reflect.Type]parser
	report    *Report
	defaults  map[string]string // WithDefaults: variable -> the service's default
}

type dotenvFile struct {
	path     string
	optional bool
}

// WithPrefix puts prefix in front of every variable name, as is: with
// WithPrefix("SHOP_") a field tagged env:"PORT" reads SHOP_PORT. Include the
// separator yourself. Repeating WithPrefix replaces the earlier prefix.
func WithPrefix(prefix string) Option {
	return optionFunc(func(s *settings) { s.prefix = prefix })
}

// WithEnvironment makes the loader read variables from env instead of the
// process environment, which is then not read at all. It is meant for tests and
// for programs that assemble their environment themselves (admin passes the one
// snapshot it takes per run). A nil map is an empty environment. The map is
// only read, never changed, and is not kept after the call returns. Repeating
// WithEnvironment replaces the earlier map.
func WithEnvironment(env map[string]string) Option {
	return optionFunc(func(s *settings) {
		s.env = env
		s.envSet = true
	})
}

// WithDotEnv reads variables from .env files, for local development. A
// variable of the real environment always wins over a file, and an earlier
// file wins over a later one. Without arguments it reads ".env" in the working
// directory if that file exists and is silently skipped if it does not; a file
// named explicitly must exist. Repeating WithDotEnv adds files after the ones
// already given.
//
// Files are read as github.com/joho/godotenv v1.5.1 reads them (by config's
// own parser, see the package documentation): NAME=value or NAME: value
// lines, optional "export ", single quotes (literal), double quotes (\n, \r
// and backslash escapes, several lines), # comments and ${VAR} or $VAR
// references to earlier lines of the same file. A file that does not parse is
// an error naming the file, never quoting its content. A .env file is trusted
// input, like source code; a file whose references would expand past 16 MiB
// is refused as not parsing.
func WithDotEnv(paths ...string) Option {
	var files []dotenvFile
	if len(paths) == 0 {
		files = []dotenvFile{{path: ".env", optional: true}}
	} else {
		files = make([]dotenvFile, len(paths))
		for i, p := range paths {
			files[i] = dotenvFile{path: p}
		}
	}
	return optionFunc(func(s *settings) {
		s.dotenv = append(s.dotenv, files...)
		s.dotenvAny = true
	})
}

// WithFileLimit sets the largest file, in bytes, that a NAME_FILE variable or
// the file tag option may name; the default is [DefaultFileLimit]. A larger
// file is reported as a problem of its variable and is not read past the
// limit. A limit of 0 or less restores the default. Repeating WithFileLimit
// replaces the earlier limit.
func WithFileLimit(bytes int64) Option {
	return optionFunc(func(s *settings) { s.fileLimit = bytes })
}

// WithParser makes [Load] and [Parse] read fields of type T (and *T, []T,
// []*T) with parse, for a type the program does not own and cannot give an
// UnmarshalText method: the equivalent of caarlos0/env's FuncMap. parse
// receives the variable's value; an error it returns is reported like any
// other invalid value, in the same [*Error], as "not a valid T" with want
// saying what a right value looks like, such as "an IP address such as
// 10.0.0.1" (an empty want says "a value that the parser registered for T
// accepts"). The error's message is never shown, since it may quote the
// value; errors.Unwrap on the problem's Err reaches it.
// A type with an UnmarshalText method is read through that method, as
// caarlos0/env does, whatever parser is registered. Repeating WithParser for
// the same T replaces the earlier parser; for different types it adds.
func WithParser[T any](parse func(value string) (T, error), want string) Option {
	t := reflect.TypeFor[T]()
	if want == "" {
		want = fmt.Sprintf("a value that the parser registered for %s accepts", t)
	}
	p := parser{fn: func(v string) (any, error) { return parse(v) }, want: want}
	return optionFunc(func(s *settings) {
		if s.parsers == nil {
			s.parsers = map[reflect.Type]parser{}
		}
		s.parsers[t] = p
	})
}

type parser struct {
	fn   func(string) (any, error)
	want string
}

// WithReport makes [Load] and [Parse] record in r where each variable's value
// came from (environment, NAME_FILE, .env file, default, or unset), as they
// read it, so that [Explain] given the same r describes what was loaded
// without reading the environment again. Pass the same option to Load and to
// Explain. One Report can record the loads of several struct types (a
// service's config and the parts a command reads); a later load of the same
// type and prefix replaces the earlier record. Repeating WithReport replaces
// the earlier report.
func WithReport(r *Report) Option {
	return optionFunc(func(s *settings) { s.report = r })
}

// WithDefaults gives variables defaults of the service's own: each key is a
// variable's full name (its prefix included) and replaces the envDefault of
// the field that reads it, so a service can change the defaults of a library
// Config it embeds (LOG_LEVEL=debug, LOG_KEYS=gcp) without copying the
// struct. The value is read exactly as an envDefault is: when the variable
// is unset or empty (and its NAME_FILE twin is unset), parsed by the
// field's type, reported as coming from a default, and shown by [Describe]
// (help, Markdown, .env.example) and [Explain] as the default. A name that no
// field of the struct reads is ignored, so one option can serve every struct
// a program loads. Repeating WithDefaults adds to the earlier defaults; a
// name given twice takes the later value.
func WithDefaults(defaults map[string]string) Option {
	return optionFunc(func(s *settings) {
		if len(defaults) == 0 {
			return
		}
		m := make(map[string]string, len(s.defaults)+len(defaults))
		maps.Copy(m, s.defaults)
		maps.Copy(m, defaults)
		s.defaults = m
	})
}

// newSettings applies opts to a new settings. The settings escape to the
// heap through the apply calls, so callers with no options skip it.
func newSettings(opts []Option) settings {
	s := new(settings)
	for _, o := range opts {
		if o != nil {
			o.apply(s)
		}
	}
	if s.fileLimit <= 0 {
		s.fileLimit = DefaultFileLimit
	}
	return *s
}
