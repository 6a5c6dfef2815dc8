package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/platform"
	"github.com/twelvekit/twelvekit/internal/stop"
	"github.com/twelvekit/twelvekit/lifecycle"
	"go.uber.org/zap"
)

// ProcessFunc sets up a process type: it adds the actors, HTTP servers,
// startup work and readiness checks of the process to g, which the App then
// runs until a signal stops it. ctx is the context of the whole run.
type ProcessFunc func(ctx context.Context, c *Call, g *lifecycle.Group) error

// TaskFunc runs a one-off task. ctx is cancelled on SIGINT or SIGTERM (and
// at the timeout of [WithTimeout]): the task should stop, clean up and
// return. A task that does not is left behind when a second SIGINT forces
// the stop (130), or when its stop runs past SHUTDOWN_TIMEOUT after the
// first signal, or past its WithTimeout (124); a panic is recovered and
// reported as the task's error.
type TaskFunc func(ctx context.Context, c *Call) error

// Call is what a command gets besides its context: its arguments, its
// parsed flags, where to print and what to log through. Commands print
// results to Stdout and problems to Stderr, never to os.Stdout, so that tests
// can capture them.
type Call struct {
	// Name is the command's name.
	Name string
	// Args are the arguments left after the flags.
	Args []string
	// Flags holds the command's flags, parsed.
	Flags *flag.FlagSet
	// Stdout and Stderr are the run's output.
	Stdout, Stderr io.Writer
	// Log is the run's logger; a process type's or a task's carries the
	// process field (the command's name), as the lines of its group do.
	Log *zap.Logger

	mu       sync.Mutex
	g        *lifecycle.Group // the process type's group, during its setup
	cleanups []cleanup
}

type cleanup struct {
	name string
	fn   func(ctx context.Context) error
}

// Cleanup registers fn, named name for the logs, to run after the command
// has ended, last registered first, also when the command failed. Use it to
// close what every actor shares, such as a database pool, which an actor
// must not close while others still use it.
//
// For a process type it is lifecycle's [lifecycle.Group.Cleanup]: fn runs
// once every actor of the group has stopped, inside SHUTDOWN_TIMEOUT, and its
// ctx carries the remaining deadline; when the setup function fails, the
// group is not run and the cleanups registered so far run at once, inside
// SHUTDOWN_TIMEOUT too: one still running then is named, and the command
// exits 124. For a task, fn runs once the task has returned, with a ctx
// that the task's cancellation does not end (the task's timeout still
// bounds it), and a second signal or the timeout cuts the cleanups short as
// it does the task, naming the cleanup that was running; without a
// timeout, SHUTDOWN_TIMEOUT after the first signal bounds them. An error fn
// returns, or its panic, is logged, and is the command's error when the
// command itself succeeded.
//
// Cleanup returns an error, and registers nothing, when name is empty or
// already used, or fn is nil; for a process type also once its group runs
// (register cleanups in the setup function). It is safe for concurrent use.
func (c *Call) Cleanup(name string, fn func(ctx context.Context) error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case name == "":
		return errors.New("admin: cleanup with an empty name; give it a name for the logs")
	case fn == nil:
		return fmt.Errorf("admin: cleanup %q has a nil function; pass the function to run", name)
	}
	for _, cl := range c.cleanups {
		if cl.name == name {
			return fmt.Errorf("admin: cleanup %q: name already used; give each a distinct name", name)
		}
	}
	if c.g != nil {
		if err := c.g.Cleanup(name, fn); err != nil {
			return err
		}
	}
	c.cleanups = append(c.cleanups, cleanup{name, fn})
	return nil
}

