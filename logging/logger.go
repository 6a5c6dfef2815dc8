package logging

import (
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/twelvekit/twelvekit/internal/platform"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// New returns a logger configured by cfg that writes one event per line to
// os.Stdout (or the writer given with [WithWriter]). The events carry the
// fields service, release and instance, each left out when it has no value
// (see the package documentation for the variables read, in order); they
// are encoded as JSON with the keys of cfg.Keys, or for a terminal with
// cfg.Format set to FormatConsole.
//
// Writes are not buffered: an event is on its way to the writer when the
// logging call returns, and the logger's Sync, which a program calls before
// it exits, returns once the writer has it. With cfg.Buffer above zero,
// events are queued instead and written by a goroutine that runs only while
// the queue is not empty; Sync then waits for the queue as long as stdout
// keeps taking events, and returns [ErrStalled] once one write has been
// blocked for 2 seconds (see the package documentation on a stalled
// stdout). Sync ignores the error that
// stdout gives when it is a pipe or a terminal, which cannot be synced.
//
// The logger's level starts at cfg.Level. It is one level for everything
// derived from the logger: loggers made with With, Named and WithOptions, the
// slog front end of [NewSlog], the request loggers of [Middleware] and the
// standard library's log after [RedirectStdLog]. [LevelHandler] changes it
// at run time.
//
// New adds no caller unless given [WithSource], and no stack trace and no
// hook; add those with the logger's WithOptions. Nothing needs closing: without cfg.Buffer it starts
// no goroutine, and with it the queue's goroutine ends when the queue is
// empty, at the latest by the time Sync returns nil.
// New never fails: every value of every Config field is usable.
func New(cfg Config, opts ...Option) *zap.Logger {
	s := newSettings(opts)
	w := s.w
	if w == nil {
		w = os.Stdout
	}
	level := zap.NewAtomicLevelAt(cfg.Level.zap())

	var enc zapcore.Encoder
	if cfg.Format == FormatConsole {
		enc = zapcore.NewConsoleEncoder(consoleEncoderConfig(useColor(w, &s)))
	} else {
		enc = zapcore.NewJSONEncoder(jsonEncoderConfig(cfg.Keys))
	}
	m := &meta{keys: cfg.Keys, source: s.source}
	if cfg.Keys == KeysGCP && cfg.Format == FormatJSON {
		m.gcpPrefix = gcpTracePrefix(&s)
	} else {
		m.keys = KeysZap
	}
	var out zapcore.WriteSyncer
	var q *queue
	if cfg.Buffer > 0 {
		q = newQueue(writeSyncer(w), cfg.Buffer)
		out = q
	} else {
		out = &locked{out: writeSyncer(w)}
	}
	root := &core{level: level, enc: enc, out: out, now: s.now, meta: m, node: &node{}}
	var c zapcore.Core = root
	if cfg.Sampling {
		c = &sampled{Core: zapcore.NewSamplerWithOptions(root, time.Second, 100, 100), root: root, node: root.node}
	}
	static := staticFields(cfg, &s)
	if q != nil {
		q.report = droppedReport(root.With(static).(*core))
	}
	if s.source {
		return zap.New(c.With(static), zap.AddCaller())
	}
	return zap.New(c.With(static))
}

// droppedReport returns the function that encodes the event reporting how
// many events a queue dropped, with c's encoder and static fields.
func droppedReport(c *core) func(int) []byte {
	return func(n int) []byte {
		ent := zapcore.Entry{Level: zapcore.WarnLevel, Time: time.Now(), Message: "logging: events dropped while stdout was not read"}
		if c.now != nil {
			ent.Time = c.now()
		}
		buf, err := c.enc.EncodeEntry(ent, []zapcore.Field{zap.Int("dropped", n)})
		if err != nil {
			return nil
		}
		b := append([]byte(nil), buf.Bytes()...)
		buf.Free()
		return b
	}
}

// core is the core of every logger New builds: zapcore's own io core (what
// zapcore.NewCore returns) rewritten to also carry the level that
// LevelHandler changes and the clock of WithClock, so that both are found
// again from any derived logger at no cost on the hot path.
type core struct {
	level zap.AtomicLevel
	enc   zapcore.Encoder
	out   zapcore.WriteSyncer
	now   func() time.Time
	meta  *meta
	node  *node
}

// meta is what every core of one New shares besides the level: the key
// preset of the trace fields, the Google Cloud trace prefix, and whether
// events carry their source location ([WithSource]).
type meta struct {
	keys      Keys
	gcpPrefix string // projects/PROJECT/traces/, or ""
	source    bool
}

// node records the fields a core was given by With, and its parent's node,
// so that the slog handler finds the fields that a logger in a context has
// and its own logger has not (see contextFields). The root node has none.
type node struct {
	parent *node
	fields []zapcore.Field
	depth  int
}

// child returns the node of a core made by With(fields) from n's core.
func (n *node) child(fields []zapcore.Field) *node {
	if len(fields) == 0 {
		return n
	}
	return &node{parent: n, fields: slices.Clone(fields), depth: n.depth + 1}
}

func (c *core) Enabled(l zapcore.Level) bool { return c.level.Enabled(l) }

// Level reports the current level, for zap's Logger.Level and
// zapcore.LevelOf.
func (c *core) Level() zapcore.Level { return c.level.Level() }

func (c *core) With(fields []zapcore.Field) zapcore.Core {
	clone := &core{level: c.level, enc: c.enc.Clone(), out: c.out, now: c.now, meta: c.meta, node: c.node.child(fields)}
	for i := range fields {
		fields[i].AddTo(clone.enc)
	}
	return clone
}

func (c *core) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if !c.level.Enabled(ent.Level) {
		return ce
	}
	if c.now != nil && !ent.Time.IsZero() {
		ent.Time = c.now()
	}
	return ce.AddCore(ent, c)
}

