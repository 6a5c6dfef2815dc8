package logging

import (
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// A MiddlewareOption changes what [Middleware] logs. MiddlewareOptions are
// made by the With functions of this file; nothing outside this package can
// implement MiddlewareOption. A nil MiddlewareOption is ignored.
type MiddlewareOption interface {
	applyMiddleware(*middleware)
}

type skipOption []string

func (o skipOption) applyMiddleware(m *middleware) {
	if m.skip == nil {
		m.skip = make(map[string]struct{}, len(o))
	}
	for _, p := range o {
		m.skip[p] = struct{}{}
	}
}

// WithSkipPaths stops Middleware from logging requests whose URL path is
// exactly one of paths, such as the liveness and readiness probes that a
// platform calls every few seconds. Those requests still get a request ID,
// a logger in their context and panic recovery; only their event is left
// out. Repeating WithSkipPaths adds paths.
func WithSkipPaths(paths ...string) MiddlewareOption {
	return skipOption(append([]string(nil), paths...))
}

type statusLevelOption func(status int) Level

func (o statusLevelOption) applyMiddleware(m *middleware) {
	if o != nil {
		m.level = o
	}
}

// WithStatusLevel makes Middleware log each request at the level f returns
// for its status, instead of error for 5xx, warn for 4xx and info for the
// rest. A request whose handler panicked is logged at error whatever f says.
// f must be safe for concurrent use. A nil f keeps the default. Repeating
// WithStatusLevel replaces the earlier function.
func WithStatusLevel(f func(status int) Level) MiddlewareOption { return statusLevelOption(f) }

type headersOption []string

func (o headersOption) applyMiddleware(m *middleware) {
	for _, n := range o {
		n = http.CanonicalHeaderKey(n)
		if n != "" && !containsString(m.headers, n) {
			m.headers = append(m.headers, n)
		}
	}
}

// WithHeaders adds the named request headers to each request's event, in a
// "headers" object keyed by their canonical names, such as
// {"X-Forwarded-For":"203.0.113.7"}; several values of one header are joined
// with ", ". Headers that carry credentials are never logged: Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key, X-Auth-Token and
// X-Csrf-Token show as "[REDACTED]" when present, whatever names asks for.
// Headers not in names are never logged. Repeating WithHeaders adds names.
func WithHeaders(names ...string) MiddlewareOption {
	return headersOption(append([]string(nil), names...))
}

// Middleware returns a net/http middleware that logs one event per request
// to log, with the message "request" and these fields:
//
//	method       the request method
//	path         the URL path, never the query, which may hold tokens
//	route        the http.ServeMux pattern that matched, such as
//	             "GET /orders/{id}", when the wrapped handler is (or contains)
//	             a ServeMux and a pattern matched; left out otherwise
//	status       the status sent: 200 when the handler wrote none, 101 for
//	             a hijacked connection
//	bytes        the number of body bytes written
//	duration     seconds from the start of the request to the handler's return
//	remote_addr  the peer address, as net/http gives it
//	user_agent   the User-Agent header
//	request_id   the request ID
//	headers      the headers asked for with [WithHeaders], if any
//
// The level is error for 5xx, warn for 4xx and info otherwise (see
// [WithStatusLevel]). No other header is ever logged: not Authorization, not
// Cookie.
//
// The request ID is the incoming X-Request-ID header when it is well formed
// (1 to 200 letters, digits or - _ . : + / =), or else a new random UUID. It
// is set on the response's X-Request-ID header before the handler runs, and
// the request's context carries it ([RequestID]) and a logger derived from
// log with a request_id field ([FromContext]).
//
// A panic in the handler is recovered and logged in the request's event,
// at error level, with the panic value under "panic" and the stack under the
// encoder's stack trace key; the client gets 500 when no status was sent
// yet, and otherwise a broken connection, as net/http does. A panic with
// http.ErrAbortHandler is not logged as a panic: it is raised again for
// net/http to abort the response quietly.
//
// The handler sees a response writer with exactly the optional interfaces
// of the one the server gave (http.Flusher, http.Hijacker, io.ReaderFrom),
// and http.ResponseController reaches the others through its Unwrap method.
//
// Middleware makes two allocations per request, three when it makes the ID.
// A nil log logs nothing. The returned middleware and the handlers it
// makes are safe for concurrent use.
func Middleware(log *zap.Logger, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	m := middleware{log: log, level: statusLevel}
	for _, o := range opts {
		if o != nil {
			o.applyMiddleware(&m)
		}
	}
	return func(next http.Handler) http.Handler {
		h := m
		h.next = next
		h.pool = newFieldPool()
		return &h
	}
}

type middleware struct {
	log     *zap.Logger
	next    http.Handler
	skip    map[string]struct{}
	level   func(status int) Level
	headers []string
	pool    *fieldPool
}

func statusLevel(status int) Level {
	switch {
	case status >= 500:
		return LevelError
	case status >= 400:
		return LevelWarn
	}
	return LevelInfo
}

func (m *middleware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q, rw := newRecorder(w)
	q.w = w

	id := ""
	if v := r.Header[RequestIDHeader]; len(v) > 0 && validID(v[0]) {
		id = v[0]
	} else {
		id = newID()
	}
	q.ctx.Context = r.Context()
	q.ctx.id = id
	q.ctx.base = m.log
	q.idSlot[0] = id
	// The slice lives in q: no allocation. A handler that appends to the
	// header gets a new array, as with any one-element slice.
	w.Header()[RequestIDHeader] = q.idSlot[:]

	r = r.WithContext(&q.ctx)
	defer m.finish(q, r, start)
	m.next.ServeHTTP(rw, r)
}

// finish logs the request's event; it recovers a panic in the handler.
func (m *middleware) finish(q *request, r *http.Request, start time.Time) {
	p := recover()
	if p == nil {
		m.logRequest(q, r, start, nil)
		return
	}
	if p == http.ErrAbortHandler { // net/http compares it with ==, unwrapped
		m.logRequest(q, r, start, nil)
		panic(p)
	}
	sent := q.wrote || q.hijacked
	if !sent {
		http.Error(q, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
	m.logRequest(q, r, start, &p)
	if sent {
		// The client already has a status; a broken connection is the only
		// way left to tell it the response is incomplete.
		panic(http.ErrAbortHandler)
	}
}

func (m *middleware) logRequest(q *request, r *http.Request, start time.Time, panicked *any) {
	if _, ok := m.skip[r.URL.Path]; ok && panicked == nil {
		return
	}
	status := q.finalStatus()
	level := m.level(status).zap()
	if panicked != nil {
		level = zapcore.ErrorLevel
	}
	ce := m.log.Check(level, "request")
	if ce == nil {
		return
	}
	buf := m.pool.get()
	fs := *buf
	fs = append(fs,
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path),
	)
	if r.Pattern != "" {
		fs = append(fs, zap.String("route", r.Pattern))
	}
	fs = append(fs,
		zap.Int("status", status),
		zap.Int64("bytes", q.bytes),
		zap.Duration("duration", time.Since(start)),
		zap.String("remote_addr", r.RemoteAddr),
		zap.String("user_agent", r.UserAgent()),
		zap.String("request_id", q.ctx.id),
	)
	if len(m.headers) > 0 {
		q.header, q.names = r.Header, m.headers
		fs = append(fs, zap.Object("headers", (*headerSet)(q)))
	}
	if panicked != nil {
		fs = append(fs, zap.Any("panic", *panicked))
		ce.Stack = zap.StackSkip("", 3).String
	}
	ce.Write(fs...)
	m.pool.put(buf, fs)
}

// headerSet writes the headers WithHeaders asked for.
type headerSet request

func (h *headerSet) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	for _, name := range h.names {
		v := h.header[name]
		switch {
		case len(v) == 0:
		case sensitiveHeader(name):
			enc.AddString(name, "[REDACTED]")
		case len(v) == 1:
			enc.AddString(name, v[0])
		default:
			enc.AddString(name, strings.Join(v, ", "))
		}
	}
	return nil
}

// sensitiveHeader reports whether the canonical header name carries
// credentials.
func sensitiveHeader(name string) bool {
	switch name {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
		"X-Api-Key", "X-Auth-Token", "X-Csrf-Token":
		return true
	}
	return false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
