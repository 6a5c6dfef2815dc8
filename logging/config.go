package logging

import (
	"strings"

	"go.uber.org/zap/zapcore"
)

// Config is what an operator sets through the environment. Embed it, or hold
// it in a field, in the config struct of a service and load it with the
// config package (or any loader that reads env tags); every field has a
// working default, so the zero Config is the same as the defaults: info
// level, JSON, zap-style keys, no sampling, service named after the program.
//
// [New] also reads the variables that name the release and the instance
// (RELEASE, DYNO, POD_NAME and the others listed in the package
// documentation), and with KeysGCP the Google Cloud project of the trace
// field (GOOGLE_CLOUD_PROJECT, GCP_PROJECT, GCLOUD_PROJECT or
// CLOUDSDK_CORE_PROJECT, the first set); those are not fields because
// their order of precedence is fixed by the platforms, not chosen per
// service.
type Config struct {
	// Level is the minimum level logged, and the starting value of the level
	// that [LevelHandler] changes at run time.
	Level Level `env:"LOG_LEVEL" envDefault:"info" desc:"minimum level logged: debug, info, warn or error"`
	// Format is the encoding of each event.
	Format Format `env:"LOG_FORMAT" envDefault:"json" desc:"json (one JSON event per line) or console (human-readable, for development)"`
	// Keys names the fields of JSON events so that a log pipeline reads them
	// without mapping. It does not change the console format.
	Keys Keys `env:"LOG_KEYS" envDefault:"zap" desc:"names of the JSON keys: zap (ts, level, msg) or gcp (time, severity, message) for Google Cloud Logging"`
	// Sampling, when true, keeps the first 100 events with the same level and
	// message in each second and then one in 100. Off by default: a stream
	// must not drop events unless asked.
	Sampling bool `env:"LOG_SAMPLING" envDefault:"false" desc:"drop repeated events: keep the first 100 per message and second, then 1 in 100"`
	// Buffer, when above zero, makes logging calls never wait for stdout:
	// events go into a queue of at most Buffer events that a goroutine
	// writes out, events beyond it are dropped, and once the queue has
	// drained one warn event, "logging: events dropped while stdout was
	// not read", says how many with its dropped field. Zero (the default)
	// writes each event in the logging call, which waits while stdout is
	// not read, so that no event is ever lost. See the package
	// documentation, "A stalled or closed stdout".
	Buffer int `env:"LOG_BUFFER" envDefault:"0" desc:"0: a logging call waits for stdout; N: queue up to N events and drop (and count) the rest when stdout is not read"`
	// Service is the value of the service field of every event. Empty means
	// the program's name: the last element of its main package path, or of
	// its executable's path.
	Service string `env:"SERVICE_NAME" desc:"name of the service on every event; empty means the program's name" public:"true"`
}

// Level is the severity of an event and the minimum severity a logger
// writes. Its text form, read from LOG_LEVEL, is debug, info, warn or error
// (in any case; warning is accepted for warn). The zero value is LevelInfo.
// Levels below LevelDebug act as LevelDebug and levels above LevelError as
// LevelError.
type Level int8

// The levels, from the most to the least verbose. They have the values of
// the zapcore levels of the same names.
const (
	LevelDebug = Level(zapcore.DebugLevel)
	LevelInfo  = Level(zapcore.InfoLevel)
	LevelWarn  = Level(zapcore.WarnLevel)
	LevelError = Level(zapcore.ErrorLevel)
)

// valueError is the error of the UnmarshalText methods of this package's
// setting types. It never quotes the text; its Problem and Want methods let
// the config package report it in its own words ("LOG_LEVEL: not a log
// level; want one of debug, info, warn, error") without logging importing
// config.
type valueError struct{ problem, want string }

func (e *valueError) Error() string   { return e.problem + "; want " + e.want }
func (e *valueError) Problem() string { return e.problem }
func (e *valueError) Want() string    { return e.want }

// errLevel says what a level must be.
var errLevel = &valueError{"not a log level", "one of debug, info, warn, error"}

// String returns debug, info, warn or error.
func (l Level) String() string { return l.zap().String() }

// MarshalText returns the text form of l: debug, info, warn or error.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText sets l from debug, info, warn or error, in any case. Its
// error never quotes text, so a loader can show it as it is.
func (l *Level) UnmarshalText(text []byte) error {
	lv, ok := parseLevel(string(text))
	if !ok {
		return errLevel
	}
	*l = lv
	return nil
}

func parseLevel(s string) (Level, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return LevelDebug, true
	case "info":
		return LevelInfo, true
	case "warn", "warning":
		return LevelWarn, true
	case "error":
		return LevelError, true
	}
	return 0, false
}

// zap returns l as a zapcore level, clamped to debug..error.
func (l Level) zap() zapcore.Level {
	switch {
	case l < LevelDebug:
		return zapcore.DebugLevel
	case l > LevelError:
		return zapcore.ErrorLevel
	}
	return zapcore.Level(l)
}

// Format is the encoding of events: FormatJSON, one JSON object per line for
// the platform's log pipeline, or FormatConsole, aligned human-readable lines
// for a developer's terminal. Its text form, read from LOG_FORMAT, is json or
// console. The zero value is FormatJSON; an unknown value acts as FormatJSON.
type Format uint8

// The formats.
const (
	FormatJSON Format = iota
	FormatConsole
)

// String returns json or console.
func (f Format) String() string {
	if f == FormatConsole {
		return "console"
	}
	return "json"
}

// MarshalText returns the text form of f: json or console.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// UnmarshalText sets f from json or console, in any case. Its error never
// quotes text.
func (f *Format) UnmarshalText(text []byte) error {
	switch strings.ToLower(strings.TrimSpace(string(text))) {
	case "json":
		*f = FormatJSON
	case "console":
		*f = FormatConsole
	default:
		return &valueError{"not a log format", "json or console"}
	}
	return nil
}

// Keys selects the names of the fixed fields of JSON events, so that a log
// pipeline reads time, level and message without a mapping rule. Its text
// form, read from LOG_KEYS, is zap or gcp. The zero value is KeysZap; an
// unknown value acts as KeysZap.
//
// The fixed fields with each preset:
//
//	field        KeysZap               KeysGCP
//	time         ts (RFC 3339, UTC)    time (RFC 3339, UTC)
//	level        level: debug, info,   severity: DEBUG, INFO,
//	             warn, error           WARNING, ERROR
//	message      msg                   message
//	logger name  logger                logger
//	caller       caller                caller
//	stack trace  stacktrace            stack_trace
//
// KeysZap suits pipelines that read zap's or logfmt-style names (Datadog,
// Loki, Vector, Fluent Bit); KeysGCP is what Google Cloud Logging reads as the
// entry's timestamp, severity and message, and what Error Reporting reads as a
// stack trace.
type Keys uint8

// The key presets.
const (
	KeysZap Keys = iota
	KeysGCP
)

// String returns zap or gcp.
func (k Keys) String() string {
	if k == KeysGCP {
		return "gcp"
	}
	return "zap"
}

// MarshalText returns the text form of k: zap or gcp.
func (k Keys) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText sets k from zap or gcp, in any case. Its error never quotes
// text.
func (k *Keys) UnmarshalText(text []byte) error {
	switch strings.ToLower(strings.TrimSpace(string(text))) {
	case "zap":
		*k = KeysZap
	case "gcp":
		*k = KeysGCP
	default:
		return &valueError{"not a key preset", "zap or gcp"}
	}
	return nil
}
