package admin

import (
	"flag"
	"io"
	"reflect"
	"runtime/debug"
	"slices"
	"time"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/logging"
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
	// processTypeVars are the service's own variables naming the process
	// type, read before the platform's.
	processTypeVars []string
	builtinNames    map[string]string
	logHooks        []logHook
	buildInfo       func() (*debug.BuildInfo, bool) // tests replace debug.ReadBuildInfo
}

// logHook is one WithLogging function, for configs of type typ.
type logHook struct {
	typ    reflect.Type
	derive func(cfg any, lc *logging.Config)
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithEnvironment makes the App read variables from env instead of the
// process environment: config loading, the platform's process type, the
// attached backing services, the logger's release and instance. Meant for
// tests. A nil map is an empty environment. The map is only read, never
// changed. Repeating it replaces the earlier map.
//
// Without it, each [App.Run] reads the process environment once, into one
// map that every part of the run reads.
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
// config.WithPrefix or config.WithDotEnv; they apply to every struct a
// command reads. The environment is always the run's one snapshot, so a
// config.WithEnvironment given here has no effect: use [WithEnvironment].
// Repeating it adds options after the earlier ones.
func WithConfigOptions(opts ...config.Option) Option {
	return optionFunc(func(s *settings) {
		s.configOpts = append(s.configOpts, opts...)
	})
}

// WithLogging lets a service derive its logging settings from its own
// variables: after the configuration of a command is loaded, and before the
// logger is built from it, derive is called with that configuration and
// with the logging.Config read for the command, which it may change. Use it
// to map a variable of the service to a setting of the logger, such as a
// SERVER_DEBUG that means LOG_LEVEL=debug:
//
//	admin.WithLogging(func(cfg *Config, lc *logging.Config) {
//		if cfg.Debug {
//			lc.Level = logging.LevelDebug
//		}
//	})
//
// derive runs only for a command whose configuration is a *C: the App's,
// for commands without one of their own, or a command's own; a C that is
// not the type of the App's configuration makes [App.Run] fail with exit 1.
// It does not run when [WithLogger] gives the logger. Repeating it adds
// functions, called in order.
func WithLogging[C any](derive func(cfg *C, lc *logging.Config)) Option {
	return optionFunc(func(s *settings) {
		if derive == nil {
			return
		}
		s.logHooks = append(s.logHooks, logHook{
			typ: reflect.TypeFor[*C](),
			derive: func(cfg any, lc *logging.Config) {
				if c, ok := cfg.(*C); ok {
					derive(c, lc)
				}
			},
		})
	})
}

// WithPlatformProcessType makes the App run the process type the platform
// names when it is started without a command: first the service's own
// variables vars, in order (a service that already has SERVER_TO_RUN keeps
// it), then Heroku's DYNO (web.1 runs web; one-off run.N dynos do not
// count), Fly.io's FLY_PROCESS_GROUP, or PROCESS_TYPE, which any platform or
// manifest can set; an empty variable counts as unset. A name that is no
// registered process type is a usage error naming the variable. Without
// this option, or when none of those variables is set, no command prints
// the help. Repeating it replaces the earlier vars.
func WithPlatformProcessType(vars ...string) Option {
	vars = slices.Clone(vars)
	return optionFunc(func(s *settings) { s.platformType, s.processTypeVars = true, vars })
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

// WithConfig makes the command read cfg, a pointer to a config struct,
// instead of the App's configuration: only cfg is loaded and checked before
// the command runs, so the command runs when its own variables are right,
// whatever the others say. cfg may be a struct of the command's own, or a
// struct inside the App's configuration (admin.WithConfig(&cfg.DB)), which
// is then read with the envPrefix tags of the fields above it. Options of
// [WithConfigOptions] apply to it as to the App's.
//
// When cfg holds no logging.Config, the command's logger reads the one of
// the App's configuration, or LOG_LEVEL and the other logging variables
// alone; the same goes for the lifecycle.Config of a process type. "help
// NAME" and "config -doc" list what the command reads; "config NAME" shows
// its values. Repeating it replaces the earlier cfg.
func WithConfig(cfg any) CommandOption {
	return commandOptionFunc(func(c *command) { c.cfg = cfg })
}

// WithTimeout bounds a task and its cleanups: once d has passed since it
// started (less its last tenth, at most 200 ms, kept for the final flush of
// the log), its context is cancelled and [App.Run] returns 124 at once,
// logging that the task timed out and naming what still ran (the task, or
// the cleanup of a task that had returned), without waiting for it and
// without running the cleanups not yet run (the process ends with it). For a process
// type it does nothing: SHUTDOWN_TIMEOUT bounds its stop. A d of 0 or less
// means no timeout. Repeating it replaces the earlier timeout.
func WithTimeout(d time.Duration) CommandOption {
	return commandOptionFunc(func(c *command) { c.timeout = d })
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
