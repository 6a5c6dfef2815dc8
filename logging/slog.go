package logging

import (
	"context"
	"log/slog"
	"runtime"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// NewSlog returns a *slog.Logger for libraries and code that use log/slog,
// writing to log's core: the same stream, encoder, static fields and fields
// added with log.With, the same logger name, and the same level, including
// changes made through [LevelHandler]. slog levels map to the nearest zap
// level at or below them (slog.LevelWarn-1 is info); levels above error are
// written as error and never panic or exit.
//
// Attributes become typed zap fields; groups (slog.Group, WithGroup) become
// nested JSON objects, left out when they hold no attribute; a group with an
// empty key is inlined; slog.LogValuer values are resolved, so a value that
// redacts itself (such as a config.Secret) shows its redaction; error values
// are written with their Error text. A Record with a zero time has no time
// field. The logger passes the standard library's testing/slogtest suite.
//
// The context of a record brings its fields: a record logged with the
// context of a request inside [Middleware] (InfoContext, LogAttrs...)
// carries the request's request_id and trace fields, as the request's own
// logger does, and one logged with a context from [NewContext] carries the
// fields of that context's logger that log lacks (see [NewContext]). They
// are written at the top level of the event, outside any group. Without
// such a context, or with a nil one, the record has only its own fields.
//
// Passing the logger to slog.SetDefault also makes slog send the standard
// library's log package to it, at info level; call [RedirectStdLog] after
// SetDefault to choose another level.
//
// An error writing an event is returned by the handler's Handle method
// (slog.Logger drops it) or, on a logger with other cores or sampling,
// written to the logger's error output as zap does.
//
// Of the options, NewSlog reads only [WithSource] (the others are New's
// settings, which the slog front end takes from log). A logger New built
// with WithSource gives the source location to slog calls too.
//
// A nil log gives a logger that writes nothing. The logger is safe for
// concurrent use; it starts no goroutine.
func NewSlog(log *zap.Logger, opts ...Option) *slog.Logger {
	if log == nil {
		log = zap.NewNop()
	}
	c := log.Core()
	s := newSettings(opts)
	h := &handler{core: c, top: c, node: nodeOf(c), name: log.Name(), pool: newFieldPool(), source: s.source}
	if r := rootOf(log); r != nil && r.meta.source {
		h.source = true
	}
	return slog.New(h)
}

// handler is a slog.Handler over a zapcore.Core. Groups opened with
// WithGroup are kept in groups until an attribute needs them, so that an
// empty group is never written. Once WithAttrs has written a group into
// core, top is the core before the first group and nested the fields since
// (namespaces included), so that a context's fields can still be written at
// the top level.
type handler struct {
	core   zapcore.Core
	top    zapcore.Core
	nested []zapcore.Field
	node   *node // of core; nil when New did not build it
	name   string
	source bool
	groups []string
	pool   *fieldPool
}

func (h *handler) Enabled(_ context.Context, l slog.Level) bool {
	return h.core.Enabled(zapLevel(l))
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	ent := zapcore.Entry{
		Level:      zapLevel(r.Level),
		Time:       r.Time,
		LoggerName: h.name,
		Message:    r.Message,
	}
	// The context's fields first, so that the record's attributes follow
	// them; when core has a group open they go through top instead.
	var buf *[]zapcore.Field
	var fields []zapcore.Field
	target := h.core
	if ctx != nil && ctx != context.Background() {
		var cached zapcore.Core
		if rc, ok := ctx.Value(loggerKey{}).(*reqCtx); ok {
			cached = rc.slogCore(h)
		}
		if cached != nil {
			target = cached
		} else {
			buf = h.pool.get()
			fields = contextFields(ctx, h.node, *buf)
			if len(fields) > 0 && h.nested != nil {
				target = h.top
				fields = append(fields, h.nested...)
			}
		}
	}

	// On a core of New without sampling, Check would only ask the level:
	// asking it here and writing directly saves the CheckedEntry round
	// trip. Any other core goes through Check, which may sample or fan out.
	c, direct := target.(*core)
	var ce *zapcore.CheckedEntry
	if direct {
		if !c.level.Enabled(ent.Level) {
			h.put(buf, fields)
			return nil
		}
		if c.now != nil && !ent.Time.IsZero() {
			ent.Time = c.now()
		}
	} else if ce = target.Check(ent, nil); ce == nil {
		h.put(buf, fields)
		return nil
	}
	if h.source && r.PC != 0 {
		frame, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		if frame.PC != 0 {
			caller := zapcore.EntryCaller{
				Defined:  true,
				PC:       frame.PC,
				File:     frame.File,
				Line:     frame.Line,
				Function: frame.Function,
			}
			if direct {
				ent.Caller = caller
			} else {
				ce.Caller = caller
			}
		}
	}

	if r.NumAttrs() > 0 {
		if buf == nil {
			buf = h.pool.get()
			fields = *buf
		}
		opened := len(h.groups) == 0
		r.Attrs(func(a slog.Attr) bool {
			if !opened {
				f, ok := field(a)
				if ok {
					fields = append(h.openGroups(fields), f)
					opened = true
				}
				return true
			}
			n := len(fields)
			if n == cap(fields) {
				fields = append(fields, zapcore.Field{})
			} else {
				fields = fields[:n+1]
			}
			if !setField(&fields[n], a) {
				fields = fields[:n]
			}
			return true
		})
	}
	var err error
	if direct {
		err = c.Write(ent, fields)
	} else {
		ce.Write(fields...)
	}
	h.put(buf, fields)
	return err
}

// put recycles the field slice of Handle, if it took one.
func (h *handler) put(buf *[]zapcore.Field, fields []zapcore.Field) {
	if buf != nil {
		h.pool.put(buf, fields)
	}
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	var fields []zapcore.Field
	for _, a := range attrs {
		if f, ok := field(a); ok {
			if fields == nil {
				fields = h.openGroups(make([]zapcore.Field, 0, len(attrs)+len(h.groups)))
			}
			fields = append(fields, f)
		}
	}
	if fields == nil {
		return h
	}
	h2 := *h
	h2.core = h.core.With(fields)
	h2.node = nodeOf(h2.core)
	if len(h.groups) > 0 || h.nested != nil {
		h2.nested = append(h.nested[:len(h.nested):len(h.nested)], fields...)
	} else {
		h2.top = h2.core
	}
	h2.groups = nil
	return &h2
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.groups = append(h.groups[:len(h.groups):len(h.groups)], name)
	return &h2
}

// openGroups appends a namespace for each pending group: the fields after
// them, and every field of loggers derived from the core, go inside.
func (h *handler) openGroups(fields []zapcore.Field) []zapcore.Field {
	for _, g := range h.groups {
		fields = append(fields, zap.Namespace(g))
	}
	return fields
}

// zapLevel maps a slog level to the nearest zap level at or below it.
func zapLevel(l slog.Level) zapcore.Level {
	switch {
	case l >= slog.LevelError:
		return zapcore.ErrorLevel
	case l >= slog.LevelWarn:
		return zapcore.WarnLevel
	case l >= slog.LevelInfo:
		return zapcore.InfoLevel
	}
	return zapcore.DebugLevel
}

// field converts an attribute, resolving its value, and reports false for
// an attribute slog says to ignore: an empty one, or an empty group.
func field(a slog.Attr) (zapcore.Field, bool) {
	var f zapcore.Field
	ok := setField(&f, a)
	return f, ok
}

// setField is field writing into *dst, which saves a copy per attribute.
func setField(dst *zapcore.Field, a slog.Attr) bool {
	v := a.Value
	k := v.Kind()
	if k == slog.KindLogValuer {
		// Resolve only when needed: it defers a recover.
		v = v.Resolve()
		k = v.Kind()
	}
	switch k {
	case slog.KindString:
		*dst = zap.String(a.Key, v.String())
		return true
	case slog.KindInt64:
		*dst = zap.Int64(a.Key, v.Int64())
		return true
	case slog.KindUint64:
		*dst = zap.Uint64(a.Key, v.Uint64())
		return true
	case slog.KindFloat64:
		*dst = zap.Float64(a.Key, v.Float64())
		return true
	case slog.KindBool:
		*dst = zap.Bool(a.Key, v.Bool())
		return true
	case slog.KindDuration:
		*dst = zap.Duration(a.Key, v.Duration())
		return true
	case slog.KindTime:
		*dst = zap.Time(a.Key, v.Time())
		return true
	case slog.KindGroup:
		attrs := v.Group()
		if !anyOutput(attrs) {
			return false
		}
		if a.Key == "" {
			*dst = zap.Inline(group(attrs))
			return true
		}
		*dst = zap.Object(a.Key, group(attrs))
		return true
	}
	x := v.Any()
	if a.Key == "" && x == nil {
		return false
	}
	if err, ok := x.(error); ok {
		*dst = zap.NamedError(a.Key, err)
		return true
	}
	*dst = zap.Any(a.Key, x)
	return true
}

// anyOutput reports whether at least one of attrs is written.
func anyOutput(attrs []slog.Attr) bool {
	for _, a := range attrs {
		v := a.Value
		if v.Kind() == slog.KindLogValuer {
			v = v.Resolve()
		}
		switch {
		case v.Kind() == slog.KindGroup:
			if anyOutput(v.Group()) {
				return true
			}
		case a.Key != "" || v.Kind() != slog.KindAny || v.Any() != nil:
			return true
		}
	}
	return false
}

// group writes the attributes of a slog group as a zap object.
type group []slog.Attr

func (g group) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, a := range g {
		if f, ok := field(a); ok {
			f.AddTo(enc)
		}
	}
	return nil
}
