// Package logging treats logs as a stream of events (factor XI of the
// twelve-factor app): one JSON event per line on stdout, built on
// go.uber.org/zap, with routing left to the platform. One call gives a
// service its logger; log/slog, the standard library's log package and HTTP
// requests all land in the same stream, at the same level.
//
//	cfg, err := config.Load[Config]()        // with a Logging logging.Config field
//	...
//	log := logging.New(cfg.Logging)          // *zap.Logger, JSON on stdout
//	defer log.Sync()                         // before the process exits
//	defer logging.RedirectStdLog(log, logging.LevelInfo)()
//	client := payments.New(logging.NewSlog(log)) // a library using log/slog
//	admin.Handle("/debug/level", logging.LevelHandler(log)) // internal port
//	srv.Handler = logging.Middleware(log)(mux)
//
// # Configuration
//
// [Config] holds the settings an operator makes through the environment:
//
//	LOG_LEVEL     debug, info, warn or error          default info
//	LOG_FORMAT    json or console                     default json
//	LOG_KEYS      zap or gcp (see [Keys])             default zap
//	LOG_SAMPLING  true to drop repeated events        default false
//	LOG_BUFFER    0 to wait for stdout, N to queue    default 0
//	              N events and drop the rest
//	SERVICE_NAME  the service field                   default the program's name
//
// With LOG_KEYS=gcp, the Google Cloud project of the trace field comes from
// GOOGLE_CLOUD_PROJECT, GCP_PROJECT, GCLOUD_PROJECT or CLOUDSDK_CORE_PROJECT,
// the first set (Cloud Run sets none of them: set GOOGLE_CLOUD_PROJECT).
//
// Wrong values are reported by the config loader as errors that name the
// variable and never quote the value; each field's desc tag lists the
// accepted values for the config's documentation.
//
// # Events
//
// A JSON event is one line: {"level":"info","ts":"2026-01-02T15:04:05.123456789Z",
// "msg":"...","service":"shop","release":"4f2a9c1","instance":"web.1",...}.
// Times are RFC 3339 in UTC with nanoseconds, durations are seconds. With
// LOG_KEYS=gcp the fixed keys are time, severity (DEBUG, INFO, WARNING,
// ERROR) and message, which Google Cloud Logging reads as they are. The
// console format, for a developer's terminal, prints the time of day, the
// level (in colour on a terminal, unless NO_COLOR is set), the message and
// the fields as JSON.
//
// The static fields come from the environment, read once by [New]; a field
// without a value is left out:
//
//   - service: Config.Service (SERVICE_NAME), else the program's name.
//   - release: RELEASE, else the platform's own variable (Heroku, Render,
//     Railway, Fly.io, Cloud Run and Knative), else the VCS revision the
//     binary was built from (with -dirty for a modified tree), else its
//     module version.
//   - instance: DYNO (Heroku), POD_NAME (Kubernetes, through the downward
//     API), the instance variables of Fly.io, Render and Railway, HOSTNAME,
//     else the host name from the operating system.
//
// The variables and their order are those of the repository's
// internal/platform package, which admin shares, so that both name the
// same release and instance.
//
// # Nothing lost at exit
//
// Events are not buffered (unless LOG_BUFFER says so, below): each is
// written to stdout by the logging call itself, so an event logged before
// the process exits is in the stream, and the logger's Sync returns only
// once the writer has everything. Call Sync
// (with defer, in main) before exiting, including after a SIGTERM.
//
// # A stalled or closed stdout
//
// By default (LOG_BUFFER=0) a logging call writes its event before it
// returns, so when whatever reads the process's stdout stops reading (a
// stuck log shipper, a paused terminal), the pipe's buffer fills (64 KiB on
// Linux) and every logging call waits, and with it every logged request,
// while a liveness probe that logs nothing still answers. That is the
// choice that loses nothing: platforms read stdout continuously.
//
// With LOG_BUFFER=N (Config.Buffer) logging calls never wait for stdout:
// up to N events wait in a queue that a goroutine writes out, later ones
// are dropped and counted, and after each batch it writes one warn event,
// "logging: events dropped while stdout was not read", gives the number
// dropped since the last one in its dropped field: every event logged is
// either written or counted in a report that is written. The goroutine runs
// only while events are queued. Sync waits for the queue and the reports as
// long as stdout takes them, however slowly, and returns [ErrStalled] only
// when one write has been blocked for 2 seconds (the reader has stopped), so
// that a process stops even with a stalled stdout (its writing goroutine
// then stays blocked until the process exits). lifecycle's Group.Run and
// admin's commands flush the log within SHUTDOWN_TIMEOUT themselves; once
// they have given up on stdout, Sync returns ErrStalled at once.
//
// A closed stdout (the reader has exited) is a broken pipe: Go kills the
// process with SIGPIPE on the first write to fd 1 or 2 after that (a shell
// shows exit status 141), whatever LOG_BUFFER says, unless the program
// handles SIGPIPE with signal.Notify, in which case the write fails with
// EPIPE and zap reports the error on stderr. Both are tested across a
// process boundary.
//
// # Trace correlation
//
// [Middleware] reads the request's W3C traceparent header (or Google
// Cloud's X-Cloud-Trace-Context), strictly by its specification, and adds
// trace_id, span_id and trace_sampled to the request's event and logger;
// with LOG_KEYS=gcp they are logging.googleapis.com/trace (with the
// project from GOOGLE_CLOUD_PROJECT and the like), logging.googleapis.com/spanId
// and logging.googleapis.com/trace_sampled. A service that runs
// OpenTelemetry hands the IDs of its own span over with [WithTraceFrom],
// without this package importing OpenTelemetry.
//
// # One level, changeable at run time
//
// Every logger derived from the one [New] returns shares one level: zap
// loggers made with With or Named, the slog logger of [NewSlog], the request
// loggers of [Middleware], the log package after [RedirectStdLog].
// [LevelHandler] shows it (GET) and changes it (PUT) over HTTP; [SetLevel]
// changes it from code.
//
// # log/slog
//
// [NewSlog] returns a *slog.Logger whose handler, written here over zapcore,
// writes to the same core: attributes become typed zap fields, groups become
// nested objects, the source location is added with [WithSource]. It passes
// testing/slogtest, and a debug call it does not log allocates nothing. A
// record logged with a request's context (InfoContext, LogAttrs) carries the
// request's request_id and trace fields, and one with a context of
// [NewContext] the fields of that context's logger, as the gorm, database
// and HTTP client logs of a request should.
//
// # Other transports
//
// A gRPC interceptor or a message consumer (NATS, AMQP, Kafka) makes the
// same request context from what its transport carries:
// [ParseTraceparent] reads a traceparent value, [NewRequestContext] keeps a
// well-formed request ID (or makes one) and adds the request's logger and
// trace, and [RequestID], [TraceFromContext] and [FromContext] read them
// back, with the keys of LOG_KEYS. The module grpcserve does this for gRPC.
//
// # HTTP
//
// [Middleware] logs one event per request (method, path, route, status,
// bytes, duration, remote address, user agent, request ID), keeps or makes
// an X-Request-ID, adds the request's trace, puts the request's logger in
// its context for [FromContext], recovers panics and answers 500. The route
// comes from http.ServeMux, or from any router through [WithRoute]. It never logs credentials:
// no header is logged unless named with [WithHeaders], and even then only
// the values of a short list of headers that carry no credential (Accept,
// Content-Type, User-Agent, X-Forwarded-For...) and of those the program
// declares with [WithPublicHeaders] show; every other value is redacted.
//
// # Secrets
//
// A value that redacts itself, such as config.Secret, stays redacted in
// every path: zap.Any, zap.Stringer and zap.Reflect, the sugared logger's
// formatting, and slog attributes (through slog.LogValuer). The package does
// not import config; it relies on those interfaces.
//
// # Tests
//
// Package loggingtest gives a test a logger whose entries it can read; [New]
// with [WithWriter], [WithEnvironment] and [WithClock] gives the exact JSON
// a service writes, the same on every run.
package logging