// runCleanups runs the cleanups, last first, each with its panic
// recovered, logging each failure; each waits with s (nil: no bound). It
// returns the first failure, or a *stop.Error naming the cleanup still
// running when s's deadline or a forcing signal cut them short.
func (c *Call) runCleanups(ctx context.Context, s *stopper) error {
	c.mu.Lock()
	list := make([]stop.Cleanup, len(c.cleanups))
	for i, cl := range c.cleanups {
		list[i] = stop.Cleanup{Name: cl.name, Fn: cl.fn}
	}
	c.cleanups = nil
	c.mu.Unlock()
	wait := func(_ string, fin <-chan struct{}) error {
		if s == nil {
			<-fin
			return nil
		}
		return s.wait(fin)
	}
	done, stuck, skipped, err := stop.RunCleanups(ctx, list, wait)
	var first error
	for _, res := range done {
		if res.Err == nil {
			continue
		}
		if perr, ok := stop.Panicked(res.Err); ok {
			c.Log.Error("cleanup panicked", zap.String("cleanup", res.Name), zap.String("panic", fmt.Sprint(perr.Value)), zap.ByteString("stack", perr.Stack))
		} else {
			c.Log.Error("cleanup failed", zap.String("cleanup", res.Name), zap.Error(res.Err))
		}
		if first == nil {
			first = fmt.Errorf("admin: cleanup %q failed: %w", res.Name, res.Err)
		}
	}
	if err != nil {
		if len(skipped) > 0 {
			c.Log.Error("cleanups not run: the stop ran out of time", zap.Strings("cleanups", skipped))
		}
		return &stop.Error{Kind: err, Stuck: []string{"cleanup " + stuck}, Cause: first,
			Advice: "make the cleanup return once its context is done, or raise SHUTDOWN_TIMEOUT"}
	}
	return first
}

type kind int

const (
	kindProcess kind = iota
	kindTask
	kindBuiltin
)

type command struct {
	name, summary, help string
	kind                kind
	flags               []func(*flag.FlagSet)
	cfg                 any           // WithConfig's, nil for the App's
	timeout             time.Duration // WithTimeout's, for a task
	process             ProcessFunc
	task                TaskFunc
	builtin             func(ctx context.Context, r *run, c *Call) int
	// subject returns the command whose configuration a built-in reads,
	// given its arguments: nil for none, appSubject() for the App's.
	subject func(r *run, args []string) (*command, error)
}

// appSubject is the subject of a built-in that reads the App's
// configuration.
func appSubject() *command { return &command{kind: kindBuiltin} }

// App is one binary with many commands: the process types of a service (web,
// worker), its one-off tasks (migrate) and built-ins (config, backing,
// version, help). A command reads the App's configuration, or its own
// ([WithConfig]), loaded from one snapshot of the environment before it
// starts, and logs through a logger built from the same snapshot.
//
// Register commands before calling [App.Run]; registering is not safe for
// concurrent use, running is: several Runs may go at once (in tests) when
// they do not share the config struct.
type App struct {
	name     string
	cfg      any
	opts     []Option
	commands []*command
	errs     []error
}

// New returns an App named name (used in help and error messages) that loads
// its configuration into cfg, a pointer to the service's config struct, at
// the start of every Run of a command that has no configuration of its own
// ([WithConfig]). Commands read the loaded values through the same pointer.
// The first logging.Config and lifecycle.Config found in the struct (embedded
// or as fields) configure the logger and the process types; without them
// LOG_LEVEL, PORT and the others are read alone, from the same snapshot of
// the environment. A task never reads the lifecycle.Config: a problem with
// PORT does not stop it. cfg may be nil for an App without configuration.
func New(name string, cfg any, opts ...Option) *App {
	a := &App{name: name, cfg: cfg, opts: opts}
	if cfg != nil {
		if v := reflect.ValueOf(cfg); v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			a.errs = append(a.errs, fmt.Errorf("admin: New needs a pointer to the config struct, not %T; pass &cfg", cfg))
		}
	}
	return a
}

// Process registers a process type, a long-running command such as web or
// worker: setup adds its actors to a lifecycle.Group, which the App runs with
// signals, graceful stop and $PORT as lifecycle documents.
func (a *App) Process(name, summary string, setup ProcessFunc, opts ...CommandOption) {
	if setup == nil {
		a.errs = append(a.errs, fmt.Errorf("admin: process type %q has a nil function", name))
		return
	}
	a.add(&command{name: name, summary: summary, kind: kindProcess, process: setup}, opts)
}

// Task registers a one-off task, such as migrate: a command that does its
// work and exits, with the same config and logger as the process types.
func (a *App) Task(name, summary string, run TaskFunc, opts ...CommandOption) {
	if run == nil {
		a.errs = append(a.errs, fmt.Errorf("admin: task %q has a nil function", name))
		return
	}
	a.add(&command{name: name, summary: summary, kind: kindTask, task: run}, opts)
}

