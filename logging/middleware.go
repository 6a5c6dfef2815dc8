package logging

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// A MiddlewareOption changes what [Middleware] logs. MiddlewareOptions are
// made by the With functions of this file; nothing outside this package can
// implement MiddlewareOption. A nil MiddlewareOption is ignored.
type MiddlewareOption interface {
	applyMiddleware(*middleware)
}

// middlewareOptionFunc is the one adapter from a function to a
// MiddlewareOption.
type middlewareOptionFunc func(*middleware)

func (f middlewareOptionFunc) applyMiddleware(m *middleware) { f(m) }

// WithSkipPaths stops Middleware from logging requests whose URL path is
// exactly one of paths, such as the liveness and readiness probes that a
// platform calls every few seconds. Those requests still get a request ID,
// a logger in their context and panic recovery; only their event is left
// out. Repeating WithSkipPaths adds paths.
func WithSkipPaths(paths ...string) MiddlewareOption {
	paths = slices.Clone(paths)
	return middlewareOptionFunc(func(m *middleware) {
		if m.skip == nil {
			m.skip = make(map[string]struct{}, len(paths))
		}
		for _, p := range paths {
			m.skip[p] = struct{}{}
		}
	})
}

// WithStatusLevel makes Middleware log each request at the level f returns
// for its status, instead of error for 5xx, warn for 4xx and info for the
// rest. A request whose handler panicked is logged at error whatever f says.
// f must be safe for concurrent use. A nil f keeps the default. Repeating
// WithStatusLevel replaces the earlier function.
func WithStatusLevel(f func(status int) Level) MiddlewareOption {
	return middlewareOptionFunc(func(m *middleware) {
		if f != nil {
			m.level = f
		}
	})
}

// WithHeaders adds the named request headers to each request's event, in a
// "headers" object keyed by their canonical names, such as
// {"X-Forwarded-For":"203.0.113.7"}; several values of one header are joined
// with ", ". It fails closed: a header's value is logged only when the
// header is in internal/redact's short list of headers that carry no
// credential (Accept, Accept-Encoding, Accept-Language, Cache-Control,
// Content-Length, Content-Type, Forwarded, Host, If-None-Match, Origin,
// Traceparent, User-Agent, Via, X-Forwarded-For, X-Forwarded-Host,
// X-Forwarded-Proto, X-Real-IP, X-Request-ID and a few more of their kind)
// or was declared with [WithPublicHeaders]; any other header named here
// (Authorization, Cookie, X-Vault-Token, Private-Token, a header of the
// program's own) shows as "[REDACTED]" when present. Headers not named are
// never logged. Repeating WithHeaders adds names.
func WithHeaders(names ...string) MiddlewareOption {
	names = slices.Clone(names)
	return middlewareOptionFunc(func(m *middleware) {
		for _, n := range names {
			n = http.CanonicalHeaderKey(n)
			if n != "" && !slices.Contains(m.headers, n) {
				m.headers = append(m.headers, n)
			}
		}
	})
}

// WithPublicHeaders is [WithHeaders] for headers the program knows carry no
// credential although they are not in the short list WithHeaders shows
// (X-Tenant, X-Client-Version...): their values are logged as they are.
// Repeating it adds names.
func WithPublicHeaders(names ...string) MiddlewareOption {
	names = slices.Clone(names)
	return middlewareOptionFunc(func(m *middleware) {
		WithHeaders(names...).applyMiddleware(m)
		for _, n := range names {
			n = http.CanonicalHeaderKey(n)
			if n != "" && !slices.Contains(m.public, n) {
				m.public = append(m.public, n)
			}
		}
	})
}

