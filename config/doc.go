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
// for nested structs, envSeparator for lists (see "Compatibility with
// caarlos0/env" below). Options set a prefix for every name ([WithPrefix]),
// replace the process environment with a map ([WithEnvironment], for tests
// and for admin's one snapshot per run), add .env files for local development
// ([WithDotEnv]), register a parser for a type the program does not own
// ([WithParser]), bound the files read ([WithFileLimit]) or record where each
// value came from ([WithReport]). With no option, Load hands the process
// environment to caarlos0/env as it is and looks up only the names it needs.
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
//   - Files are bounded. A file named by NAME_FILE or by a variable with the
//     file tag option is read only when it is a regular file (after symbolic
//     links) of at most [DefaultFileLimit] bytes (1 MiB, room for any
//     certificate chain; see [WithFileLimit]). A named pipe, a device, a
//     directory or a larger file is a problem of its variable that names the
//     path, never the content; the kind is checked before the open and again
//     on the opened file, the open never waits for a pipe's writer, and the
//     limit holds while reading, so Load returns promptly whatever the path
//     names.
//   - .env files never override the real environment, and an earlier file
//     wins over a later one. config reads them with its own parser, which
//     reads a file exactly as github.com/joho/godotenv v1.5.1 reads it (the
//     same map, the same files refused; a differential fuzz test holds them
//     to it) without linking the regexp package into the program. The one
//     difference: godotenv expands every ${VAR} or $VAR reference in full,
//     so a file whose lines each reference the previous line twice grows
//     exponentially; config refuses, as a file that does not parse, a file
//     whose references would produce more than 16 MiB.
//   - Renames. envOld:"OLD_NAME" (a tag of its own, which caarlos0/env
//     ignores) names earlier names of a variable, with the same prefixes.
//     When the variable is unset (and its NAME_FILE too), the first old name
//     set gives the value; [Report.Warnings] says so, Explain's
//     [Setting.From] names the old name, and the contract marks it
//     deprecated. An old name set beside the new one is ignored, with a
//     warning.
//   - [Validator]: Validate methods on the struct and nested structs run after
//     loading and join the same report.
//
// # Errors
//
// [Load] and [Parse] return every problem at once as a [*Error]: one
// [FieldError] per variable that names it with its prefixes, says what is
// wrong and what is expected, and wraps [ErrMissing], [ErrInvalid],
// [ErrConflict], [ErrFile] or [ErrStruct]. No message quotes a variable's
// value or a file's content: the words of a field's parser (strconv, netip,
// time, log/slog, net/url, a type's own UnmarshalText, a parser given to
// [WithParser]) never reach the report, which says instead what type was
// wanted with an example. The parser's own error stays reachable for a
// program that asks: errors.Unwrap of a problem's Err, or errors.As. A type's
// UnmarshalText that wants its own words shown returns a [*FieldError], whose
// Problem and Want config uses as they are. On error, the value still holds
// every field that could be read.
//
// # Secrets
//
// A [Secret] field prints as [Redacted] (or [Unset]) through fmt, JSON, text
// marshalling, log/slog and zap; [Secret.Reveal] returns the value. It keeps
// the value inside a closure, so printers that read unexported fields by
// reflection (go-cmp, go-spew, testify's diffs) cannot show it either.
//
// # Where values came from
//
// [Explain] lists every variable with its value and its [Source]: the
// environment, a NAME_FILE file, a .env file, the default, or unset. Give
// Load and Explain the same [WithReport]: the load records the sources as it
// reads, and Explain shows them without reading the environment again, so it
// agrees with what was loaded (a field tagged unset included).
//
// # Printing values
//
// Explain, [Describe] and its three renderers, admin's config built-in and
// backing's URL printers share one rule, twelvekit's internal/redact, which
// fails closed: a value is shown only when what it is says it cannot be a
// credential.
//
//   - Its type: bool, the integer and float kinds, time.Duration,
//     time.Location, IP addresses, and every named type of those kinds (an
//     enum, such as a log level); lists and maps of them.
//   - The team declared it public, with the public:"true" tag, such as
//     Region string `env:"REGION" public:"true"` (a tag of its own,
//     because caarlos0/env refuses an env option it does not know).
//   - It is a part of a URL or connection string known not to carry one:
//     the scheme, hosts and ports, the user name of the schemes whose user
//     is a role (postgres, mysql, redis, amqp...), the database or vhost
//     name, and the values of the query options in a documented safe list
//     per family (sslmode, connect_timeout...). ADO.NET, JDBC, libpq
//     keyword/value and MySQL DSN strings are read too. A bare host name or
//     IP address (db.internal, 10.0.0.7:5432) and a boolean word (true,
//     off) show too.
//
// Everything else is [Redacted]: a [Secret], any value read from a file,
// a plain string of any other shape (GITHUB_PAT, STRIPE_SK, a pasted
// token), and of a URL the password, a userinfo that may be a token, every
// path segment that is not the database (webhook tokens live there), every
// other query value and the fragment. A default follows the same rule in
// Describe as the value in Explain; the text table says how to show a
// masked value, and a .env.example leaves a masked default blank. No
// report about NAME_FILE or a file variable quotes what was set, which may
// be the secret pasted where its path belongs.
//
// # Documentation
//
// [Describe] lists the variables of a struct with their full names, types,
// defaults, flags and desc tags; a [Doc] renders as a text table for --help,
// Markdown, or a .env.example.
//
// # The contract
//
// The same Doc is the service's contract for tools: [Doc.WriteJSONSchema]
// writes a JSON Schema (draft 2020-12) of the environment, with each
// variable's pattern, format, default, whether it is required, secret, read
// from a file or deprecated; [Doc.WriteKubernetes], [Doc.WriteCompose] and
// [Doc.WriteAppJSON] write the fragments a deploy pastes. A program without
// admin exports it with config.Describe(Config{}) and WriteJSONSchema; admin
// programs with "config -schema". The command twelvecheck checks deploy
// files against it (twelvecheck deploy) and services against each other
// (twelvecheck fleet).
//
// # Compatibility with caarlos0/env
//
// config reads structs with caarlos0/env v11.4.2, so a struct written for it
// loads the same way; the module compat of this repository reads a suite of
// caarlos0-style cases with both and fails on any difference this table does
// not list. The rows with "same" are read by caarlos0/env itself.
//
//	tag or option                  | caarlos0/env                     | twelvekit                          | why
//	-------------------------------|----------------------------------|------------------------------------|------------------------------
//	env:"NAME", envDefault,        | read                             | same                               |
//	  envPrefix, envSeparator,     |                                  |                                    |
//	  envKeyValSeparator, env:"-"  |                                  |                                    |
//	required, notEmpty, expand,    | read                             | same                               |
//	  unset, init                  |                                  |                                    |
//	`required`, variable set to "" | accepted: the variable is set    | ErrMissing: "set but empty"        | empty is unset, as for defaults
//	`notEmpty`, variable unset     | EmptyVarError ("empty")          | ErrMissing: "required but not set" | the report says what happened
//	file                           | reads the file                   | same, within the bounds below      |
//	`file` on a file over the limit| reads it whole                   | ErrFile, not read                  | a bounded load (WithFileLimit)
//	`file` on a pipe or a device   | blocks, or reads without end     | ErrFile, not opened for reading    | Load always returns
//	`NAME_FILE` set, `NAME` unset  | NAME stays unset                 | NAME is the file's content         | Docker and Kubernetes secrets
//	nested struct with env:"FOO"   | reads the struct's fields; FOO   | same                               |
//	  envPrefix:"FOO_" (or a       |   set is an error (no parser)    |                                    |
//	  pointer with init)           |                                  |                                    |
//	list of structs, envPrefix     | reads PREFIX_0_NAME...           | same; Describe and Explain do not  | names exist only at run time
//	                               |                                  |   list them, NAME_FILE not inside  |
//	a field of a type neither      | ignored until the variable is set| ErrStruct at every load (the other | a bug shows at the first run
//	  reads, variable unset        |                                  |   fields are still read)           |
//	an unknown tag option          | error, other fields read         | same, ErrStruct                    |
//	a `Validate() error` method    | not called                       | called, joins the report           | checks across fields
//	desc:"..."                     | ignored                          | shown by Describe                  |
//	envOld:"OLD_NAME,..."          | ignored                          | OLD_NAME read when NAME is unset,  | rename a variable one deploy
//	                               |                                  |   with a warning (Report.Warnings) |   at a time across a fleet
//	public:"true"                  | ignored                          | the value shows in every printer   | declared no credential
//	Options.Environment            | map or os.Environ                | WithEnvironment                    |
//	Options.Prefix                 | prefix                           | WithPrefix                         |
//	Options.FuncMap                | parsers by type                  | WithParser, one per type           | typed, joins the same report
//	Options.OnSet                  | callback with each value         | none: WithReport and Explain       | no value handed to a callback
//	Options.TagName,               | other tag names                  | none                               | one vocabulary that Describe
//	  PrefixTagName,               |                                  |                                    |   and every package read
//	  DefaultValueTagName          |                                  |                                    |
//	Options.RequiredIfNoDef        | required unless defaulted        | none: tag each field               | visible in the struct and docs
//	Options.UseFieldNameByDefault  | names from field names           | none: name each variable           | names are an interface: grep
//	Options.SetDefaultsForZero...  | keep preset values over defaults | none (caarlos0/env's default rule) | one rule
//	GetFieldParams                 | tag facts                        | Describe, Doc                      | documentation in three forms
//	errors                         | AggregateError; messages quote   | *Error of FieldError; no value,    | never a secret in a log
//	                               |   values                         |   the parser's error via Unwrap    |
//
// # What config does not do
//
// It does not watch for changes (a twelve-factor process restarts instead) or
// read config files other than .env. Pointers to nested structs are read only
// with the init tag option (or when already set), as in caarlos0/env.
package config
