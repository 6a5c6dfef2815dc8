package logging

import (
	"context"
	"sync/atomic"

	"go.uber.org/zap"
)

type loggerKey struct{}

type requestIDKey struct{}

// NewContext returns a copy of ctx that carries log, for [FromContext]. Use
// it where no [Middleware] does it for you: a worker handling a job, a test.
// A nil log is stored as is and read back as a logger that writes nothing.
func NewContext(ctx context.Context, log *zap.Logger) context.Context {
	return context.WithValue(ctx, loggerKey{}, log)
}

// FromContext returns the logger that ctx carries: the request's logger,
// with its request_id field, inside a handler wrapped by [Middleware], or
// the logger given to [NewContext]. It never returns nil: when ctx carries
// no logger it returns one that writes nothing, so a missing logger is never
// a crash. A nil ctx counts as one without a logger.
func FromContext(ctx context.Context) *zap.Logger {
	if ctx != nil {
		switch v := ctx.Value(loggerKey{}).(type) {
		case *reqCtx:
			return v.logger()
		case *zap.Logger:
			if v != nil {
				return v
			}
		}
	}
	return zap.NewNop()
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

// reqCtx is the context of a request inside Middleware: its parent with the
// request ID and the request's logger, built on first use. It is part of the
// one allocation Middleware makes per request, which context.WithValue would
// not be.
type reqCtx struct {
	context.Context
	id   string
	base *zap.Logger
	log  atomic.Pointer[zap.Logger]
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
	l := c.base.With(zap.String("request_id", c.id))
	if c.log.CompareAndSwap(nil, l) {
		return l
	}
	return c.log.Load()
}
