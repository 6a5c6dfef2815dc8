package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"sync"
	"syscall"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/platform"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// Exit codes of [App.Run], besides those of lifecycle.ExitCode (0 for
// success, 1 for a failure, 124 for a stop past its timeout, 130 for a stop
// forced by a second signal).
const (
	// ExitUsage (EX_USAGE of sysexits.h) ends a run with an unknown
	// command, a bad flag or no command at all.
	ExitUsage = 64
	// ExitConfig (EX_CONFIG of sysexits.h) ends a run whose configuration
	// is wrong; no command has started then.
	ExitConfig = 78
)

// ProcessFunc sets up a process type: it adds the actors, HTTP servers,
// startup work and readiness checks of the process to g, which the App then
// runs until a signal stops it. ctx is the context of the whole run.
type ProcessFunc func(ctx context.Context, c *Call, g *lifecycle.Group) error

// TaskFunc runs a one-off task. ctx is cancelled on SIGINT or SIGTERM: the
// task should stop, clean up and return.
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
	// Log is the run's logger.
	Log *zap.Logger

	cleanups []func()
}

// Cleanup registers f to run after the command has ended: for a process
// type, once its group has stopped every actor; for a task, once it has
// returned. Functions run last registered first, also when the command
// failed. Use it to close what every actor shares, such as a database pool,
// which an actor of the group must not close while others still use it.
func (c *Call) Cleanup(f func()) {
	if f != nil {
		c.cleanups = append(c.cleanups, f)
	}
}

func (c *Call) runCleanups() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
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
	process             ProcessFunc
	task                TaskFunc
	builtin             func(ctx context.Context, r *run, c *Call) int
}

// App is one binary with many commands: the process types of a service (web,
// worker), its one-off tasks (migrate) and built-ins (config, backing,
// version, help). Every command of a run shares one configuration, loaded once
// before the command starts, and one logger.
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
// the start of every Run. Commands read the loaded values through the same
// pointer. The first logging.Config and lifecycle.Config found in the struct
// (embedded or as fields) configure the logger and the process types; without
// them their defaults are read from the same environment. cfg may be nil for
// an App without configuration.
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
	stdout   io.Writer
	stderr   io.Writer
	commands []*command // registered and built-in, in help order
	cfgErr   error
	log      *zap.Logger
	lc       lifecycle.Config
}

func (r *run) lookup(name string) string {
	if r.s.envSet {
		return r.s.env[name]
	}
	return os.Getenv(name)
}

func (r *run) configOptions() []config.Option {
	opts := r.s.configOpts
	if r.s.envSet {
		opts = append(append([]config.Option(nil), opts...), config.WithEnvironment(r.s.env))
	}
	return opts
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
// In order, Run: answers help (no command, "help", "-h", "--help", "help
// NAME", "NAME -h") on stdout, or on stderr with [ExitUsage] when no command
// was given; rejects an unknown command or a bad flag on stderr with
// [ExitUsage], suggesting the closest name; loads the configuration, and on
// a problem prints each one on stderr and returns [ExitConfig] before any
// command starts (the config and version built-ins still run, showing what
// is missing); then runs the command. A process type runs in a
// lifecycle.Group until a signal stops it; a task runs with a context that
// SIGINT and SIGTERM cancel. A task's error is printed once, on stderr; a
// process type's errors are logged by its group. The code is
// lifecycle.ExitCode's, and 128 plus the signal's number for a task that
// failed after a signal (130 for SIGINT, 143 for SIGTERM).
//
// Run never calls os.Exit, and it releases every signal handler it set
// before it returns.
func (a *App) Run(ctx context.Context, args []string, opts ...Option) int {
	r := &run{app: a, stdout: os.Stdout, stderr: os.Stderr}
	for _, o := range append(append([]Option(nil), a.opts...), opts...) {
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
	if len(a.errs) > 0 {
		fmt.Fprintln(r.stderr, errors.Join(a.errs...))
		return 1
	}
	r.commands = append(append([]*command(nil), a.commands...), r.builtins()...)

	if len(args) == 0 && r.s.platformType {
		if typ := platform.ProcessType(r.lookup); typ != "" {
			c := r.find(typ)
			if c == nil || c.kind != kindProcess {
				fmt.Fprintf(r.stderr, "%s: the platform names process type %q, which is not one of this program's process types (%s)\n", a.name, typ, strings.Join(r.names(kindProcess), ", "))
				return ExitUsage
			}
			args = []string{typ}
		}
	}
	if len(args) == 0 {
		r.usage(r.stderr)
		return ExitUsage
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
		return r.unknown(args[0])
	}
	fs := r.flagSet(c)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			r.commandUsage(r.stdout, c, fs)
			return 0
		}
		fmt.Fprintf(r.stderr, "%s %s: %v\nRun '%s help %s' for usage.\n", a.name, c.name, err, a.name, c.name)
		return ExitUsage
	}

	r.loadConfig()
	r.log = r.logger()
	defer func() { _ = r.log.Sync() }()
	call := &Call{Name: c.name, Args: fs.Args(), Flags: fs, Stdout: r.stdout, Stderr: r.stderr, Log: r.log}
	defer call.runCleanups()

	if c.kind == kindBuiltin {
		return c.builtin(ctx, r, call)
	}
	if r.cfgErr != nil {
		fmt.Fprintln(r.stderr, r.cfgErr)
		return ExitConfig
	}
	if c.kind == kindProcess {
		return r.runProcess(ctx, c, call)
	}
	return r.runTask(ctx, c, call)
}

