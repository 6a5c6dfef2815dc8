package grpcserve_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net"
	"testing"
	"time"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/twelvekit/twelvekit/grpcserve"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// handGlued is the fair peer: the unary interceptor a team writes by hand
// for the same job (the drain's traffic, a request ID from metadata or new,
// the caller's traceparent on the request's logger, one event per call).
func handGlued(g *lifecycle.Group, log *zap.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		g.Traffic()
		start := time.Now()
		md, _ := metadata.FromIncomingContext(ctx)
		id := ""
		if v := md.Get("x-request-id"); len(v) > 0 {
			id = v[0]
		} else {
			var b [16]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		fields := []zap.Field{zap.String("request_id", id)}
		if v := md.Get("traceparent"); len(v) == 1 && len(v[0]) == 55 {
			fields = append(fields, zap.String("trace_id", v[0][3:35]), zap.String("span_id", v[0][36:52]))
		}
		l := log.With(fields...)
		ctx = logging.NewContext(ctx, l)
		_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", id))
		resp, err := h(ctx, req)
		l.Info("request", zap.String("method", info.FullMethod), zap.String("code", status.Code(err).String()),
			zap.Duration("duration", time.Since(start)))
		return resp, err
	}
}

// BenchmarkUnary measures one unary call over an in-memory connection:
// a bare server, the hand-glued interceptor, and New's interceptors.
func BenchmarkUnary(b *testing.B) {
	log := logging.New(logging.Config{}, logging.WithWriter(io.Discard), logging.WithEnvironment(nil))
	for _, variant := range []string{"bare", "hand-glued", "grpcserve"} {
		b.Run(variant, func(b *testing.B) {
			g := lifecycle.New(lifecycle.Config{})
			var srv *grpc.Server
			switch variant {
			case "bare":
				srv = grpc.NewServer()
			case "hand-glued":
				srv = grpc.NewServer(grpc.UnaryInterceptor(handGlued(g, log)))
			default:
				var err error
				if srv, err = grpcserve.New(g, log, grpcserve.WithListener(bufconn.Listen(1))); err != nil {
					b.Fatal(err)
				}
			}
			srv.RegisterService(&echoDesc, &echo{})
			ln := bufconn.Listen(1 << 20)
			go func() { _ = srv.Serve(ln) }()
			defer srv.Stop()
			conn, err := grpc.NewClient("passthrough:///bufnet", grpc.WithTransportCredentials(insecure.NewCredentials()),
				grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ln.DialContext(ctx) }))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			ctx := metadata.AppendToOutgoingContext(context.Background(),
				"x-request-id", "bench-1", "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			in, out := wrapperspb.String("hi"), new(wrapperspb.StringValue)
			b.ReportAllocs()
			for b.Loop() {
				if err := conn.Invoke(ctx, "/test.Echo/Echo", in, out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
