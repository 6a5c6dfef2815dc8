package logging

import (
	"context"

	"go.uber.org/zap"
)

// This file holds what a request's context is made of whatever its
// transport: HTTP ([Middleware]), gRPC (the interceptors of the grpcserve
// module), or a message a consumer takes from NATS, AMQP or Kafka, whose
// headers carry the same request ID and traceparent.

// ParseTraceparent reads the value of a W3C traceparent header (or message
// header, or gRPC metadata) as the W3C Trace Context recommendation says a
// receiver must: version-traceid-parentid-flags in lowercase hex, of 2, 32,
// 16 and 2 digits; version ff is invalid; version 00 is exactly 55
// characters; a later version may be longer, with a dash after the flags,
// and is read as version 00. A trace ID or parent ID of all zeros is
// invalid. It reports false, and the zero Trace, for a value that is not
// valid; such a value must be ignored, never logged. The Trace's SpanID is
// the parent-id: the caller's span.
//
// A header repeated in one request or message is not valid either; check
// that there is exactly one before calling ParseTraceparent, as
// [Middleware] does.
func ParseTraceparent(s string) (Trace, bool) {
	var t Trace
	if len(s) < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-' {
		return t, false
	}
	var version [1]byte
	if !decodeHex(version[:], s[0:2]) || version[0] == 0xff {
		return t, false
	}
	if version[0] == 0 && len(s) != 55 || len(s) > 55 && s[55] != '-' {
		return t, false
	}
	var flags [1]byte
	if !decodeHex(t.TraceID[:], s[3:35]) || !decodeHex(t.SpanID[:], s[36:52]) || !decodeHex(flags[:], s[53:55]) {
		return Trace{}, false
	}
	if t.TraceID == [16]byte{} || t.SpanID == [8]byte{} {
		return Trace{}, false
	}
	t.Sampled = flags[0]&1 != 0
	return t, true
}

// NewRequestContext returns a copy of ctx that is the context of one
// request or message, as [Middleware] makes it for an HTTP request: it
// carries the request's ID, its trace, and a logger derived from log with
// the request_id field and, when tr is valid, the trace fields (under the
// keys LOG_KEYS chose for log's [New], logging.googleapis.com/trace and
// its siblings with LOG_KEYS=gcp). Read them back with [RequestID],
// [TraceFromContext] and [FromContext]; the records of [NewSlog] logged
// with the context (or one derived from it) carry the same fields.
//
// id is kept when it is a well-formed request ID, as an incoming
// X-Request-ID is (1 to 200 letters, digits or - _ . : + / =); otherwise,
// "" included, a new random UUID is made. Send [RequestID] back to the
// caller, or on with the calls and messages the request makes. A tr that is
// not valid ([Trace.IsValid]) is no trace. A nil log logs nothing; a nil
// ctx counts as context.Background().
func NewRequestContext(ctx context.Context, log *zap.Logger, id string, tr Trace) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	if log == nil {
		log = zap.NewNop()
	}
	c := &struct {
		reqCtx
		idBuf [36]byte
	}{}
	if !validID(id) {
		id = newUUID(&c.idBuf)
	}
	keys, prefix := KeysZap, ""
	if root := rootOf(log); root != nil {
		keys, prefix = root.meta.keys, root.meta.gcpPrefix
	}
	c.begin(ctx, log, id, tr, keys, prefix, "")
	return &c.reqCtx
}

// begin fills c for a request with ID id and trace tr (none when it is not
// valid); traceparent is the header tr was parsed from, or "".
func (c *reqCtx) begin(parent context.Context, log *zap.Logger, id string, tr Trace, keys Keys, prefix, traceparent string) {
	c.Context, c.id, c.base = parent, id, log
	if tr.IsValid() {
		c.hasTrace = true
		c.trace.set(tr, keys, prefix, traceparent)
	}
}
