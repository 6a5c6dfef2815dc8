// Package admin makes one binary run every process of a twelve-factor
// service: its process types (factor VIII), such as web and worker, and its
// one-off admin tasks (factor XII), such as migrate, each with the same
// configuration (or only its own part of it), the same logging and the same
// release.
//
//	var cfg Config                        // holds lifecycle.Config and logging.Config
//	app := admin.New("shop", &cfg)        // loads cfg before any command runs
//	app.Process("web", "serve the HTTP API", web)
//	app.Process("worker", "process jobs", worker)
//	app.Task("migrate", "apply schema migrations", migrate,
//		admin.WithConfig(&cfg.DB))        // migrate reads and checks DB_* only
//	os.Exit(app.Run(context.Background(), os.Args[1:]))
//
// # Words
//
// A command is anything the binary runs. A process type is a long-running
// command, run inside a lifecycle.Group (signals, graceful stop, $PORT,
// probes). A task is a one-off command that does its work and exits; SIGINT
// and SIGTERM cancel its context. Built-in commands come with every App.
//
// # One environment, what each command reads
//
// Each [App.Run] reads the process environment once, into one map (or takes
// the map of [WithEnvironment]); every parse of the run, the built-ins and
// the logger's release and instance fields read that map. A command reads
// the App's configuration, or only its own when registered with
// [WithConfig] (a struct of its own, or a part of the App's), plus the
// logging settings and, for a process type, the lifecycle settings, found
// inside that configuration or else read alone. Only what the command reads
// is loaded and checked, and every problem of it is reported at once: a task
// whose own variables are right runs whatever the web process's variables
// say, and a task never fails on PORT. [WithLogging] derives logging
// settings from the service's own variables.
//
// # Built-in commands
//
//   - config: every variable with its value, printed by twelvekit's one
//     redaction rule (see config's "Printing values": numbers, booleans,
//     durations, enums, fields tagged public:"true" and the scheme, hosts,
//     ports and database of URLs show; secrets, values read from NAME_FILE,
//     other strings and the credentials of URLs are masked, and a line
//     under the table says how to show a masked value), and where it came
//     from, as the load recorded it; "config NAME" shows what command NAME
//     reads; with -doc,
//     the documentation of the variables as a text table, Markdown or a
//     .env.example, and of what each command with its own configuration
//     reads. It runs, and shows what is missing, when the configuration is
//     incomplete.
//   - backing: the backing services attached: the backing.URL fields of the
//     loaded configuration (set or defaulted) and the other *_URL variables
//     with a known scheme, printed by the same rule; with -check, a
//     reachability check of each.
//   - version: the release and the build information.
//   - help: the list of commands and the configuration's documentation, or
//     one command's flags and, for a command with its own configuration,
//     its variables.
//
// [WithBuiltinName] renames or removes them; a registered command of the
// same name replaces a built-in.
//
// # Exit codes
//
// One table for process types and tasks, lifecycle's (lifecycle.ExitCode and
// its constants lifecycle.ExitUsage, lifecycle.ExitConfig, lifecycle.ExitTimeout
// and lifecycle.ExitForced):
//
//	0    success; a process type stopped cleanly
//	1    failure, a panic included (a *lifecycle.PanicError, logged once
//	     with its stack); a task's error or a failed setup, printed once
//	64   usage: no command, an unknown one, a flag before the command,
//	     a bad flag
//	78   configuration: a problem with what the command reads; nothing ran
//	124  a stop that ran past SHUTDOWN_TIMEOUT, a task past its WithTimeout
//	130  a stop forced by a second signal: a SIGINT 500 ms or more after the
//	     first SIGINT or SIGTERM, for process types and tasks alike
//	128+N  a task that returned an error after signal N cancelled it (130
//	     for SIGINT, 143 for SIGTERM)
//
// An error that has an ExitCode() int method chooses its own code.
//
// # Testing commands
//
// [App.Run] takes options that replace, for one call, the environment
// ([WithEnvironment]), the output ([WithOutput]) and the logger
// ([WithLogger]), so a test runs a command in-process and reads everything it
// printed and logged, without touching the process's own.
package admin