func (c *core) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	buf, err := c.enc.EncodeEntry(ent, fields)
	if err != nil {
		return err
	}
	_, err = c.out.Write(buf.Bytes())
	buf.Free()
	if err != nil {
		return err
	}
	if ent.Level > zapcore.ErrorLevel {
		// The program may be about to panic or exit.
		_ = c.Sync()
	}
	return nil
}

func (c *core) Sync() error { return c.out.Sync() }

// SyncBy is Sync bounded by deadline as well: what lifecycle's Group.Run
// and admin's commands call as the final flush of a stop, so that it ends
// by the stop's deadline, and the program's own Sync after it returns at
// once when stdout was given up on.
func (c *core) SyncBy(deadline time.Time) error {
	if s, ok := c.out.(syncerBy); ok {
		return s.SyncBy(deadline)
	}
	return c.out.Sync()
}

// sampled is the core of a logger with Config.Sampling: zap's sampler over
// core, wrapped so that the level and the clock are still found through it.
type sampled struct {
	zapcore.Core
	root *core
	node *node
}

// SyncBy is the root core's.
func (s *sampled) SyncBy(deadline time.Time) error { return s.root.SyncBy(deadline) }

func (s *sampled) With(fields []zapcore.Field) zapcore.Core {
	return &sampled{Core: s.Core.With(fields), root: s.root, node: s.node.child(fields)}
}

func (s *sampled) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if s.root.now != nil && !ent.Time.IsZero() {
		ent.Time = s.root.now() // before the sampler counts it
	}
	return s.Core.Check(ent, ce)
}

func (s *sampled) Level() zapcore.Level { return s.root.level.Level() }

// rootOf returns the core New built under log, or nil when log was built
// otherwise or its core was wrapped since.
func rootOf(log *zap.Logger) *core {
	if log == nil {
		return nil
	}
	switch c := log.Core().(type) {
	case *core:
		return c
	case *sampled:
		return c.root
	}
	return nil
}

// nodeOf returns the node of a core New built, or nil for any other core.
func nodeOf(c zapcore.Core) *node {
	switch c := c.(type) {
	case *core:
		return c.node
	case *sampled:
		return c.node
	}
	return nil
}

