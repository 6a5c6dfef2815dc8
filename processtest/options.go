package processtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// A CheckName names one of the checks [Check] runs: one of the Check*
// constants. [WithChecks] takes them and [Result.Name] is one; a name that
// is none of them (from a command line, say) is an error of [Check].
type CheckName string

// Names of the checks, in the order [Check] runs and reports them.
const (
	CheckPort         CheckName = "port"          // accepts on $PORT within the start timeout
	CheckProbes       CheckName = "probes"        // liveness and readiness, readiness not before the app
	CheckRollingStop  CheckName = "rolling-stop"  // SIGTERM under load behind a balancer model
	CheckLogs         CheckName = "logs"          // stdout one event per line, no files written
	CheckSecrets      CheckName = "secrets"       // no canary in any output or response
	CheckConfigErrors CheckName = "config-errors" // a bad variable exits non-zero before binding
	CheckSecondSignal CheckName = "second-signal" // a second signal stops at once, bounded
	CheckProcesses    CheckName = "processes"     // every process it starts ends with it
	CheckDependencies CheckName = "dependencies"  // serves with no PATH, starts no other program
	CheckFiles        CheckName = "files"         // writes nothing outside TMPDIR
	CheckRelease      CheckName = "release"       // reports the release of its build; config read at run time
	CheckAdmin        CheckName = "admin"         // a one-off command: same config, its exit code, binds nothing
	CheckManagement   CheckName = "management"    // probes and the level endpoint on MANAGEMENT_PORT
	CheckConcurrency  CheckName = "concurrency"   // a second instance beside the first serves too
)

// allChecks is every check, in order.
var allChecks = []CheckName{CheckPort, CheckProbes, CheckRollingStop, CheckLogs, CheckSecrets, CheckConfigErrors, CheckSecondSignal,
	CheckProcesses, CheckDependencies, CheckFiles, CheckRelease, CheckAdmin, CheckManagement, CheckConcurrency}

// checkList is every check's name, for an error message.
func checkList() string {
	var b strings.Builder
	for i, c := range allChecks {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(c))
	}
	return b.String()
}

// Option changes how [Check] and [Run] check a binary. Build options with the
// WithX functions; each documents whether repeating it adds or replaces.
type Option interface{ apply(*settings) }

// optionFunc is the one adapter from a function to an [Option].
type optionFunc func(*settings)

func (f optionFunc) apply(s *settings) { f(s) }

// settings are the resolved options of one check.
type settings struct {
	checks        []CheckName
	liveness      string
	readiness     string
	method, path  string
	body          []byte
	headers       [][2]string
	interval      time.Duration
	fall          int
	grace         time.Duration
	startTimeout  time.Duration
	warmup        time.Duration
	rate          int
	workers       int
	logLine       func([]byte) error
	secrets       []secretSpec
	configArgs    []string
	badConfig     []badSpec
	badGiven      bool
	configExit    int
	secondAfter   time.Duration
	secondLimit   time.Duration
	probeInterval time.Duration
	levelPath     string
	levelGiven    bool // WithLevelEndpoint: a 404 there fails
	releaseArgs   []string
	variant       [2]string // name, path
	adminArgs     []string
	adminExit     int
	err           error // a malformed flag ([Flags])
}

type secretSpec struct{ name, template string }

type badSpec struct {
	name, value string
	unset       bool
}

// CanaryPlaceholder is the text [WithSecret] replaces with the canary.
const CanaryPlaceholder = "{canary}"

func defaults() settings {
	return settings{
		checks:        allChecks,
		liveness:      "/livez",
		readiness:     "/readyz",
		method:        "GET",
		path:          "/",
		interval:      2 * time.Second,
		fall:          3,
		grace:         30 * time.Second,
		startTimeout:  10 * time.Second,
		warmup:        time.Second,
		rate:          200,
		workers:       8,
		logLine:       jsonLine,
		badConfig:     []badSpec{{name: "PORT", value: "abc"}},
		configExit:    78,
		secondAfter:   time.Second,
		secondLimit:   5 * time.Second,
		probeInterval: 5 * time.Millisecond,
		levelPath:     "/debug/level",
	}
}

// ErrNotJSON is what the default log rule reports for a stdout line that is
// not one JSON object.
var ErrNotJSON = errors.New("processtest: not one JSON object")

