package admin

import (
	"flag"
	"io"
	"runtime/debug"

	"github.com/twelvekit/twelvekit/config"
	"go.uber.org/zap"
)

// An Option changes how an [App] runs. Options given to [New] apply to every
// [App.Run]; options given to Run apply to that call only and come after
// New's, so a test can replace the environment, the output and the logger of
// one call.
type Option interface {
	apply(*settings)
}

type settings struct {
	env          map[string]string
	envSet       bool
	stdout       io.Writer
	stderr       io.Writer
	log          *zap.Logger
	configOpts   []config.Option
	platformType bool
	builtinNames map[string]string
	buildInfo    func() (*debug.BuildInfo, bool) // tests replace debug.ReadBuildInfo
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithEnvironment makes the App read variables from env instead of the
// process environment: config loading, the platform's process type, the
// attached backing services and the release. Meant for tests. A nil map is an
// empty environment. Repeating it replaces the earlier map.
func WithEnvironment(env map[string]string) Option {
	return optionFunc(func(s *settings) {
		s.env, s.envSet = env, true
	})
}

// WithOutput sends what commands print to stdout and stderr instead of the
// process's own; the logger built from the config writes to stdout too.
// Repeating it replaces the earlier writers; a nil writer keeps the one before.
func WithOutput(stdout, stderr io.Writer) Option {
	return optionFunc(func(s *settings) {
		if stdout != nil {
			s.stdout = stdout
		}
		if stderr != nil {
			s.stderr = stderr
		}
	})
}

// WithLogger makes commands log through log instead of a logger built by
// logging.New from the logging.Config in the App's config. Tests pass a
// logger from logging/loggingtest to read the entries. Repeating it replaces
// the earlier logger.
func WithLogger(log *zap.Logger) Option {
	return optionFunc(func(s *settings) { s.log = log })
}

// WithConfigOptions passes options to config loading, such as
// config.WithPrefix or config.WithDotEnv. Repeating it adds options after the
// earlier ones.
func WithConfigOptions(opts ...config.Option) Option {
	return optionFunc(func(s *settings) {
		s.configOpts = append(s.configOpts, opts...)
	})
}

// WithPlatformProcessType makes the App run the process type the platform
// names when it is started without a command: Heroku's DYNO (web.1 runs web;
// one-off run.N dynos do not count), Fly.io's FLY_PROCESS_GROUP, or
// PROCESS_TYPE, which any platform or manifest can set. A name that is no
// registered process type is a usage error. Without this option, or when
// none of those variables is set, no command prints the help.
func WithPlatformProcessType() Option {
	return optionFunc(func(s *settings) { s.platformType = true })
}

// WithBuiltinName renames the built-in command builtin ("config", "backing"
// or "version") to name, or switches it off when name is "". Repeating it for
// the same built-in replaces the earlier name.
func WithBuiltinName(builtin, name string) Option {
	return optionFunc(func(s *settings) {
		if s.builtinNames == nil {
			s.builtinNames = map[string]string{}
		}
		s.builtinNames[builtin] = name
	})
}

// A CommandOption adds to a command registered with [App.Process] or
// [App.Task].
type CommandOption interface {
	applyCommand(*command)
}

type commandOptionFunc func(*command)

func (f commandOptionFunc) applyCommand(c *command) { f(c) }

// WithHelp sets the longer help text that "help NAME" and "NAME -h" print
// below the usage line. Repeating it replaces the earlier text.
func WithHelp(text string) CommandOption {
	return commandOptionFunc(func(c *command) { c.help = text })
}

// WithFlags lets a command define its flags: define is called with the
// command's flag.FlagSet, once per run, before the arguments are parsed.
// Define flags with the FlagSet's methods and read them after parsing, through
// variables the methods return or bind, or through [Call.Flags]. Repeating it
// adds definitions after the earlier ones.
func WithFlags(define func(fs *flag.FlagSet)) CommandOption {
	return commandOptionFunc(func(c *command) {
		if define != nil {
			c.flags = append(c.flags, define)
		}
	})
}
