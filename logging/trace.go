package logging

import (
	"net/http"

	"go.uber.org/zap/zapcore"
)

// Trace identifies the distributed trace a request belongs to and the span
// its events are attached to, as W3C Trace Context and OpenTelemetry define
// them: a 16-byte trace ID and an 8-byte span ID (the types of
// go.opentelemetry.io/otel/trace.TraceID and SpanID convert to these
// fields as they are). The zero Trace is no trace.
type Trace struct {
	// TraceID is the ID of the whole trace; all zeros means no trace.
	TraceID [16]byte
	// SpanID is the ID of the span; all zeros means none is known, and the
	// span fields are left out.
	SpanID [8]byte
	// Sampled reports whether the caller records the trace (the sampled
	// flag of traceparent, o=1 in X-Cloud-Trace-Context).
	Sampled bool
}

// IsValid reports whether t has a trace ID that is not all zeros.
func (t Trace) IsValid() bool { return t.TraceID != [16]byte{} }

// The headers Middleware reads a trace from, in Go's canonical form.
const (
	traceparentHeader = "Traceparent"
	cloudTraceHeader  = "X-Cloud-Trace-Context"
)

// traceFromHeaders returns the trace of the traceparent header, and the
// header's value, or when the request has none, of X-Cloud-Trace-Context
// (and ""). A header that is malformed, or repeated, gives no trace: it is
// never read further and never logged.
func traceFromHeaders(h http.Header) (Trace, string, bool) {
	if v, ok := h[traceparentHeader]; ok {
		if len(v) != 1 {
			return Trace{}, "", false
		}
		t, ok := ParseTraceparent(v[0])
		return t, v[0], ok
	}
	if v := h[cloudTraceHeader]; len(v) == 1 {
		t, ok := parseCloudTrace(v[0])
		return t, "", ok
	}
	return Trace{}, "", false
}

// parseCloudTrace reads Google Cloud's X-Cloud-Trace-Context header,
// TRACE_ID[/SPAN_ID][;o=OPTIONS]: 32 lowercase hex digits, the span ID in
// decimal (an unsigned 64-bit number, 0 meaning none), and o=1 when sampled.
func parseCloudTrace(s string) (Trace, bool) {
	var t Trace
	if len(s) < 32 || !decodeHex(t.TraceID[:], s[:32]) || !t.IsValid() {
		return Trace{}, false
	}
	s = s[32:]
	if len(s) > 0 && s[0] == '/' {
		s = s[1:]
		var span uint64
		n := 0
		for n < len(s) && '0' <= s[n] && s[n] <= '9' {
			d := uint64(s[n] - '0')
			if n == 20 || span > (1<<64-1-d)/10 {
				return Trace{}, false // above 2^64-1
			}
			span = span*10 + d
			n++
		}
		if n == 0 {
			return Trace{}, false
		}
		for i := range 8 {
			t.SpanID[i] = byte(span >> (56 - 8*i))
		}
		s = s[n:]
	}
	switch s {
	case "", ";o=0":
	case ";o=1":
		t.Sampled = true
	default:
		return Trace{}, false
	}
	return t, true
}