// jsonLine is the default rule for a line of stdout: one JSON object.
func jsonLine(line []byte) error {
	t := bytes.TrimSpace(line)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return ErrNotJSON
	}
	return nil
}

// WithChecks runs only the named checks (the Check* constants); the others
// are reported as skipped. Port and probes run whenever a check needs the
// process started. Repeating it replaces the list.
func WithChecks(names ...CheckName) Option {
	return optionFunc(func(s *settings) { s.checks = append([]CheckName(nil), names...) })
}

// WithProbes sets the liveness and readiness paths, /livez and /readyz by
// default. Both are served on $PORT. Repeating it replaces them.
func WithProbes(liveness, readiness string) Option {
	return optionFunc(func(s *settings) { s.liveness, s.readiness = liveness, readiness })
}

// WithLoad sets the request the load generator sends, GET / by default; it
// must answer 2xx or 3xx while the process is ready. A body that is valid
// JSON is sent as application/json, any other as text/plain. Repeating it
// replaces the request.
func WithLoad(method, path, body string) Option {
	return optionFunc(func(s *settings) {
		s.method, s.path = method, path
		s.body = nil
		if body != "" {
			s.body = []byte(body)
		}
	})
}

// WithLoadHeader adds a header to every load request. In value, ${NAME} is
// replaced by the variable NAME of the process's environment, canaries
// included, so "Bearer ${API_KEY}" authenticates with the canary of a
// secret API_KEY. Repeating it adds a header.
func WithLoadHeader(name, value string) Option {
	return optionFunc(func(s *settings) { s.headers = append(s.headers, [2]string{name, value}) })
}

// WithLoadRate sets the requests per second of the load generator, 200 by
// default, spread over workers concurrent connections (8 by default). A rate
// of 0 sends as fast as the workers can. Repeating it replaces both.
func WithLoadRate(perSecond, workers int) Option {
	return optionFunc(func(s *settings) {
		s.rate = max(perSecond, 0)
		if workers > 0 {
			s.workers = workers
		}
	})
}

// WithWarmup sets how long the load runs before SIGTERM, 1 s by default.
// Repeating it replaces it.
func WithWarmup(d time.Duration) Option {
	return optionFunc(func(s *settings) { s.warmup = d })
}

// WithBalancer sets the balancer model of the rolling stop: it polls
// readiness every interval (each poll bounded by the interval) and removes
// the instance after fall failures in a row; the load stops sending to the
// instance from then on. Its polls are phased so that one falls just before
// SIGTERM, the worst case: the instance is removed fall x interval after its
// readiness fails (plus the answer's time). The default is HAProxy's, inter
// 2s and fall 3, so 6 s: its drain must last at least that long;
// WithBalancer(time.Second, 1) is a tight balancer for a service run with a
// short drain. Repeating it replaces it.
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

// WithGracePeriod sets the platform's grace period, 30 s by default (the
// Kubernetes and Heroku default): the process must exit within it after
// SIGTERM, and is killed with SIGKILL when it has not. Repeating it replaces
// it.
func WithGracePeriod(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.grace = d
		}
	})
}

// WithStartTimeout bounds how long the process may take to accept on $PORT
// and to answer readiness with 200, and how long a run with a bad variable
// may take to exit; 10 s by default. Repeating it replaces it.
func WithStartTimeout(d time.Duration) Option {
	return optionFunc(func(s *settings) {
		if d > 0 {
			s.startTimeout = d
		}
	})
}

// WithLogLine replaces the rule every line of stdout must meet, one JSON
// object by default; valid returns an error for a line that breaks it.
// Repeating it replaces the rule.
func WithLogLine(valid func(line []byte) error) Option {
	return optionFunc(func(s *settings) {
		if valid != nil {
			s.logLine = valid
		}
	})
}

// WithSecret declares an environment variable secret: every run gets a
// fresh canary in its value, and the secrets check fails if the canary
// appears on stdout, on stderr, in a response of a checked path, in a file
// a run wrote, or in the output of the config command. The value is
// template with [CanaryPlaceholder] replaced by the canary, such as
// "postgres://app:{canary}@127.0.0.1/app" for a password in a URL; an empty
// template gives the canary alone. A template without the placeholder is an
// error of [Check]. Repeating it adds a secret.
func WithSecret(name, template string) Option {
	return optionFunc(func(s *settings) {
		switch {
		case template == "":
			template = CanaryPlaceholder
		case !strings.Contains(template, CanaryPlaceholder):
			if s.err == nil {
				s.err = fmt.Errorf("processtest: the template of secret %s holds no %s; put it where the credential goes, or pass \"\" for the canary alone", name, CanaryPlaceholder)
			}
			return
		}
		s.secrets = append(s.secrets, secretSpec{name, template})
	})
}