func (a *App) add(c *command, opts []CommandOption) {
	for _, o := range opts {
		if o != nil {
			o.applyCommand(c)
		}
	}
	if _, ok := structPtr(c.cfg); c.cfg != nil && !ok {
		a.errs = append(a.errs, fmt.Errorf("admin: WithConfig of command %q needs a pointer to a config struct, not %T; pass &cfg", c.name, c.cfg))
		return
	}
	switch {
	case c.name == "" || strings.HasPrefix(c.name, "-") || strings.ContainsAny(c.name, " \t\n"):
		a.errs = append(a.errs, fmt.Errorf("admin: command name %q is not a word; use a name such as migrate", c.name))
	case c.name == "help" || a.find(c.name) != nil:
		a.errs = append(a.errs, fmt.Errorf("admin: command %q is registered twice", c.name))
	default:
		a.commands = append(a.commands, c)
	}
}

func (a *App) find(name string) *command {
	for _, c := range a.commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// run is the state of one App.Run.
type run struct {
	app      *App
	s        settings
	env      map[string]string // the snapshot: read once, never changed
	stdout   io.Writer
	stderr   io.Writer
	commands []*command     // registered and built-in, in help order
	report   *config.Report // the sources of the load, for the config built-in, and its warnings
	rd       *reads         // what the command reads
	cfgErr   error          // the problems of what it reads
	log      *zap.Logger
}

func (r *run) find(name string) *command {
	for _, c := range r.commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Run runs the command args name with the rest of args as its flags and
// arguments, and returns the exit code the process should end with:
//
//	os.Exit(app.Run(context.Background(), os.Args[1:]))
//
// In order, Run: reads the environment once (see [WithEnvironment]);
// answers help (no command, "help", "-h", "--help", "help NAME", "NAME -h")
// on stdout, or on stderr with [lifecycle.ExitUsage] when no command was given;
// rejects an unknown command, a flag before the command or a bad flag on
// stderr with [lifecycle.ExitUsage], suggesting the closest name; loads what the
// command reads (the App's configuration, or the command's own of
// [WithConfig], with its logging and, for a process type, lifecycle
// settings), and on a problem prints each one on stderr and returns
// [lifecycle.ExitConfig] before the command starts (the config and version built-ins
// still run, showing what is missing); then runs the command.
//
// A process type runs in a lifecycle.Group until a signal stops it; when
// its setup function fails, the group is not run at all: nothing is bound
// and nothing starts. A task runs with a context that the first SIGINT or
// SIGTERM cancels; by the same rule as lifecycle's (one stop machine serves
// both), a SIGINT 500 ms or more after the first signal forces the stop: Run
// logs it and returns 130 at once, leaving the task behind. Without
// [WithTimeout], the first signal also starts the stop's one deadline,
// SHUTDOWN_TIMEOUT of the environment (25s when unset or not a duration):
// a task, or one of its cleanups, still running then is named and Run
// returns 124. The log is flushed within that deadline before the signal
// handlers are released. A task's panic becomes a
// *lifecycle.PanicError, logged once with its stack. A task's error is
// printed once, on stderr; a process type's errors are logged by its group.
// The exit codes are in the package documentation.
//
// Run never calls os.Exit, and it releases every signal handler it set
// before it returns.
func (a *App) Run(ctx context.Context, args []string, opts ...Option) int {
	r := &run{app: a, stdout: os.Stdout, stderr: os.Stderr}
	for _, o := range a.opts {
		if o != nil {
			o.apply(&r.s)
		}
	}
	for _, o := range opts {
		if o != nil {
			o.apply(&r.s)
		}
	}
	if r.s.stdout != nil {
		r.stdout = r.s.stdout
	}
	if r.s.stderr != nil {
		r.stderr = r.s.stderr
	}
	if errs := a.check(&r.s); len(errs) > 0 {
		fmt.Fprintln(r.stderr, errors.Join(errs...))
		return 1
	}
	r.env = snapshot(&r.s)
	r.commands = append(append([]*command(nil), a.commands...), r.builtins()...)

	if len(args) == 0 && r.s.platformType {
		if typ, from := r.processType(); typ != "" {
			c := r.find(typ)
			if c == nil || c.kind != kindProcess {
				fmt.Fprintf(r.stderr, "%s: %s names process type %q, which is not one of this program's process types (%s)\n", a.name, from, typ, strings.Join(r.names(kindProcess), ", "))
				return lifecycle.ExitUsage
			}
			args = []string{typ}
		}
	}
	if len(args) == 0 {
		r.usage(r.stderr)
		return lifecycle.ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			c := r.find(args[1])
			if c == nil {
				return r.unknown(args[1])
			}
			r.commandUsage(r.stdout, c, r.flagSet(c))
			return 0
		}
		r.usage(r.stdout)
		return 0
	}
	c := r.find(args[0])
	if c == nil {
		if strings.HasPrefix(args[0], "-") {
			return r.flagFirst(args)
		}
		return r.unknown(args[0])
	}
	fs := r.flagSet(c)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			r.commandUsage(r.stdout, c, fs)
			return 0
		}
		fmt.Fprintf(r.stderr, "%s %s: %v\nRun '%s help %s' for usage.\n", a.name, c.name, err, a.name, c.name)
		return lifecycle.ExitUsage
	}

	subject := c
	if c.kind == kindBuiltin {
		var err error
		if subject, err = c.subject(r, fs.Args()); err != nil {
			fmt.Fprintf(r.stderr, "%s %s: %v\nRun '%s help %s' for usage.\n", a.name, c.name, err, a.name, c.name)
			return lifecycle.ExitUsage
		}
	}
	// Every run keeps the report: the config built-in shows its sources,
	// and its warnings (a deprecated name in use) are logged at start.
	r.report = &config.Report{}
	r.rd = r.readsOf(subject)
	r.cfgErr = r.load(r.rd)
	if r.cfgErr != nil && c.kind != kindBuiltin {
		fmt.Fprintln(r.stderr, r.cfgErr)
		return lifecycle.ExitConfig
	}
	r.log = r.logger(r.rd.cfg, r.rd.logging)
	defer func() { _ = r.log.Sync() }()
	log := r.log
	if c.kind != kindBuiltin {
		// A built-in's stdout is its output (a schema, a table); config
		// shows a deprecated name in its sources instead.
		r.logWarnings()
		log = log.With(zap.String("process", c.name)) // as the group's own lines
	}
	call := &Call{Name: c.name, Args: fs.Args(), Flags: fs, Stdout: r.stdout, Stderr: r.stderr, Log: log}

	switch c.kind {
	case kindBuiltin:
		defer func() { _ = call.runCleanups(context.WithoutCancel(ctx), nil) }()
		return c.builtin(ctx, r, call)
	case kindProcess:
		return r.runProcess(ctx, c, call)
	}
	return r.runTask(ctx, c, call)
}