// WithRoute names each request's route with f, for routers other than
// http.ServeMux. Middleware calls f once the handler has returned (or
// panicked), with the request as the handler got it, and logs what it
// returns as the route field; "" means the router matched no route (a 404
// of the router, a request outside it), and is logged as "", so that with
// WithRoute every event has a route and no path is passed off as one.
// Without WithRoute the route is the ServeMux pattern that matched, left out
// when none did.
//
// The router must have put its match where f finds it by then, so mount
// Middleware inside the router, as its own middleware:
//
//	// chi: r.Use runs Middleware after chi has set its route context
//	r := chi.NewRouter()
//	r.Use(logging.Middleware(log, logging.WithRoute(func(r *http.Request) string {
//		if rc := chi.RouteContext(r.Context()); rc != nil { // nil: outside the router
//			return rc.RoutePattern() // "/orders/{id}"
//		}
//		return ""
//	})))
//
//	// gorilla/mux: r.Use runs Middleware on the matched route
//	r := mux.NewRouter()
//	r.Use(logging.Middleware(log, logging.WithRoute(func(r *http.Request) string {
//		if route := mux.CurrentRoute(r); route != nil { // nil: no route matched
//			t, _ := route.GetPathTemplate() // "/orders/{id}"
//			return t
//		}
//		return ""
//	})))
//
// With gorilla/mux a request that matches no route never reaches the
// router's middleware; wrap the router's NotFoundHandler in Middleware too
// to log it. The module interop/routers tests these recipes against the
// real routers, mounted inside the router and wrapped around it. f must be
// safe for concurrent use and must not keep r; a panic in f is not the
// request's: it is recovered, the route is logged as "" and the event gets
// a route_error field. A nil f restores the default. Repeating WithRoute
// replaces the earlier function.
func WithRoute(f func(r *http.Request) string) MiddlewareOption {
	return middlewareOptionFunc(func(m *middleware) { m.route = f })
}

// WithTraceFrom makes Middleware ask f for the trace of each request before
// the handler runs, with the request's context, instead of reading the
// traceparent and X-Cloud-Trace-Context headers; a Trace that is not valid
// (see [Trace.IsValid]) falls back to the headers. It is the hook for a
// service that runs a tracer, such as OpenTelemetry, whose own middleware
// (outside this one) has started the request's span: the events then carry
// that span's ID, not the caller's. With OpenTelemetry:
//
//	logging.WithTraceFrom(func(ctx context.Context) logging.Trace {
//		sc := trace.SpanContextFromContext(ctx) // go.opentelemetry.io/otel/trace
//		return logging.Trace{TraceID: sc.TraceID(), SpanID: sc.SpanID(), Sampled: sc.IsSampled()}
//	})
//
// f must be safe for concurrent use. A nil f restores the default.
// Repeating WithTraceFrom replaces the earlier function.
func WithTraceFrom(f func(ctx context.Context) Trace) MiddlewareOption {
	return middlewareOptionFunc(func(m *middleware) { m.trace = f })
}

