// Package loggingtest gives tests a logger whose entries they can read. It
// is built on go.uber.org/zap/zaptest/observer: the entries are
// observer.LoggedEntry values, with their level, message, logger name and
// typed fields, and the observer's filters (FilterMessage, FilterField...)
// select among them.
//
// Use it to check what code logs without parsing JSON. To check the exact
// bytes a service writes, build the logger with logging.New and
// logging.WithWriter instead.
package loggingtest

import (
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// New returns a logger that records every entry it is given, at every level
// from debug up, and the recorded logs. Pass the logger to the code under
// test, including through logging.NewSlog, logging.Middleware and
// logging.NewContext; read the logs with All, TakeAll or the filters.
//
// When the test fails, the recorded entries are printed with tb.Log at the
// end of the test, to help see what happened. The logger is safe for
// concurrent use and needs no closing.
func New(tb testing.TB) (*zap.Logger, *observer.ObservedLogs) {
	tb.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	tb.Cleanup(func() {
		if !tb.Failed() {
			return
		}
		for _, e := range logs.All() {
			tb.Logf("logged: %s %q %v", e.Level, e.Message, e.ContextMap())
		}
	})
	return zap.New(core), logs
}
