package grpcserve

import (
	"context"
	"errors"
	"fmt"
	"net"

	"go.uber.org/zap"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// New returns a *grpc.Server that is a serving actor of g, with the
// grpc.health.v1 service tied to g's readiness and interceptors that log
// every call to log. Register your services on it, then run g:
//
//	srv, err := grpcserve.New(g, log)
//	if err != nil {
//		return err
//	}
//	pb.RegisterGreeterServer(srv, greeter{})
//	return g.Run(ctx)
//
// The server listens on every interface at the group's PORT
// (lifecycle.Config.Port), through [lifecycle.Group.ServeOnPort], so the
// group serves no HTTP probe there: the health service answers for
// readiness, and the HTTP probes are on MANAGEMENT_PORT when it is set.
// [WithAddr] and [WithListener] serve elsewhere instead.
//
// The group reports ready once the server's port is bound and everything
// else of the group is ready. At a stop, the server keeps serving during the
// drain (every call but the health service's counts as traffic for its
// rule), then stops with GracefulStop: it stops accepting, and the calls in
// flight finish. When the group's shutdown timeout passes first, Stop cuts
// them short, and the group names the actor (see [WithName]) in its
// timeout error. Streams of the health service's Watch end at the stop; a
// stream of yours that never ends holds the stop until the timeout.
//
// The server owns its listener. New returns an error when g is nil or the
// group refuses the actor (a name already used, Run already started); the
// group's Run then returns that error too.
func New(g *lifecycle.Group, log *zap.Logger, opts ...Option) (*grpc.Server, error) {
	s := settings{name: "grpc"}
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	if g == nil {
		if s.ln != nil {
			_ = s.ln.Close()
		}
		return nil, errors.New("grpcserve: nil group; pass the lifecycle.Group that runs the process")
	}
	if log == nil {
		log = zap.NewNop()
	}
	c := &calls{g: g, log: log}
	srv := grpc.NewServer(append([]grpc.ServerOption{
		grpc.ChainUnaryInterceptor(c.unary),
		grpc.ChainStreamInterceptor(c.stream),
	}, s.options...)...)
	h := &health{g: g, srv: srv, done: make(chan struct{})}
	healthpb.RegisterHealthServer(srv, h)

	stop := func(ctx context.Context) error {
		h.stop()
		return stopServer(ctx, srv)
	}
	var err error
	if s.ln == nil && s.addr == "" {
		err = g.ServeOnPort(s.name, func(_ context.Context, ln net.Listener, ready func()) error {
			ready() // bound: connections wait in the backlog until Serve accepts
			return serve(srv, ln)
		}, stop)
	} else {
		err = g.Serve(s.name, func(_ context.Context, ready func()) error {
			ln := s.ln
			if ln == nil {
				var err error
				if ln, err = net.Listen("tcp", s.addr); err != nil {
					return fmt.Errorf("grpcserve: %q cannot listen: %w; stop what holds the address or choose another one", s.name, err)
				}
			}
			log.Info("listening", zap.String("actor", s.name), zap.String("addr", ln.Addr().String()))
			ready()
			return serve(srv, ln)
		}, func(ctx context.Context) error {
			err := stop(ctx)
			if s.ln != nil {
				_ = s.ln.Close() // when Serve never ran
			}
			return err
		})
	}
	if err != nil {
		if s.ln != nil {
			_ = s.ln.Close()
		}
		return nil, err
	}
	return srv, nil
}

// serve serves srv on ln; a server stopped before it served is a clean
// stop.
func serve(srv *grpc.Server, ln net.Listener) error {
	err := srv.Serve(ln)
	if errors.Is(err, grpc.ErrServerStopped) {
		_ = ln.Close()
		return nil
	}
	return err
}

// stopServer stops srv with GracefulStop, or with Stop once ctx is done.
func stopServer(ctx context.Context, srv *grpc.Server) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.GracefulStop()
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		srv.Stop()
		<-done
		return fmt.Errorf("grpcserve: calls still running at the shutdown timeout were cut short: %w", ctx.Err())
	}
}
