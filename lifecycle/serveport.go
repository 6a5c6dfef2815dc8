package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"go.uber.org/zap"
)

// ServeOnPort adds a serving actor, as [Group.Serve] does, that serves on the
// group's public port, [Config.Port], on every interface: a gRPC server
// taking the port a platform routes to, as Cloud Run and a Procfile's web
// process expect. When serve starts, the group binds the port, logs
// "listening" with the actor's name and address, and hands serve the
// listener, which serve then owns (a gRPC server closes it when it stops).
// A port that cannot be bound fails the actor, which stops the group with an
// error naming the actor and what to do.
//
// Because the actor holds Config.Port, the group does not start the probe
// server it starts there for serving actors without an HTTP actor: with
// [Config.ManagementPort] set, /livez and /readyz are served there as ever;
// without it the group serves no HTTP probe, and the actor answers for
// readiness itself, with a health service that reports [Group.Ready]. An
// HTTP actor of the group on Config.Port too cannot bind beside it: give one
// of the two another address ([WithAddr]).
//
// Everything else is as for [Group.Serve]: ready, the drain, stop and the
// timeout. A group has at most one actor added with ServeOnPort.
//
// ServeOnPort returns an error, which Run then returns too, when name is
// empty or already used, a function is nil, or the group already has an
// actor added with ServeOnPort; after Run has started it returns an error
// and adds nothing.
func (g *Group) ServeOnPort(name string, serve func(ctx context.Context, ln net.Listener, ready func()) error, stop func(ctx context.Context) error) error {
	var bad error
	switch {
	case serve == nil || stop == nil:
		bad = fmt.Errorf("lifecycle: serving actor %q has a nil serve or stop function; pass both", name)
	default:
		g.mu.Lock()
		owner := g.portActor
		g.mu.Unlock()
		if owner != "" {
			bad = fmt.Errorf("lifecycle: serving actor %q: %q already serves on PORT; serve one of them on another address with Group.Serve", name, owner)
		}
	}
	a := &actor{name: name, kind: kindServe, stop: stop}
	if bad == nil {
		a.serve = func(ctx context.Context, ready func()) error {
			ln, err := net.Listen("tcp", ":"+strconv.Itoa(g.cfg.Port))
			if err != nil {
				return fmt.Errorf("lifecycle: serving actor %q cannot listen on PORT: %w; stop what holds the port or choose another one", name, err)
			}
			g.logger().Info("listening", zap.String("actor", name), zap.String("addr", ln.Addr().String()))
			return serve(ctx, ln, ready)
		}
	}
	err := g.register("serving actor", a, bad)
	if err == nil {
		g.mu.Lock()
		g.portActor = name
		g.mu.Unlock()
	}
	return err
}

// servesPort reports whether an actor added with ServeOnPort holds
// Config.Port.
func (g *Group) servesPort() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.portActor != ""
}

// Ready reports whether the group is ready, decided as /readyz decides: nil
// once every serving actor has called ready and every startup function is
// done, while no stop has begun and every readiness check added with
// [Group.Check] passes (run concurrently, each within its timeout, as for
// /readyz); otherwise an error saying why: starting (naming what is still
// pending), stopping, or failing (naming the failing checks, never their
// errors). Before Run has started the group is starting.
//
// It is the hook for a readiness signal other than /readyz, such as a
// grpc.health.v1 service. Each call counts as a readiness probe for the
// drain, as a request to /readyz does: a stop waits for a prober seen in
// the last 30 seconds to have been told "stopping" (see the package
// documentation, "Drain"). Ready is safe for concurrent use at any time.
func (g *Group) Ready(ctx context.Context) error {
	state := g.state.Load()
	g.traffic.probedAt("lifecycle.Group.Ready", g.traffic.now(), state == stateStopping)
	switch state {
	case stateStopping:
		return errStopping
	case stateStarting:
		if p := g.pending.Load(); p != nil && len(*p) > 0 {
			return fmt.Errorf("lifecycle: not ready: starting; waiting for %s", strings.Join(*p, ", "))
		}
		return errors.New("lifecycle: not ready: starting")
	}
	g.mu.Lock()
	checks := g.checks
	g.mu.Unlock()
	var failing []string
	for _, res := range g.runChecks(ctx, checks) {
		if res.Status != "ok" {
			failing = append(failing, res.Name)
		}
	}
	if g.state.Load() == stateStopping {
		return errStopping
	}
	if len(failing) > 0 {
		slices.Sort(failing)
		return fmt.Errorf("lifecycle: not ready: failing checks %s", strings.Join(failing, ", "))
	}
	return nil
}

var errStopping = errors.New("lifecycle: not ready: stopping")
