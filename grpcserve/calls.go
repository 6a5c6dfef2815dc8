package grpcserve

import (
	"context"
	"strings"
	"time"

	oteltrace "go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// The metadata keys the interceptors read, in gRPC's lower case.
const (
	requestIDKey   = "x-request-id"
	traceparentKey = "traceparent"
)

// calls holds what the interceptors of one server share.
type calls struct {
	g   *lifecycle.Group
	log *zap.Logger
}

// isHealth reports whether fullMethod belongs to the health service, whose
// calls are probes: neither traffic nor logged, as the HTTP probes are not.
func isHealth(fullMethod string) bool {
	return strings.HasPrefix(fullMethod, "/"+healthService+"/")
}

// begin makes the call's request context from its metadata: the request ID
// of x-request-id (or a new one), sent back in the response's header
// metadata by set, and the trace of the OpenTelemetry span the context
// carries, or of the traceparent metadata.
func (c *calls) begin(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	var id string
	if v := md.Get(requestIDKey); len(v) > 0 {
		id = v[0]
	}
	var tr logging.Trace
	if sc := oteltrace.SpanContextFromContext(ctx); sc.IsValid() {
		tr = logging.Trace{TraceID: sc.TraceID(), SpanID: sc.SpanID(), Sampled: sc.IsSampled()}
	} else if v := md.Get(traceparentKey); len(v) == 1 {
		tr, _ = logging.ParseTraceparent(v[0])
	}
	return logging.NewRequestContext(ctx, c.log, id, tr)
}

func (c *calls) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	if isHealth(info.FullMethod) {
		return handler(ctx, req)
	}
	c.g.Traffic()
	start := time.Now()
	ctx = c.begin(ctx)
	_ = grpc.SetHeader(ctx, metadata.Pairs(requestIDKey, logging.RequestID(ctx)))
	defer func() {
		if p := recover(); p != nil {
			resp, err = nil, status.Error(codes.Internal, "internal error")
			c.event(ctx, info.FullMethod, start, err, &p)
			return
		}
		c.event(ctx, info.FullMethod, start, err, nil)
	}()
	return handler(ctx, req)
}

func (c *calls) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	if isHealth(info.FullMethod) {
		return handler(srv, ss)
	}
	c.g.Traffic()
	start := time.Now()
	ctx := c.begin(ss.Context())
	_ = ss.SetHeader(metadata.Pairs(requestIDKey, logging.RequestID(ctx)))
	defer func() {
		if p := recover(); p != nil {
			err = status.Error(codes.Internal, "internal error")
			c.event(ctx, info.FullMethod, start, err, &p)
			return
		}
		c.event(ctx, info.FullMethod, start, err, nil)
	}()
	return handler(srv, &serverStream{ServerStream: ss, ctx: ctx})
}

// serverStream gives the handler the call's request context.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *serverStream) Context() context.Context { return s.ctx }

// event logs the call's one event, through the request's logger, which
// carries request_id and the trace fields.
func (c *calls) event(ctx context.Context, method string, start time.Time, err error, panicked *any) {
	code := status.Code(err)
	level := codeLevel(code)
	if panicked != nil {
		level = zapcore.ErrorLevel
	}
	ce := logging.FromContext(ctx).Check(level, "request")
	if ce == nil {
		return
	}
	var addr, agent string
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		addr = p.Addr.String()
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get("user-agent"); len(v) > 0 {
			agent = v[0]
		}
	}
	fields := []zap.Field{
		zap.String("method", method),
		zap.String("code", code.String()),
		zap.Duration("duration", time.Since(start)),
		zap.String("peer", addr),
		zap.String("user_agent", agent),
	}
	if panicked != nil {
		fields = append(fields, zap.Any("panic", *panicked))
		// The stack of the handler's goroutine, below the recovering
		// function and this one.
		ce.Stack = zap.StackSkip("", 2).String
	}
	ce.Write(fields...)
}

// codeLevel is the level of a call's event: error for the codes that say
// the server failed (as 5xx for HTTP), warn for those that say the request
// was wrong or refused (as 4xx), info for OK.
func codeLevel(code codes.Code) zapcore.Level {
	switch code {
	case codes.OK:
		return zapcore.InfoLevel
	case codes.Unknown, codes.DeadlineExceeded, codes.Unimplemented, codes.Internal,
		codes.Unavailable, codes.DataLoss:
		return zapcore.ErrorLevel
	}
	return zapcore.WarnLevel
}