func jsonEncoderConfig(k Keys) zapcore.EncoderConfig {
	ec := zapcore.EncoderConfig{
		TimeKey:        "ts",
		LevelKey:       "level",
		NameKey:        "logger",
		CallerKey:      "caller",
		FunctionKey:    zapcore.OmitKey,
		MessageKey:     "msg",
		StacktraceKey:  "stacktrace",
		LineEnding:     zapcore.DefaultLineEnding,
		EncodeLevel:    zapcore.LowercaseLevelEncoder,
		EncodeTime:     utcTime,
		EncodeDuration: zapcore.SecondsDurationEncoder,
		EncodeCaller:   zapcore.ShortCallerEncoder,
		EncodeName:     zapcore.FullNameEncoder,
	}
	if k == KeysGCP {
		ec.TimeKey = "time"
		ec.LevelKey = "severity"
		ec.MessageKey = "message"
		ec.StacktraceKey = "stack_trace"
		ec.EncodeLevel = gcpLevel
	}
	return ec
}

func consoleEncoderConfig(color bool) zapcore.EncoderConfig {
	ec := zap.NewDevelopmentEncoderConfig()
	ec.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
	if color {
		ec.EncodeLevel = zapcore.CapitalColorLevelEncoder
	}
	return ec
}

// utcTime writes t in UTC as RFC 3339 with nanoseconds, without allocating.
func utcTime(t time.Time, enc zapcore.PrimitiveArrayEncoder) {
	zapcore.RFC3339NanoTimeEncoder(t.UTC(), enc)
}

// gcpLevel writes the LogSeverity names of Google Cloud Logging.
func gcpLevel(l zapcore.Level, enc zapcore.PrimitiveArrayEncoder) {
	switch l {
	case zapcore.DebugLevel:
		enc.AppendString("DEBUG")
	case zapcore.InfoLevel:
		enc.AppendString("INFO")
	case zapcore.WarnLevel:
		enc.AppendString("WARNING")
	case zapcore.ErrorLevel:
		enc.AppendString("ERROR")
	case zapcore.DPanicLevel:
		enc.AppendString("CRITICAL")
	case zapcore.PanicLevel:
		enc.AppendString("ALERT")
	case zapcore.FatalLevel:
		enc.AppendString("EMERGENCY")
	default:
		enc.AppendString("DEFAULT")
	}
}

// useColor reports whether console output goes to a terminal that accepts
// colours (https://no-color.org).
func useColor(w io.Writer, s *settings) bool {
	f, ok := w.(*os.File)
	if !ok || s.lookup("NO_COLOR") != "" || s.lookup("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeSyncer adapts w for zapcore: its Sync calls w's Sync when w has one,
// and forgets the errors of files that cannot be synced (pipes, terminals).
func writeSyncer(w io.Writer) zapcore.WriteSyncer {
	if f, ok := w.(*os.File); ok {
		return fileSyncer{f}
	}
	return zapcore.AddSync(w)
}

type fileSyncer struct{ *os.File }

func (f fileSyncer) Sync() error {
	err := f.File.Sync()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.ENOTTY) {
		return nil
	}
	return err
}

// staticFields returns the service, release and instance fields.
func staticFields(cfg Config, s *settings) []zapcore.Field {
	fields := make([]zapcore.Field, 0, 3)
	bi, _ := debug.ReadBuildInfo()
	service := cfg.Service
	if service == "" {
		service = programName(bi)
	}
	for _, f := range [...]struct{ key, value string }{
		{"service", service},
		{"release", platform.Release(s.lookup, bi)},
		{"instance", instance(s)},
	} {
		if f.value != "" {
			fields = append(fields, zap.String(f.key, f.value))
		}
	}
	return fields
}

// instance returns the instance variable internal/platform finds set, else
// the host name from the operating system, unless WithEnvironment was given.
func instance(s *settings) string {
	if v := platform.Instance(s.lookup); v != "" {
		return v
	}
	if s.envSet {
		return ""
	}
	h, _ := os.Hostname()
	return h
}

// programName returns the last element of the main package's path, or of
// the executable's path.
func programName(bi *debug.BuildInfo) string {
	if bi != nil && bi.Path != "" && bi.Path != "command-line-arguments" {
		return path.Base(bi.Path)
	}
	if len(os.Args) == 0 || os.Args[0] == "" {
		return ""
	}
	return strings.TrimSuffix(filepath.Base(os.Args[0]), ".exe")
}
