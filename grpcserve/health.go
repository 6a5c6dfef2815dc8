package grpcserve

import (
	"context"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// watchEvery is how often a Watch stream asks the group for its
// readiness, checks included.
const watchEvery = time.Second

// healthService is the full name of the grpc.health.v1 service.
const healthService = "grpc.health.v1.Health"

// health is the grpc.health.v1 service of a server: every service of the
// server, and the server as a whole (""), is SERVING exactly when the
// group is ready.
type health struct {
	healthpb.UnimplementedHealthServer
	g    *lifecycle.Group
	srv  *grpc.Server
	once sync.Once
	done chan struct{} // closed at the stop: Watch streams end
}

func (h *health) stop() { h.once.Do(func() { close(h.done) }) }

// known reports whether service is "" or a service of the server.
func (h *health) known(service string) bool {
	if service == "" {
		return true
	}
	_, ok := h.srv.GetServiceInfo()[service]
	return ok
}

func (h *health) status(ctx context.Context) healthpb.HealthCheckResponse_ServingStatus {
	if h.g.Ready(ctx) != nil {
		return healthpb.HealthCheckResponse_NOT_SERVING
	}
	return healthpb.HealthCheckResponse_SERVING
}

// Check answers SERVING while the group is ready, NOT_SERVING otherwise,
// and NotFound for a service the server does not have.
func (h *health) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	if !h.known(req.GetService()) {
		return nil, status.Error(codes.NotFound, "unknown service")
	}
	return &healthpb.HealthCheckResponse{Status: h.status(ctx)}, nil
}

// List answers the status of the server and of each of its services.
func (h *health) List(ctx context.Context, _ *healthpb.HealthListRequest) (*healthpb.HealthListResponse, error) {
	st := &healthpb.HealthCheckResponse{Status: h.status(ctx)}
	out := &healthpb.HealthListResponse{Statuses: map[string]*healthpb.HealthCheckResponse{"": st}}
	for name := range h.srv.GetServiceInfo() {
		out.Statuses[name] = st
	}
	return out, nil
}

// Watch sends the status at once and then whenever it changes, as the
// group's readiness is asked every second; SERVICE_UNKNOWN for a service
// the server does not have. The stream ends, after NOT_SERVING, when the
// server stops, so that GracefulStop does not wait for it.
func (h *health) Watch(req *healthpb.HealthCheckRequest, stream grpc.ServerStreamingServer[healthpb.HealthCheckResponse]) error {
	ctx := stream.Context()
	if !h.known(req.GetService()) {
		if err := stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_SERVICE_UNKNOWN}); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-h.done:
			return nil
		}
	}
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	last := healthpb.HealthCheckResponse_UNKNOWN
	for {
		st := h.status(ctx)
		select {
		case <-h.done:
			st = healthpb.HealthCheckResponse_NOT_SERVING
		default:
		}
		if st != last {
			if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
				return err
			}
			last = st
		}
		select {
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-h.done:
			if last != healthpb.HealthCheckResponse_NOT_SERVING {
				_ = stream.Send(&healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_NOT_SERVING})
			}
			return nil
		case <-tick.C:
		}
	}
}
