package backing

import (
	"crypto/tls"
	"time"

	"github.com/twelvekit/twelvekit/internal/platform"
)

// Option changes how [Parse] reads a URL, how [Check] probes a service or
// which environment [Attached] reads.
// Options are built by the With functions of this package; nobody outside it
// can implement one. An option that does not concern the function it is
// passed to is ignored: [WithTimeout] means nothing to Parse.
type Option interface{ apply(*settings) }

type settings struct {
	insecure bool
	timeout  time.Duration
	families []string
	tls      *tls.Config
	env      map[string]string // WithEnvironment
	envSet   bool
}

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// WithEnvironment makes [Attached] read env instead of the process
// environment; a nil env is an empty environment. Repeating it replaces the
// earlier map.
func WithEnvironment(env map[string]string) Option {
	return optionFunc(func(s *settings) { s.env, s.envSet = env, true })
}

// platformEnv is the environment of opts: WithEnvironment's map, or the
// process environment read once.
func platformEnv(opts []Option) map[string]string {
	s := newSettings(opts)
	if s.envSet {
		return s.env
	}
	return platform.Environ()
}

func newSettings(opts []Option) settings {
	s := settings{timeout: DefaultTimeout}
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}

// DefaultTimeout bounds each [Check] when no [WithTimeout] is given.
const DefaultTimeout = 5 * time.Second

// WithInsecureSkipVerify makes [Parse] accept a TLS server certificate without
// checking it, as Heroku Redis (rediss://) needs for its self-signed
// certificates. It turns [TLSVerify] and [TLSVerifyCA] into [TLSRequire]:
// traffic is still encrypted, but anyone on the path can read it. The choice
// shows in [URL.String] ("certificate not verified") and is not part of
// [URL.Reveal], since it is made in code, not by the URL. Repeating it changes
// nothing.
func WithInsecureSkipVerify() Option {
	return optionFunc(func(s *settings) { s.insecure = true })
}

// WithTimeout bounds each [Check] to d, in addition to the context's own
// deadline; zero or a negative d keeps [DefaultTimeout]. The last one given
// wins.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.timeout = d
		}
	})
}

// WithFamily makes [Parse] accept only URLs of the named families (the
// names [URL.Scheme] returns, "postgres", "amqp"..., or any spelling of
// their schemes, such as "postgresql" or "amqps"); a URL of another family
// gives an error wrapping [ErrFamily] that names the schemes accepted ("a
// redis URL; want amqp or amqps"). Repeating it adds families; no names
// accept every family. The typed fields ([PostgresURL], [AMQPURL]...) are
// built on it.
func WithFamily(names ...string) Option {
	return optionFunc(func(s *settings) {
		for _, n := range names {
			if ref, ok := lookup(n); ok {
				n = ref.fam.name
			}
			s.families = append(s.families, n)
		}
	})
}

// WithTLSConfig makes [Check] use c for the TLS handshake of a URL whose
// protocol starts with TLS, in place of [URL.TLSConfig]: a client
// certificate the service requires (Heroku Kafka's KAFKA_CLIENT_CERT, as
// [URL.Kafka] adds it), or its own authorities. Check sets ServerName to
// each host's name when c leaves it empty, and does not change c. A nil c
// keeps URL.TLSConfig. The last one given wins; Parse ignores it.
func WithTLSConfig(c *tls.Config) Option {
	return optionFunc(func(s *settings) { s.tls = c })
}