// processType returns the process type named by the service's own
// variables of WithPlatformProcessType, else by the platform's, and what
// named it ("SERVER_TO_RUN", "the platform"); "" when none is set.
func (r *run) processType() (typ, from string) {
	for _, v := range r.s.processTypeVars {
		if typ := r.lookup(v); typ != "" {
			return typ, v
		}
	}
	return platform.ProcessType(r.lookup), "the platform"
}

// check returns the problems of registration and of the options.
func (a *App) check(s *settings) []error {
	errs := append([]error(nil), a.errs...) // Runs may go at once
	for _, h := range s.logHooks {
		ok := a.cfg != nil && reflect.TypeOf(a.cfg) == h.typ
		for _, c := range a.commands {
			ok = ok || (c.cfg != nil && reflect.TypeOf(c.cfg) == h.typ)
		}
		if !ok {
			errs = append(errs, fmt.Errorf("admin: WithLogging's function takes a %s, which is the config of no command; make it take the App's config type", h.typ))
		}
	}
	return errs
}

// flagFirst reports a flag given before the command.
func (r *run) flagFirst(args []string) int {
	name := r.app.name
	for i, a := range args {
		if !strings.HasPrefix(a, "-") {
			if c := r.find(a); c != nil {
				fixed := append(append([]string{c.name}, args[:i]...), args[i+1:]...)
				fmt.Fprintf(r.stderr, "%s: flag %s comes before the command; flags go after it, as in '%s %s'\nRun '%s help %s' for its flags.\n", name, args[0], name, strings.Join(fixed, " "), name, c.name)
				return lifecycle.ExitUsage
			}
			break
		}
	}
	fmt.Fprintf(r.stderr, "%s: flag %s comes before any command; flags go after the command, as in '%s <command> %s'\nRun '%s help' for the list of commands.\n", name, args[0], name, args[0], name)
	return lifecycle.ExitUsage
}

func (r *run) flagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(r.app.name+" "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, define := range c.flags {
		define(fs)
	}
	return fs
}
