package config

// An Option changes how [Load], [Parse] and [Describe] read the environment.
// Options are built by the With functions of this package; nothing outside it
// can implement Option.
type Option interface {
	apply(*settings)
}

type settings struct {
	prefix    string
	env       map[string]string
	envSet    bool
	dotenv    []dotenvFile
	dotenvAny bool
}

type dotenvFile struct {
	path     string
	optional bool
}

type prefixOption string

func (o prefixOption) apply(s *settings) { s.prefix = string(o) }

// WithPrefix puts prefix in front of every variable name, as is: with
// WithPrefix("SHOP_") a field tagged env:"PORT" reads SHOP_PORT. Include the
// separator yourself. Repeating WithPrefix replaces the earlier prefix.
func WithPrefix(prefix string) Option { return prefixOption(prefix) }

type envOption map[string]string

func (o envOption) apply(s *settings) {
	s.env = o
	s.envSet = true
}

// WithEnvironment makes the loader read variables from env instead of the
// process environment, which is then not read at all. It is meant for tests and
// for programs that assemble their environment themselves. A nil map is an
// empty environment. The map is only read, never changed, and is not kept after
// the call returns. Repeating WithEnvironment replaces the earlier map.
func WithEnvironment(env map[string]string) Option { return envOption(env) }

type dotenvOption []dotenvFile

func (o dotenvOption) apply(s *settings) {
	s.dotenv = append(s.dotenv, o...)
	s.dotenvAny = true
}

// WithDotEnv reads variables from .env files, for local development. A
// variable of the real environment always wins over a file, and an earlier
// file wins over a later one. Without arguments it reads ".env" in the working
// directory if that file exists and is silently skipped if it does not; a file
// named explicitly must exist. Repeating WithDotEnv adds files after the ones
// already given.
//
// Files are parsed with github.com/joho/godotenv: NAME=value lines, optional
// "export ", quotes, comments and ${VAR} references to earlier lines. A file
// that does not parse is an error naming the file, never quoting its content.
// A .env file is trusted input, like source code: godotenv expands each
// ${VAR} reference in full, so a file written to nest references can grow
// without bound.
func WithDotEnv(paths ...string) Option {
	if len(paths) == 0 {
		return dotenvOption{{path: ".env", optional: true}}
	}
	files := make(dotenvOption, len(paths))
	for i, p := range paths {
		files[i] = dotenvFile{path: p}
	}
	return files
}

func newSettings(opts []Option) settings {
	var s settings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}
