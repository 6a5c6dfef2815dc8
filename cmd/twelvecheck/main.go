// Command twelvecheck checks that a service binary honours the twelve-factor
// process contract, from outside the process, as a platform would: it binds
// $PORT, its probes tell the truth, it stops under load without losing a
// request, it logs events to stdout and writes no files, it never shows a
// secret, it rejects bad configuration before binding, and a second signal
// stops it. It works on any binary, twelvekit or not.
//
//	go -C cmd/twelvecheck run . [flags] -- BINARY [ARGS...]
//
// (twelvecheck is a module of its own, for its YAML and TOML parsers: run it
// from its directory, with go -C as above from the repository's root, or
// install it with go install in cmd/twelvecheck.)
//
// It prints one row per check with its figure, and what a platform would
// have seen for each failure; -json prints the report as JSON instead. It
// exits 0 when every check passes, 1 when one fails or the check could not
// run, and 64 for a usage error.
//
// The binary gets only the variables given with -env (NAME=VALUE, or NAME
// to pass on the value of twelvecheck's own environment), plus PORT and the
// canaries of the -secret variables. Behind the default balancer model
// (HAProxy's 2 s x 3) a service is removed 6 s after its readiness fails, so
// its drain must last that long; -tight (1 s x 1) suits a short drain. For a
// binary with process types and a config command:
//
//	go build -o /tmp/shop ./examples/shop
//	DATABASE_URL=sqlite:///tmp/shop.db /tmp/shop migrate
//	go -C cmd/twelvecheck run . -env DATABASE_URL=sqlite:///tmp/shop.db \
//		-secret API_KEY -header 'Authorization: Bearer ${API_KEY}' -config-cmd config \
//		-method POST -path /orders -body '{"sku":"A-1","quantity":1}' -- /tmp/shop web
//
// The checks and their flags are those of package
// github.com/twelvekit/twelvekit/processtest; run twelvecheck -h for the
// list.
//
// With -grpc the binary is a gRPC service: twelvecheck checks, with
// grpc-go's own client, that it serves gRPC on $PORT, that its
// grpc.health.v1 service answers SERVING once ready, and that a SIGTERM under
// gRPC load (health Check calls, stopping when health turns NOT_SERVING, as
// a balancer does) loses no call; the HTTP checks do not apply then and are
// not run (see package github.com/twelvekit/twelvekit/grpcserve/grpccheck).
//
// Two subcommands check a service's contract (the JSON Schema that
// `SERVICE config -schema` prints, or config.Doc.WriteJSONSchema) without
// running it:
//
//	twelvecheck deploy -schema FILE [-command NAME] [-json | -sarif] PATH...
//	twelvecheck fleet [-json] SCHEMA...
//
// deploy reads Kubernetes YAML (Deployment, StatefulSet, DaemonSet, Job,
// CronJob, Pod; ConfigMaps and Secrets of the files resolved through envFrom
// and valueFrom; several documents a file, Helm's rendered output), compose
// files, app.json, fly.toml and a Procfile with its .env, and reports per
// workload and container: missing, unknown, invalid, secret-in-plain,
// deprecated, grace-period, probe, and not-checked for values it cannot
// know. It exits 1 on an error finding, 0 on warnings and notes only. fleet
// lists the variables that services read with different meanings.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/twelvekit/twelvekit/processtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes.
const (
	exitPass  = 0
	exitFail  = 1
	exitUsage = 64
)

// list is a repeatable flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

