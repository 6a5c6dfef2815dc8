package logging

import (
	"context"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

type loggerKey struct{}

type requestIDKey struct{}

// NewContext returns a copy of ctx that carries log, for [FromContext] and
// for the logger of [NewSlog]: a record logged through it with ctx, or a
// context derived from it, carries the fields log has (those added with
// With, such as a job's ID) and the slog logger's own logger has not. Use it
// where no [Middleware] does it for you: a worker handling a job, a test.
// A nil log is stored as is and read back as a logger that writes nothing.
func NewContext(ctx context.Context, log *zap.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, log)
}

// FromContext returns the logger that ctx carries: the request's logger,
// with its request_id field and its trace fields, inside a handler wrapped
// by [Middleware], or the logger given to [NewContext]. It never returns
// nil: when ctx carries no logger it returns one that writes nothing, so a
// missing logger is never a crash. A nil ctx counts as one without a logger.
func FromContext(ctx context.Context) *zap.Logger {
	log, _ := LookupLogger(ctx)
	return log
}

// LookupLogger returns the logger that ctx carries, as [FromContext] does,
// and whether it carries one: false when no [Middleware] or [NewContext]
// put a logger in ctx (or put a nil one), so a library can fall back to its
// own logger instead of the one that writes nothing. A nil ctx carries none.
func LookupLogger(ctx context.Context) (*zap.Logger, bool) {
	if ctx != nil {
		switch v := ctx.Value(loggerKey{}).(type) {
		case *reqCtx:
			return v.logger(), true
		case *zap.Logger:
			if v != nil {
				return v, true
			}
		}
	}
	return zap.NewNop(), false
}

// RequestID returns the ID of the request whose context ctx is, or derives
// from, as [Middleware] kept or made it and sent it in the X-Request-ID
// response header; "" when ctx is not a request's context. Pass it on in the
// X-Request-ID header of calls to other services, so their events carry it
// too.
func RequestID(ctx context.Context) string {
	if ctx == nil {
		return ""
	}
	if v, ok := ctx.Value(requestIDKey{}).(*reqCtx); ok {
		return v.id
	}
	return ""
}

// TraceFromContext returns the trace of the request whose context ctx is,
// or derives from, as [Middleware] read it from the request's headers or
// from the function of [WithTraceFrom]; the zero Trace when there is none.
func TraceFromContext(ctx context.Context) Trace {
	if ctx == nil {
		return Trace{}
	}
	if v, ok := ctx.Value(requestIDKey{}).(*reqCtx); ok && v.hasTrace {
		return v.trace.trace
	}
	return Trace{}
}

// reqCtx is the context of a request inside Middleware: its parent with the
// request ID, its trace and the request's logger, built on first use. It is
// part of the one allocation Middleware makes per request, which
// context.WithValue would not be.
type reqCtx struct {
	context.Context
	id       string
	base     *zap.Logger
	log      atomic.Pointer[zap.Logger]
	hasTrace bool
	trace    traceFields

	// The core of the last slog handler that logged with this context, with
	// the context's fields encoded once, made when the same handler logs a
	// second time: most records of a request come from one logger.
	slogMu     sync.Mutex
	slogH      *handler
	cachedCore zapcore.Core
}

func (c *reqCtx) Value(key any) any {
	switch key.(type) {
	case loggerKey, requestIDKey:
		return c
	}
	return c.Context.Value(key)
}

func (c *reqCtx) logger() *zap.Logger {
	if l := c.log.Load(); l != nil {
		return l
	}
	l := c.base.With(c.appendFields(make([]zapcore.Field, 0, 2))...)
	if c.log.CompareAndSwap(nil, l) {
		return l
	}
	return c.log.Load()
}

// slogCore returns the core through which h writes a record logged with
// this context, with the context's fields already on it; nil when h has not
// logged with it before, and then writes the fields with the record.
func (c *reqCtx) slogCore(h *handler) zapcore.Core {
	c.slogMu.Lock()
	defer c.slogMu.Unlock()
	if c.slogH != h {
		c.slogH, c.cachedCore = h, nil
		return nil
	}
	if c.cachedCore == nil {
		fields := contextFields(c, h.node, make([]zapcore.Field, 0, 4+len(h.nested)))
		target := h.core
		if len(fields) > 0 && h.nested != nil {
			target = h.top
			fields = append(fields, h.nested...)
		}
		c.cachedCore = target.With(fields)
	}
	return c.cachedCore
}

// appendFields appends the fields the request adds to its logger.
func (c *reqCtx) appendFields(dst []zapcore.Field) []zapcore.Field {
	dst = append(dst, zap.String("request_id", c.id))
	if c.hasTrace {
		dst = append(dst, zap.Inline(&c.trace))
	}
	return dst
}

// contextFields appends the fields of the logger that ctx carries which a
// logger on the core of node own does not have: those added with With
// since the two loggers' common ancestor (all of them when they have none),
// and for a request's context its request_id and trace fields. Fields of a
// logger whose core New did not build are not known, except a request's own.
func contextFields(ctx context.Context, own *node, dst []zapcore.Field) []zapcore.Field {
	switch v := ctx.Value(loggerKey{}).(type) {
	case *reqCtx:
		dst = appendPath(dst, nodeOf(v.base.Core()), own)
		return v.appendFields(dst)
	case *zap.Logger:
		if v != nil {
			return appendPath(dst, nodeOf(v.Core()), own)
		}
	}
	return dst
}

// appendPath appends the fields of n and its ancestors below their common
// ancestor with own, the oldest first.
func appendPath(dst []zapcore.Field, n, own *node) []zapcore.Field {
	if n == nil {
		return dst
	}
	return appendUpTo(dst, n, commonAncestor(n, own))
}

func appendUpTo(dst []zapcore.Field, n, stop *node) []zapcore.Field {
	if n == nil || n == stop {
		return dst
	}
	dst = appendUpTo(dst, n.parent, stop)
	return append(dst, n.fields...)
}

// commonAncestor returns the nearest node that is a or an ancestor of a and
// also b or an ancestor of b; nil when they are of different trees.
func commonAncestor(a, b *node) *node {
	if a == nil || b == nil {
		return nil
	}
	for a.depth > b.depth {
		a = a.parent
	}
	for b.depth > a.depth {
		b = b.parent
	}
	for a != b {
		a, b = a.parent, b.parent
	}
	return a
}
