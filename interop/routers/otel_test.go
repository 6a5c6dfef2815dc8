package routers_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"testing"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// otelTrace is the recipe of logging.WithTraceFrom for OpenTelemetry: the
// IDs of the span in the request's context.
func otelTrace(ctx context.Context) logging.Trace {
	sc := trace.SpanContextFromContext(ctx)
	return logging.Trace{TraceID: sc.TraceID(), SpanID: sc.SpanID(), Sampled: sc.IsSampled()}
}

// tracing returns a tracer provider recording its spans in memory, and the
// W3C propagator.
func tracing(t *testing.T) (*sdktrace.TracerProvider, *tracetest.InMemoryExporter, propagation.TextMapPropagator) {
	t.Helper()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp, exp, propagation.TraceContext{}
}

// TestWithTraceFrom_otel runs a client and a server instrumented with the
// OpenTelemetry SDK and otelhttp: the server's events carry the trace of
// the client and the ID of the server's own span, as the SDK recorded them.
func TestWithTraceFrom_otel(t *testing.T) {
	tp, exp, prop := tracing(t)
	log, buf := newLogger(nil, logging.Config{})
	slogger := logging.NewSlog(log)
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		slogger.InfoContext(r.Context(), "in handler")
		w.WriteHeader(http.StatusNoContent)
	})
	h := otelhttp.NewHandler(
		logging.Middleware(log, logging.WithTraceFrom(otelTrace))(app),
		"orders", otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop))
	srv := serve(t, h)
	client := &http.Client{Transport: otelhttp.NewTransport(srv.Client().Transport,
		otelhttp.WithTracerProvider(tp), otelhttp.WithPropagators(prop))}
	defer srv.Client().CloseIdleConnections()

	ctx, parent := tp.Tracer("test").Start(context.Background(), "client call")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/orders/7", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	parent.End()

	var server *tracetest.SpanStub
	spans := exp.GetSpans()
	for i := range spans {
		if spans[i].SpanKind == trace.SpanKindServer {
			server = &spans[i]
		}
	}
	if server == nil {
		t.Fatalf("no server span among %d spans", len(spans))
	}
	wantTrace := hex.EncodeToString(func() []byte { id := parent.SpanContext().TraceID(); return id[:] }())
	wantSpan := hex.EncodeToString(func() []byte { id := server.SpanContext.SpanID(); return id[:] }())
	ev := testkit.Events(t, buf.String())
	if len(ev) != 2 {
		t.Fatalf("got %d events, want 2: %v", len(ev), ev)
	}
	for _, e := range ev {
		if e["trace_id"] != wantTrace || e["span_id"] != wantSpan || e["trace_sampled"] != true {
			t.Errorf("%v: trace_id %v span_id %v sampled %v, want %s %s true (the server span)",
				e["msg"], e["trace_id"], e["span_id"], e["trace_sampled"], wantTrace, wantSpan)
		}
	}
}

// TestTraceparent_otelPropagator checks the middleware's own parser, with
// no tracer in the server, against the headers the OpenTelemetry
// propagator writes: sampled and not, and the IDs it injected.
func TestTraceparent_otelPropagator(t *testing.T) {
	tp, _, prop := tracing(t)
	for _, sampled := range []bool{true, false} {
		log, buf := newLogger(map[string]string{"GOOGLE_CLOUD_PROJECT": "shop-prod"}, logging.Config{Keys: logging.KeysGCP})
		srv := serve(t, logging.Middleware(log)(http.NotFoundHandler()))
		ctx, span := tp.Tracer("test").Start(context.Background(), "call")
		sc := span.SpanContext()
		if !sampled {
			sc = sc.WithTraceFlags(0)
			ctx = trace.ContextWithSpanContext(ctx, sc)
		}
		h := http.Header{}
		prop.Inject(ctx, propagation.HeaderCarrier(h))
		span.End()
		get(t, srv.Client(), srv.URL, h)
		srv.Client().CloseIdleConnections()
		ev := requestEvents(t, buf)
		if len(ev) != 1 {
			t.Fatalf("got %d request events, want 1: %v", len(ev), testkit.Events(t, buf.String()))
		}
		tid, sid := sc.TraceID(), sc.SpanID()
		want := map[string]any{
			"logging.googleapis.com/trace":         "projects/shop-prod/traces/" + hex.EncodeToString(tid[:]),
			"logging.googleapis.com/spanId":        hex.EncodeToString(sid[:]),
			"logging.googleapis.com/trace_sampled": sampled,
		}
		for k, v := range want {
			if ev[0][k] != v {
				t.Errorf("sampled %v, header %q: %s = %v, want %v", sampled, h.Get("Traceparent"), k, ev[0][k], v)
			}
		}
	}
}