// run is the command; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "deploy":
			return runDeploy(args[1:], stdout, stderr)
		case "fleet":
			return runFleet(args[1:], stdout, stderr)
		}
	}
	fs := flag.NewFlagSet("twelvecheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		asJSON                                         = fs.Bool("json", false, "print the report as JSON")
		checks                                         = fs.String("checks", "", "comma-separated checks to run (port,probes,rolling-stop,logs,secrets,config-errors,second-signal); all when empty")
		live                                           = fs.String("live", "/livez", "liveness path")
		ready                                          = fs.String("ready", "/readyz", "readiness path")
		method                                         = fs.String("method", "GET", "method of the load request")
		path                                           = fs.String("path", "/", "path of the load request; it must answer 2xx or 3xx when ready")
		body                                           = fs.String("body", "", "body of the load request (sent as application/json when it is JSON)")
		rate                                           = fs.Int("rate", 200, "load requests per second; 0 for as fast as the workers can")
		workers                                        = fs.Int("workers", 8, "concurrent load connections")
		warmup                                         = fs.Duration("warmup", time.Second, "load before SIGTERM")
		interval                                       = fs.Duration("interval", 2*time.Second, "balancer model: readiness poll interval (HAProxy inter)")
		fall                                           = fs.Int("fall", 3, "balancer model: failed polls in a row that remove the instance (HAProxy fall)")
		tight                                          = fs.Bool("tight", false, "tight balancer model: -interval 1s -fall 1")
		grace                                          = fs.Duration("grace", 30*time.Second, "the platform's grace period after SIGTERM")
		startTO                                        = fs.Duration("start-timeout", 10*time.Second, "bound on accepting and becoming ready, and on a bad-config run")
		configCmd                                      = fs.String("config-cmd", "", "space-separated arguments that print the binary's effective config, such as config; scanned for canaries")
		exitCode                                       = fs.Int("exit-code", 78, "exit code a bad variable must give; 0 for any non-zero")
		secondAfter                                    = fs.Duration("second-after", time.Second, "delay between SIGTERM and the second signal (SIGINT)")
		secondLimit                                    = fs.Duration("second-limit", 5*time.Second, "bound on the exit after the second signal")
		logFormat                                      = fs.String("log-format", "json", "format of every stdout line: json (one object a line) or text (any UTF-8 line)")
		grpcMode                                       = fs.Bool("grpc", false, "the binary serves gRPC on PORT: check its port, grpc.health.v1 and a rolling stop under gRPC load (health Check calls) with grpc-go's client, instead of the HTTP checks")
		env, secrets, secretsIn, bad, missing, headers list
	)
	fs.Var(&headers, "header", "NAME: VALUE header of every load request; ${VAR} in VALUE is the binary's variable VAR, canaries included (repeatable)")
	fs.Var(&env, "env", "NAME=VALUE for the binary's environment, or NAME to pass on twelvecheck's own value (repeatable)")
	fs.Var(&secrets, "secret", "NAME of a secret variable, given a canary value; NAME=TEMPLATE gives it TEMPLATE with {canary} replaced (repeatable)")
	fs.Var(&secretsIn, "secret-in", "the same as -secret NAME=TEMPLATE (kept for scripts written before -secret took a template)")
	fs.Var(&bad, "bad", "NAME=VALUE: a wrong value that must be rejected (repeatable; replaces the default PORT=abc)")
	fs.Var(&missing, "missing", "NAME of a required variable that must be rejected when unset (repeatable)")
	more := processtest.Flags(fs) // -release-cmd, -variant, -admin, -admin-exit, -level-path
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: twelvecheck [flags] -- BINARY [ARGS...]")
		fmt.Fprintln(stderr, "       twelvecheck deploy -schema FILE [-command NAME] [-json | -sarif] PATH...")
		fmt.Fprintln(stderr, "       twelvecheck fleet [-json] SCHEMA...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(stderr, "twelvecheck: no binary; give it after --, such as twelvecheck -- ./bin/web")
		fs.Usage()
		return exitUsage
	}
	bin := processtest.Binary{Path: rest[0], Args: rest[1:], Env: map[string]string{}}
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			v, set := os.LookupEnv(name)
			if !set {
				continue
			}
			value = v
		}
		bin.Env[name] = value
	}
	if *grpcMode {
		return runGRPC(ctx, bin, grpcOptions(*interval, *fall, *tight, *grace, *startTO, *rate, *workers), *asJSON, stdout, stderr)
	}
	opts := []processtest.Option{
		processtest.WithProbes(*live, *ready),
		processtest.WithLoad(*method, *path, *body),
		processtest.WithLoadRate(*rate, *workers),
		processtest.WithWarmup(*warmup),
		processtest.WithBalancer(*interval, *fall),
		processtest.WithGracePeriod(*grace),
		processtest.WithStartTimeout(*startTO),
		processtest.WithConfigExitCode(*exitCode),
		processtest.WithSecondSignal(*secondAfter, *secondLimit),
	}
	if *tight {
		opts = append(opts, processtest.WithBalancer(time.Second, 1))
	}
	if *checks != "" {
		var names []processtest.CheckName
		for _, n := range strings.Split(*checks, ",") {
			names = append(names, processtest.CheckName(strings.TrimSpace(n)))
		}
		opts = append(opts, processtest.WithChecks(names...))
	}
	switch *logFormat {
	case "json":
	case "text":
		opts = append(opts, processtest.WithLogLine(func(line []byte) error {
			if !utf8.Valid(line) {
				return errors.New("not UTF-8 text")
			}
			return nil
		}))
	default:
		fmt.Fprintln(stderr, "twelvecheck: -log-format must be json or text")
		return exitUsage
	}
	if *configCmd != "" {
		opts = append(opts, processtest.WithConfigCommand(strings.Fields(*configCmd)...))
	}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok {
			fmt.Fprintln(stderr, "twelvecheck: -header takes NAME: VALUE")
			return exitUsage
		}
		opts = append(opts, processtest.WithLoadHeader(strings.TrimSpace(name), strings.TrimSpace(value)))
	}
	for _, kv := range append(secrets, secretsIn...) {
		name, tmpl, _ := strings.Cut(kv, "=")
		if name == "" || (tmpl != "" && !strings.Contains(tmpl, processtest.CanaryPlaceholder)) {
			fmt.Fprintln(stderr, "twelvecheck: -secret takes NAME, or NAME=TEMPLATE with the template holding {canary}")
			return exitUsage
		}
		opts = append(opts, processtest.WithSecret(name, tmpl))
	}
	for _, kv := range bad {
		name, value, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintln(stderr, "twelvecheck: -bad takes NAME=VALUE")
			return exitUsage
		}
		opts = append(opts, processtest.WithBadConfig(name, value))
	}
	for _, name := range missing {
		opts = append(opts, processtest.WithMissingConfig(name))
	}

	rep, err := processtest.Check(ctx, bin, append(opts, more()...)...)
	return report(rep, err, *asJSON, stdout, stderr)
}

// report prints rep (or err, when the check could not run) and returns the
// exit code.
func report(rep processtest.Report, err error, asJSON bool, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintln(stderr, "twelvecheck:", err)
		return exitFail
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "twelvecheck:", err)
			return exitFail
		}
	} else {
		fmt.Fprint(stdout, rep)
	}
	if !rep.Passed() {
		return exitFail
	}
	return exitPass
}