// decodeHex decodes lowercase hex digits into dst, which is half as long
// as src; it reports false for any other character.
func decodeHex(dst []byte, src string) bool {
	for i := range dst {
		hi, ok1 := unhex(src[2*i])
		lo, ok2 := unhex(src[2*i+1])
		if !ok1 || !ok2 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

func unhex(c byte) (byte, bool) {
	if d := c - '0'; d < 10 {
		return d, true
	}
	if d := c - 'a'; d < 6 {
		return d + 10, true
	}
	return 0, false
}

const hexDigits = "0123456789abcdef"

func encodeHex(dst, src []byte) {
	for i, c := range src {
		dst[2*i], dst[2*i+1] = hexDigits[c>>4], hexDigits[c&0x0f]
	}
}

// traceFields is a request's trace, written as its fields. It is filled
// once, before the handler runs, and only read afterwards, so events of the
// request's goroutines may write it concurrently.
type traceFields struct {
	trace    Trace
	keys     Keys
	traceHex [32]byte
	spanHex  [16]byte
	// gcp is projects/PROJECT/traces/TRACE_ID, for KeysGCP; empty when the
	// project is unknown.
	gcp    []byte
	gcpBuf [96]byte
}

// set fills t for trace tr; prefix is projects/PROJECT/traces/ or "". A
// non-empty traceparent is the valid header tr was parsed from, whose IDs
// are already in lowercase hex.
func (t *traceFields) set(tr Trace, keys Keys, prefix, traceparent string) {
	t.trace, t.keys = tr, keys
	if traceparent != "" {
		copy(t.traceHex[:], traceparent[3:35])
		copy(t.spanHex[:], traceparent[36:52])
	} else {
		encodeHex(t.traceHex[:], tr.TraceID[:])
		encodeHex(t.spanHex[:], tr.SpanID[:])
	}
	t.gcp = nil
	if keys == KeysGCP && prefix != "" {
		b := t.gcpBuf[:0]
		if len(prefix)+len(t.traceHex) > len(t.gcpBuf) {
			b = nil
		}
		t.gcp = append(append(b, prefix...), t.traceHex[:]...)
	}
}

// The keys of the trace fields. With KeysGCP they are those Google Cloud
// Logging reads into a LogEntry's trace, spanId and traceSampled.
const (
	traceIDKey    = "trace_id"
	spanIDKey     = "span_id"
	sampledKey    = "trace_sampled"
	gcpTraceKey   = "logging.googleapis.com/trace"
	gcpSpanKey    = "logging.googleapis.com/spanId"
	gcpSampledKey = "logging.googleapis.com/trace_sampled"
)

func (t *traceFields) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	hasSpan := t.trace.SpanID != [8]byte{}
	if t.keys == KeysGCP {
		if t.gcp != nil {
			enc.AddByteString(gcpTraceKey, t.gcp)
		} else {
			enc.AddByteString(traceIDKey, t.traceHex[:])
		}
		if hasSpan {
			enc.AddByteString(gcpSpanKey, t.spanHex[:])
		}
		enc.AddBool(gcpSampledKey, t.trace.Sampled)
		return nil
	}
	enc.AddByteString(traceIDKey, t.traceHex[:])
	if hasSpan {
		enc.AddByteString(spanIDKey, t.spanHex[:])
	}
	enc.AddBool(sampledKey, t.trace.Sampled)
	return nil
}

// gcpTracePrefix returns projects/PROJECT/traces/ for the first of the
// project variables that is set, or "" when none is or its value is not a
// project ID. The variables, in this order: GOOGLE_CLOUD_PROJECT is the one
// Google's client libraries document (App Engine sets it); GCP_PROJECT is
// set by the older Cloud Functions runtimes; GCLOUD_PROJECT by older
// runtimes and tools; CLOUDSDK_CORE_PROJECT is gcloud's own setting. Cloud
// Run and GKE set none of them: set GOOGLE_CLOUD_PROJECT in the service's
// environment.
func gcpTracePrefix(s *settings) string {
	for _, name := range [...]string{"GOOGLE_CLOUD_PROJECT", "GCP_PROJECT", "GCLOUD_PROJECT", "CLOUDSDK_CORE_PROJECT"} {
		if v := s.lookup(name); v != "" {
			if !validProject(v) {
				return ""
			}
			return "projects/" + v + "/traces/"
		}
	}
	return ""
}

// validProject reports whether p looks like a project ID: 1 to 63 lower
// case letters, digits, dashes, or the dots and colon of a domain-scoped
// project (example.com:my-project).
func validProject(p string) bool {
	if len(p) == 0 || len(p) > 63 {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}
