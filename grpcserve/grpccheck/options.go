package grpccheck

import (
	"time"

	"google.golang.org/protobuf/proto"
)

// An Option changes what [Check] does. Options are built by the With
// functions of this package; nothing outside it can implement Option. A nil
// Option is ignored.
type Option interface{ apply(*settings) }

type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

type settings struct {
	method       string
	req, resp    proto.Message
	rate         int
	workers      int
	interval     time.Duration
	fall         int
	warmup       time.Duration
	grace        time.Duration
	startTimeout time.Duration
}

func defaults() settings {
	return settings{rate: 200, workers: 8, interval: 2 * time.Second, fall: 3,
		warmup: time.Second, grace: 30 * time.Second, startTimeout: 10 * time.Second}
}

// WithMethod makes the load call fullMethod, such as
// "/helloworld.Greeter/SayHello", with req, decoding the answer into resp
// (a message of the method's response type; it is reused), instead of the
// health service's Check. A call of the load succeeds when it returns OK.
// Name a method of your own when the health service's calls do not count as
// traffic for the service's drain (they do not with grpcserve), so that the
// drain ends as soon as the load stops. Repeating WithMethod replaces the
// earlier method.
func WithMethod(fullMethod string, req, resp proto.Message) Option {
	return optionFunc(func(s *settings) { s.method, s.req, s.resp = fullMethod, req, resp })
}

// WithLoadRate sets the load's rate, in calls per second in all, and its
// number of concurrent callers, instead of 200 calls a second from 8.
// Values below 1 keep the default. Repeating it replaces the earlier rate.
func WithLoadRate(perSecond, workers int) Option {
	return optionFunc(func(s *settings) {
		if perSecond > 0 {
			s.rate = perSecond
		}
		if workers > 0 {
			s.workers = workers
		}
	})
}

// WithBalancer sets the balancer model of the rolling stop: it asks the
// health service every interval and removes the instance after fall
// answers in a row that are not SERVING, instead of every 2s and after 3
// (HAProxy's defaults; Kubernetes' readiness probe is every 10s, after 3).
// Values below 1 keep the default. Repeating it replaces the earlier model.
func WithBalancer(interval time.Duration, fall int) Option {
	return optionFunc(func(s *settings) {
		if interval > 0 {
			s.interval = interval
		}
		if fall > 0 {
			s.fall = fall
		}
	})
}

// WithGracePeriod sets how long after SIGTERM the process may take to exit
// before it is reported hung and killed, instead of 30s (Kubernetes'
// default). Repeating it replaces the earlier period.
func WithGracePeriod(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.grace = d
		}
	})
}

// WithStartTimeout sets how long the process may take to accept on PORT and
// to answer SERVING, instead of 10s. Repeating it replaces the earlier
// timeout.
func WithStartTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.startTimeout = d
		}
	})
}
