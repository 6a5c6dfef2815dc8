// Package admin makes one binary run every process of a twelve-factor
// service: its process types (factor VIII), such as web and worker, and its
// one-off admin tasks (factor XII), such as migrate, each with the same
// configuration, the same logging and the same release.
//
//	var cfg Config                        // holds lifecycle.Config and logging.Config
//	app := admin.New("shop", &cfg)        // loads cfg before any command runs
//	app.Process("web", "serve the HTTP API", web)
//	app.Process("worker", "process jobs", worker)
//	app.Task("migrate", "apply schema migrations", migrate)
//	os.Exit(app.Run(context.Background(), os.Args[1:]))
//
// # Words
//
// A command is anything the binary runs. A process type is a long-running
// command, run inside a lifecycle.Group (signals, graceful stop, $PORT,
// probes). A task is a one-off command that does its work and exits; SIGINT
// and SIGTERM cancel its context. Built-in commands come with every App.
//
// # Built-in commands
//
//   - config: every variable with its value, secrets and URL passwords
//     redacted, and where it came from; with -doc, the documentation of the
//     variables as a text table, Markdown or a .env.example. It runs, and
//     shows what is missing, when the configuration is incomplete.
//   - backing: the attached backing services found in *_URL variables,
//     redacted; with -check, a reachability check of each.
//   - version: the release and the build information.
//   - help: the list of commands and the configuration's documentation, or
//     one command's flags.
//
// [WithBuiltinName] renames or removes them; a registered command of the
// same name replaces a built-in.
//
// # Exit codes
//
// 0 success, 1 failure, [ExitUsage] (64) for a usage error, [ExitConfig] (78)
// for a configuration problem, and lifecycle.ExitCode's codes for process
// types (124 for a stop past its timeout, 130 for a forced stop). A task that
// fails after a signal exits with 128 plus the signal's number. An error that
// has an ExitCode() int method chooses its own code.
//
// # Testing commands
//
// [App.Run] takes options that replace, for one call, the environment
// ([WithEnvironment]), the output ([WithOutput]) and the logger
// ([WithLogger]), so a test runs a command in-process and reads everything it
// printed and logged, without touching the process's own.
package admin