// WithConfigCommand names the arguments that make the binary print its
// effective configuration, such as "config" for a twelvekit admin binary;
// the secrets check runs it and scans its output. It must exit 0 within the
// start timeout. Without it no config command is run. Repeating it replaces
// the arguments.
func WithConfigCommand(args ...string) Option {
	return optionFunc(func(s *settings) { s.configArgs = append([]string(nil), args...) })
}

// WithBadConfig adds a run with name set to a wrong value: the process must
// exit with the config exit code before it binds $PORT, and its output must
// name the variable and not quote the value. The first call replaces the
// default case, PORT=abc; repeating it adds a case.
func WithBadConfig(name, value string) Option {
	return optionFunc(func(s *settings) { s.addBad(badSpec{name: name, value: value}) })
}

// WithMissingConfig adds a run with the required variable name unset, judged
// as [WithBadConfig]. The first of them replaces the default case; repeating
// it adds a case.
func WithMissingConfig(name string) Option {
	return optionFunc(func(s *settings) { s.addBad(badSpec{name: name, unset: true}) })
}

func (s *settings) addBad(b badSpec) {
	if !s.badGiven {
		s.badConfig, s.badGiven = nil, true
	}
	s.badConfig = append(s.badConfig, b)
}

// WithConfigExitCode sets the exit code a bad variable must give, 78
// (EX_CONFIG, as every twelvekit service) by default; 0 accepts any
// non-zero code. Repeating it replaces it.
func WithConfigExitCode(code int) Option {
	return optionFunc(func(s *settings) { s.configExit = code })
}

// WithSecondSignal sets the second-signal check: SIGTERM, then SIGINT after
// after (1 s by default), and the process must exit within limit (5 s by
// default) of the SIGINT. Repeating it replaces both.
func WithSecondSignal(after, limit time.Duration) Option {
	return optionFunc(func(s *settings) {
		if after > 0 {
			s.secondAfter = after
		}
		if limit > 0 {
			s.secondLimit = limit
		}
	})
}

// WithLevelEndpoint sets the path of the log level endpoint the management
// check asks on the management port, /debug/level by default (where
// twelvekit services mount logging.LevelHandler), and declares that the
// binary serves it: it must answer 200 there. Without it, a level endpoint
// found on $PORT and not on the management port fails, and one found on
// neither is reported as not served. The management check runs when
// [Binary.Env] names MANAGEMENT_PORT. Repeating it replaces the path.
func WithLevelEndpoint(path string) Option {
	return optionFunc(func(s *settings) { s.levelPath, s.levelGiven = path, true })
}

// WithReleaseCommand names the arguments that make the binary print its
// release, such as "version" for a twelvekit admin binary: the release
// check runs it and compares what it printed with the build information
// of the binary (its VCS revision or module version), as it compares the
// release field of its log events. Without it only the events are
// compared. Repeating it replaces the arguments.
func WithReleaseCommand(args ...string) Option {
	return optionFunc(func(s *settings) { s.releaseArgs = append([]string(nil), args...) })
}

// WithVariant names a variable whose value shows in the response of GET
// path, such as GREETING and / for examples/hello: the release check runs
// the binary twice with two fresh values of it, and each run must answer
// with its own, so config is read from the environment, not baked into the
// build. Repeating it replaces the variant.
func WithVariant(name, path string) Option {
	return optionFunc(func(s *settings) { s.variant = [2]string{name, path} })
}

// WithAdminCommand names a one-off admin command of the binary, such as
// "migrate", and the exit code it must give: the admin check runs it with
// the serving runs' environment; it must exit with that code within the
// start timeout, bind nothing (a bind is observed on Linux, however
// short), print log events as the serving runs do, and, given the first
// wrong value of [WithBadConfig] that is not PORT, exit with the config
// exit code: it reads the same config. Repeating it replaces the command.
func WithAdminCommand(exitCode int, args ...string) Option {
	return optionFunc(func(s *settings) { s.adminArgs, s.adminExit = append([]string(nil), args...), exitCode })
}
