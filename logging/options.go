package logging

import (
	"io"
	"os"
	"time"
)

// An Option changes how [New] builds a logger ([WithSource] also how
// [NewSlog] builds its front end). Options are made by the With
// functions of this file; nothing outside this package can implement Option.
// A nil Option is ignored.
type Option interface {
	apply(*settings)
}

// optionFunc is the one adapter from a function to an Option.
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

type settings struct {
	w      io.Writer
	env    map[string]string
	envSet bool
	now    func() time.Time
	source bool
}

func newSettings(opts []Option) settings {
	var s settings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	return s
}

// lookup reads a variable from the map given to WithEnvironment, or from the
// process environment.
func (s *settings) lookup(name string) string {
	if s.envSet {
		return s.env[name]
	}
	return os.Getenv(name)
}

// WithWriter makes the logger write its events to w instead of os.Stdout:
// a bytes.Buffer in a test, os.Stdout in an Example, io.Discard in a
// benchmark. Each event is one call to w.Write, made while holding a lock, so
// w need not be safe for concurrent use; the logger's Sync calls w's Sync
// method when it has one. A nil w means os.Stdout. Repeating WithWriter
// replaces the earlier writer.
//
// A service writes to stdout and leaves routing to the platform, so outside
// tests there is rarely a reason to use this option.
func WithWriter(w io.Writer) Option {
	return optionFunc(func(s *settings) { s.w = w })
}

// WithEnvironment makes [New] read the variables that name the release, the
// instance and the Google Cloud project (and NO_COLOR and TERM) from env
// instead of the process environment, which is then not read at all; the
// host name from the operating system is then not used either. It is meant
// for tests and Examples, and for a program that reads its environment once
// into a map. A nil map is an empty environment. The map is read during New
// only and not kept. Repeating WithEnvironment replaces the earlier map.
func WithEnvironment(env map[string]string) Option {
	return optionFunc(func(s *settings) {
		s.env = env
		s.envSet = true
	})
}

// WithClock stamps every event with now() instead of the time it was logged,
// through zap, through [NewSlog] and through [Middleware] alike, so that a
// test or an Example gets the same output on every run. Events whose time is
// deliberately zero (an slog.Record without a time) stay without one. A nil
// now restores the real time. Repeating WithClock replaces the earlier clock.
func WithClock(now func() time.Time) Option {
	return optionFunc(func(s *settings) { s.now = now })
}

// WithSource adds the source location of each call to its event, as
// file:line under the caller key of the logger's encoder ("caller" with
// every [Keys] preset): given to [New], for the logger's zap calls and for
// the slog calls of every [NewSlog] made from it; given to NewSlog, for
// that front end's slog calls only. It costs a stack lookup per event.
// Without it no location is added. Repeating WithSource has no further
// effect.
func WithSource() Option {
	return optionFunc(func(s *settings) { s.source = true })
}
