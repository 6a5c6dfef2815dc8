// Package config loads a typed configuration from the environment, the third
// factor of a twelve-factor app, on top of github.com/caarlos0/env/v11.
//
// # Loading
//
// Declare a struct with env tags and call [Load]:
//
//	type Config struct {
//		Port    int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
//		DB      string        `env:"DATABASE_URL,required" desc:"primary database"`
//		APIKey  config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
//	}
//
//	cfg, err := config.Load[Config]()
//	if err != nil {
//		fmt.Fprintln(os.Stderr, err) // every problem, one line each
//		os.Exit(78)                  // EX_CONFIG; see Error.ExitCode
//	}
//
// The tags are caarlos0/env's: env:"NAME,required", envDefault, envPrefix
// for nested structs, envSeparator for lists. Options set a prefix for every
// name ([WithPrefix]), replace the process environment with a map
// ([WithEnvironment], for tests), or add .env files for local development
// ([WithDotEnv]).
//
// # Rules config adds
//
//   - Empty is unset. FOO= is the same as FOO not set: a default applies, a
//     field without one keeps its zero value, and a required variable set to
//     "" is reported as empty. caarlos0/env alone would accept it.
//   - NAME_FILE. When NAME is unset or empty and NAME_FILE is set, the file it
//     names holds the value, less one trailing newline: the way Docker and
//     Kubernetes mount secrets. Setting both is an error. The rule does not
//     apply to a NAME_FILE the struct declares itself.
//   - .env files never override the real environment, and an earlier file
//     wins over a later one.
//   - [Validator]: Validate methods on the struct and nested structs run after
//     loading and join the same report.
//
// # Errors
//
// [Load] and [Parse] return every problem at once as a [*Error]: one
// [FieldError] per variable that names it with its prefixes, says what is
// wrong and what is expected, and wraps [ErrMissing], [ErrInvalid],
// [ErrConflict], [ErrFile] or [ErrStruct]. No message quotes a variable's
// value: errors from upstream parsers, which often do, are reworded, and a
// message from a type's own UnmarshalText has the value cut out.
//
// # Secrets
//
// A [Secret] field prints as [Redacted] (or [Unset]) through fmt, JSON, text
// marshalling, log/slog and zap; [Secret.Reveal] returns the value.
//
// # Documentation
//
// [Describe] lists the variables of a struct with their full names, types,
// defaults, flags and desc tags; a [Doc] renders as a text table for --help,
// Markdown, or a .env.example.
//
// # What config does not do
//
// It does not watch for changes (a twelve-factor process restarts instead),
// read config files other than .env, or read lists of structs. Pointers to
// nested structs are read only with the init tag option, as in caarlos0/env.
package config
