package lifecycle

import (
	"net"
	"net/http"
	"os"
	"time"

	"go.uber.org/zap"
)

// An Option changes how a [Group] is wired in code: today, its logger.
// Options are built by the With functions of this package; nothing outside it
// can implement Option. Settings an operator chooses belong in [Config].
type Option interface {
	apply(*settings)
}

// settings is what the options of [New] set.
type settings struct {
	log *zap.Logger

	// Test seams, set only by the unexported options below.
	signals  <-chan os.Signal // replaces signal.Notify when non-nil
	forceGap time.Duration    // minimum gap before a SIGINT forces; 0 means defaultForceGap
}

// optionFunc is the one adapter that builds every [Option].
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithLogger makes the group log through log: every reason to stop, the
// addresses it listens on, readiness, the stop's progress and HTTP server
// errors. Entries carry the field "actor" when they are about one actor. A nil
// log, like no WithLogger at all, discards everything. Repeating WithLogger
// replaces the earlier logger.
//
// The group's own entries never hold up a stop: they are written by a
// goroutine of [Group.Run], so a stdout that nobody reads (a stalled log
// collector) cannot keep Run past [Config.ShutdownTimeout]. Run waits for
// them to be written before it returns, within the time the stop has left
// (it keeps the last tenth of the timeout, at most 200 ms, for this final
// flush), and flushes log itself by the deadline when log's core has a
// SyncBy(time.Time) error method, as the loggers of twelvekit's logging
// do: main's own Sync after Run then has nothing left to wait for. Entries
// that cannot be written by then, or that find the queue full, are dropped.
func WithLogger(log *zap.Logger) Option {
	return optionFunc(func(s *settings) { s.log = log })
}

// withSignals is a test seam: the group reads signals from c instead of
// calling signal.Notify.
func withSignals(c <-chan os.Signal) Option {
	return optionFunc(func(s *settings) { s.signals = c })
}

// withForceGap is a test seam for the minimum gap between the first signal
// and a SIGINT that forces the stop.
func withForceGap(d time.Duration) Option {
	return optionFunc(func(s *settings) { s.forceGap = d })
}

// An HTTPOption changes one HTTP actor added with [Group.HTTP]. HTTP options
// are built by the With functions of this package; nothing outside it can
// implement HTTPOption.
type HTTPOption interface {
	applyHTTP(*httpSettings)
}

type httpSettings struct {
	addr      string
	addrSet   bool
	ln        net.Listener
	configure []func(*http.Server)
}

// httpOptionFunc is the one adapter that builds every [HTTPOption].
type httpOptionFunc func(*httpSettings)

func (f httpOptionFunc) applyHTTP(s *httpSettings) { f(s) }

// WithAddr makes the HTTP actor listen on addr, such as "127.0.0.1:8080" or
// "127.0.0.1:0", instead of on every interface at [Config.Port]. [Group.Run]
// binds it before any actor starts. Repeating WithAddr replaces the earlier
// address; [WithListener] takes precedence over it.
func WithAddr(addr string) HTTPOption {
	return httpOptionFunc(func(s *httpSettings) {
		s.addr = addr
		s.addrSet = true
	})
}

// WithListener makes the HTTP actor serve on ln, a listener the caller has
// already bound (for example on "127.0.0.1:0" in a test, to learn its address
// first). The group owns ln from then on: it closes it when the actor stops,
// and also when Run fails before starting. It takes precedence over
// [WithAddr] and [Config.Port]. Repeating WithListener replaces the earlier
// listener.
func WithListener(ln net.Listener) HTTPOption {
	return httpOptionFunc(func(s *httpSettings) { s.ln = ln })
}

// WithServer lets configure adjust the *http.Server the group builds for the
// HTTP actor before it serves: its timeouts, MaxHeaderBytes, ConnState,
// ErrorLog, Protocols and so on. The server it receives already has the
// defaults documented on [Group.HTTP] and its Handler set to the actor's
// handler wrapped by the group (the probes, "Connection: close" during a
// stop); wrap that Handler rather than replace it. A ConnState set here is
// kept: the group calls it after its own tracking of connections. Addr is
// ignored: the group serves on the listener it bound. The server speaks plain
// HTTP, as platforms that terminate TLS expect; to serve TLS yourself, pass a
// listener from crypto/tls.NewListener with [WithListener]. Repeating
// WithServer adds a function; they run in order. A nil configure is ignored.
func WithServer(configure func(*http.Server)) HTTPOption {
	return httpOptionFunc(func(s *httpSettings) {
		if configure != nil {
			s.configure = append(s.configure, configure)
		}
	})
}