func (r *run) flagSet(c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(r.app.name+" "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, define := range c.flags {
		define(fs)
	}
	return fs
}

// loadConfig parses the App's config and the lifecycle settings; a problem
// is kept for the commands that need a valid config.
func (r *run) loadConfig() {
	opts := r.configOptions()
	if r.app.cfg != nil {
		r.cfgErr = config.Parse(r.app.cfg, opts...)
	}
	if lc, ok := findField[lifecycle.Config](r.app.cfg); ok {
		r.lc = *lc
	} else if err := config.Parse(&r.lc, opts...); err != nil && r.cfgErr == nil {
		r.cfgErr = err
	}
}

func (r *run) logger() *zap.Logger {
	if r.s.log != nil {
		return r.s.log
	}
	var lcfg logging.Config
	if c, ok := findField[logging.Config](r.app.cfg); ok {
		lcfg = *c
	} else {
		_ = config.Parse(&lcfg, r.configOptions()...) // every value has a working default
	}
	if lcfg.Service == "" {
		lcfg.Service = r.app.name
	}
	lopts := []logging.Option{logging.WithWriter(r.stdout)}
	if r.s.envSet {
		lopts = append(lopts, logging.WithEnvironment(r.s.env))
	}
	return logging.New(lcfg, lopts...)
}

// findField returns the first field of type T in the struct cfg points to,
// searching fields in order and nested structs depth first. Pointers are
// not followed, so the walk ends: a struct cannot hold itself by value.
func findField[T any](cfg any) (*T, bool) {
	if cfg == nil {
		return nil, false
	}
	v := reflect.ValueOf(cfg)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, false
	}
	want := reflect.TypeFor[T]()
	var walk func(v reflect.Value) (*T, bool)
	walk = func(v reflect.Value) (*T, bool) {
		if v.Type() == want {
			return v.Addr().Interface().(*T), true
		}
		if v.Kind() != reflect.Struct {
			return nil, false
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				if t, ok := walk(v.Field(i)); ok {
					return t, true
				}
			}
		}
		return nil, false
	}
	return walk(v.Elem())
}

func (r *run) runProcess(ctx context.Context, c *command, call *Call) int {
	g := lifecycle.New(r.lc, lifecycle.WithLogger(r.log.With(zap.String("process", c.name))))
	if err := c.process(ctx, call, g); err != nil {
		// Run the group with a context already done, so that it runs the
		// interrupts of what setup added before failing and stops it again
		// at once; the setup error decides the exit code.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_ = g.Run(cctx)
		fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
		return lifecycle.ExitCode(err)
	}
	return lifecycle.ExitCode(g.Run(ctx))
}

func (r *run) runTask(ctx context.Context, c *command, call *Call) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	got := make(chan os.Signal, 1)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	defer func() {
		close(done)
		wg.Wait()
	}()
	go func() {
		defer wg.Done()
		select {
		case s := <-sigs:
			r.log.Info("signal received; cancelling the task", zap.String("signal", s.String()), zap.String("task", c.name))
			got <- s
			cancel()
		case <-done:
		}
	}()
	err := c.task(tctx, call)
	if err == nil {
		return 0
	}
	fmt.Fprintf(r.stderr, "%s %s: %v\n", r.app.name, c.name, err)
	select {
	case s := <-got:
		if n, ok := s.(syscall.Signal); ok {
			return 128 + int(n)
		}
	default:
	}
	return lifecycle.ExitCode(err)
}