// Middleware returns a net/http middleware that logs one event per request
// to log, with the message "request" and these fields:
//
//	method       the request method
//	path         the URL path, never the query, which may hold tokens
//	route        the http.ServeMux pattern that matched, such as
//	             "GET /orders/{id}", when the wrapped handler is (or contains)
//	             a ServeMux and a pattern matched; left out otherwise; or
//	             what the function of [WithRoute] returns, "" included
//	status       the status sent: 200 when the handler wrote none, 101 for
//	             a hijacked connection
//	bytes        the number of body bytes written
//	duration     seconds from the start of the request to the handler's return
//	remote_addr  the peer address, as net/http gives it
//	user_agent   the User-Agent header
//	request_id   the request ID
//	trace_id     when the request has a trace (see below): its trace ID
//	             in 32 lowercase hex digits,
//	span_id      its span ID in 16 (left out when unknown),
//	trace_sampled  and whether the caller samples it
//	headers      the headers asked for with [WithHeaders], if any
//
// The level is error for 5xx, warn for 4xx and info otherwise (see
// [WithStatusLevel]). No other header is ever logged, and of those asked
// for only the values of headers known to carry no credential show.
//
// The request ID is the incoming X-Request-ID header when it is well formed
// (1 to 200 letters, digits or - _ . : + / =), or else a new random UUID. It
// is set on the response's X-Request-ID header before the handler runs, and
// the request's context carries it ([RequestID]) and a logger derived from
// log with a request_id field ([FromContext]).
//
// The request's trace is read from its W3C traceparent header, or when it
// has none from Google Cloud's X-Cloud-Trace-Context, or from the function
// of [WithTraceFrom]. A header that does not follow its specification to
// the letter (a wrong length, version ff, an ID of all zeros, uppercase or
// other non-hex digits, a repeated header) is ignored, as W3C Trace Context
// says a receiver must, and never logged. span_id is then the caller's span
// (the parent-id of traceparent), the span a load balancer or the calling
// service made for this request. The trace fields are on the request's
// event, on its logger ([FromContext]) and on the records of [NewSlog]
// logged with its context; [TraceFromContext] returns the trace. With
// LOG_KEYS=gcp they are written under the keys Google Cloud Logging reads:
// logging.googleapis.com/trace as projects/PROJECT/traces/TRACE_ID, with the
// project from GOOGLE_CLOUD_PROJECT, GCP_PROJECT, GCLOUD_PROJECT or
// CLOUDSDK_CORE_PROJECT (the first set; trace_id stays when none is),
// logging.googleapis.com/spanId and logging.googleapis.com/trace_sampled.
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
// The event's time is the end of the request, and its duration comes from
// the monotonic clock: the wall clock is read once per request. The event
// is written through log's core, so options of log's zap.Logger that act
// outside its core (zap.AddCaller, zap.AddStacktrace, zap.WithClock,
// zap.ErrorOutput) do not apply to it; those that wrap the core
// (zap.Hooks, zap.WrapCore) do.
//
// Middleware makes two allocations per request, whether it keeps or makes
// the ID, with or without a trace. A nil log logs nothing. The returned middleware and the handlers it
// makes are safe for concurrent use.
func Middleware(log *zap.Logger, opts ...MiddlewareOption) func(http.Handler) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	m := middleware{log: log, level: statusLevel, keys: KeysZap}
	if root := rootOf(log); root != nil {
		m.keys, m.gcpPrefix = root.meta.keys, root.meta.gcpPrefix
	}
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
	log       *zap.Logger
	next      http.Handler
	skip      map[string]struct{}
	level     func(status int) Level
	headers   []string
	public    []string // headers declared with WithPublicHeaders
	route     func(*http.Request) string
	trace     func(context.Context) Trace
	keys      Keys
	gcpPrefix string
	pool      *fieldPool
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

	var id string
	if v := r.Header[RequestIDHeader]; len(v) > 0 && validID(v[0]) {
		id = v[0]
	} else {
		id = q.newID()
	}
	var tr Trace
	if m.trace != nil {
		tr = m.trace(r.Context())
	}
	traceparent := ""
	if !tr.IsValid() {
		tr, traceparent, _ = traceFromHeaders(r.Header)
	}
	q.ctx.begin(r.Context(), m.log, id, tr, m.keys, m.gcpPrefix, traceparent)
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

// appendRoute appends the route WithRoute's function names for r, or "" and
// a route_error field when that function panics: a broken recipe (chi's
// RouteContext is nil when Middleware wraps the router) costs the route, not
// the request or the process.
func (m *middleware) appendRoute(fs []zap.Field, r *http.Request) (out []zap.Field) {
	defer func() {
		if p := recover(); p != nil {
			out = append(fs, zap.String("route", ""), zap.String("route_error", "the WithRoute function panicked"))
		}
	}()
	return append(fs, zap.String("route", m.route(r)))
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
	c := m.log.Core()
	if !c.Enabled(level) {
		return
	}
	// One reading of the wall clock per request: start's. The duration is
	// monotonic, the end is start plus the duration.
	d := time.Since(start)
	ent := zapcore.Entry{Level: level, Time: start.Add(d), LoggerName: m.log.Name(), Message: "request"}
	ce := c.Check(ent, nil)
	if ce == nil {
		return
	}
	buf := m.pool.get()
	fs := *buf
	fs = append(fs,
		zap.String("method", r.Method),
		zap.String("path", r.URL.Path),
	)
	if m.route != nil {
		fs = m.appendRoute(fs, r)
	} else if r.Pattern != "" {
		fs = append(fs, zap.String("route", r.Pattern))
	}
	fs = append(fs,
		zap.Int("status", status),
		zap.Int64("bytes", q.bytes),
		zap.Duration("duration", d),
		zap.String("remote_addr", r.RemoteAddr),
		zap.String("user_agent", r.UserAgent()),
		zap.String("request_id", q.ctx.id),
	)
	if q.ctx.hasTrace {
		fs = append(fs, zap.Inline(&q.ctx.trace))
	}
	if len(m.headers) > 0 {
		q.header, q.names, q.public = r.Header, m.headers, m.public
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
		case !redact.Header(name) && !slices.Contains(h.public, name):
			enc.AddString(name, redact.Mask)
		case len(v) == 1:
			enc.AddString(name, v[0])
		default:
			enc.AddString(name, strings.Join(v, ", "))
		}
	}
	return nil
}
