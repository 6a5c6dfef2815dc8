package grpcserve

import (
	"net"

	"google.golang.org/grpc"
)

// An Option changes how [New] builds and serves the server. Options are
// built by the With functions of this package; nothing outside it can
// implement Option. A nil Option is ignored.
type Option interface {
	apply(*settings)
}

type settings struct {
	name    string
	addr    string
	ln      net.Listener
	options []grpc.ServerOption
}

// optionFunc is the one adapter that builds every [Option].
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithName names the serving actor in the group's logs, its errors and
// the stop's timeout, instead of "grpc". Repeating WithName replaces the
// earlier name.
func WithName(name string) Option {
	return optionFunc(func(s *settings) { s.name = name })
}

// WithAddr makes the server listen on addr, such as ":9090" or
// "127.0.0.1:0", instead of on every interface at the group's PORT
// (lifecycle.Config.Port). The group then serves its HTTP probes on PORT
// as it does for any serving actor without an HTTP actor beside it (or on
// MANAGEMENT_PORT when set). Use it when the process also serves HTTP on
// PORT. Repeating WithAddr replaces the earlier address; [WithListener]
// takes precedence over it.
func WithAddr(addr string) Option {
	return optionFunc(func(s *settings) { s.addr = addr })
}

// WithListener makes the server serve on ln, a listener the caller has
// already bound (on "127.0.0.1:0" in a test, to learn its address first),
// instead of on PORT; the group's HTTP probes then stay on PORT, as with
// [WithAddr]. The server owns ln from then on and closes it when it stops,
// also when the group fails before starting it. Repeating WithListener
// replaces the earlier listener.
func WithListener(ln net.Listener) Option {
	return optionFunc(func(s *settings) { s.ln = ln })
}

// WithServerOptions passes opts to grpc.NewServer: message sizes,
// keepalive, credentials, a stats handler (such as OpenTelemetry's
// otelgrpc.NewServerHandler, whose span the call's events then carry), your
// own interceptors. Add interceptors with grpc.ChainUnaryInterceptor and
// grpc.ChainStreamInterceptor: they run inside this package's, so they see
// the call's request context and a panic in them is recovered too (an
// interceptor set with grpc.UnaryInterceptor or grpc.StreamInterceptor runs
// outside them). Repeating WithServerOptions adds options, in order.
func WithServerOptions(opts ...grpc.ServerOption) Option {
	return optionFunc(func(s *settings) { s.options = append(s.options, opts...) })
}
