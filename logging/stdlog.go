package logging

import (
	"bytes"
	stdlog "log"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// RedirectStdLog sends the output of the standard library's log package
// (log.Print, log.Printf, log.Println, log.Fatal, log.Panic and log.Default)
// into log's stream, one event per call at the given level, with the
// text as the message; a logger built with zap.AddCaller reports the caller
// of log.Print. The log package's flags and prefix are cleared, since the
// event has its own time.
//
// This changes process-wide state owned by the log package; call it once,
// from main, and call restore (for instance with defer) to put the earlier
// writer, flags and prefix back. log.Fatal still exits and log.Panic still
// panics after their event is written. A nil log discards the output.
func RedirectStdLog(log *zap.Logger, level Level) (restore func()) {
	if log == nil {
		log = zap.NewNop()
	}
	flags, prefix, out := stdlog.Flags(), stdlog.Prefix(), stdlog.Writer()
	stdlog.SetFlags(0)
	stdlog.SetPrefix("")
	// Skipped frames: stdWriter.Write, log.(*Logger).output and the log
	// function called (log.Print, log.Printf...).
	stdlog.SetOutput(&stdWriter{log: log.WithOptions(zap.AddCallerSkip(3)), level: level.zap()})
	return func() {
		stdlog.SetFlags(flags)
		stdlog.SetPrefix(prefix)
		stdlog.SetOutput(out)
	}
}

type stdWriter struct {
	log   *zap.Logger
	level zapcore.Level
}

// Write logs p, one line of the log package, as one event.
func (w *stdWriter) Write(p []byte) (int, error) {
	if ce := w.log.Check(w.level, string(bytes.TrimSuffix(p, []byte("\n")))); ce != nil {
		ce.Write()
	}
	return len(p), nil
}
