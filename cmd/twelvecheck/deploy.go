package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// The deploy subcommand: deploy files checked against a service's contract.

// Finding codes.
const (
	codeMissing    = "missing"
	codeUnknown    = "unknown"
	codeInvalid    = "invalid"
	codeSecret     = "secret-in-plain"
	codeDeprecated = "deprecated"
	codeGrace      = "grace-period"
	codeProbe      = "probe"
	codeNotChecked = "not-checked"
)

// ruleText describes each code, for -sarif's rules and the usage text.
var ruleText = [...][2]string{
	{codeMissing, "a required variable the workload does not set"},
	{codeUnknown, "a variable the service does not read"},
	{codeInvalid, "a value the service would refuse at start"},
	{codeSecret, "a secret given as a literal instead of from a secret store"},
	{codeDeprecated, "an old name of a variable still in use"},
	{codeGrace, "a grace period that does not cover the stop"},
	{codeProbe, "a probe that does not match the service's health endpoints"},
	{codeNotChecked, "a value or source twelvecheck cannot know"},
}

// Levels, as SARIF names them.
const (
	levelError   = "error"
	levelWarning = "warning"
	levelNote    = "note"
)

// finding is one problem of one workload.
type finding struct {
	File      string `json:"file"`
	Document  int    `json:"document"`
	Line      int    `json:"line,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Workload  string `json:"workload"`
	Container string `json:"container,omitempty"`
	Process   string `json:"process,omitempty"`
	Code      string `json:"code"`
	Level     string `json:"level"`
	Variable  string `json:"variable,omitempty"`
	Message   string `json:"message"`
}

// workload is one container (or process) of a deploy file, with the
// environment it gets.
type workload struct {
	file      string
	doc       int // 1-based document of the file
	line      int
	kind      string // Deployment, compose service, Procfile...
	name      string
	container string
	process   string // the process type, from the command or the file
	env       map[string]*setting
	order     []string
	// unresolved lists the sources of variables that are not in the
	// files: a missing variable may come from one of them.
	unresolved []string
	pod        *podFacts // Kubernetes only
	// optional: one of several containers of a pod, or a compose service;
	// it is checked only when it sets a variable of the contract.
	optional bool
}

// touches reports whether w sets a variable of the contract, or may through
// a source not in the files.
func touches(c *contract, w *workload) bool {
	if len(w.unresolved) > 0 {
		return true
	}
	for _, name := range w.order {
		if c.vars[name] != nil {
			return true
		}
	}
	return false
}

// setting is one variable a workload sets.
type setting struct {
	value string
	known bool // the value is known: a literal, or read from a file given
	// plain: the value is written in the deploy files outside a secret
	// store (a literal value:, a ConfigMap, compose environment, fly.toml
	// [env], app.json value); where says which.
	plain bool
	where string
	why   string // why the value is not known
	line  int
}

func (w *workload) set(name string, s *setting) {
	if w.env == nil {
		w.env = map[string]*setting{}
	}
	if _, ok := w.env[name]; !ok {
		w.order = append(w.order, name)
	}
	w.env[name] = s
}

// podFacts are what the grace-period and probe checks read of a pod.
type podFacts struct {
	grace          *int64
	preStop        time.Duration
	preStopUnknown string // a preStop hook whose length cannot be read
	ports          map[string]int
	containerPorts int
	readiness      *probe
	liveness       *probe
	batch          bool // a Job or CronJob: no probes, no traffic
}

func runDeploy(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("twelvecheck deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schema := fs.String("schema", "", "the service's contract: the JSON Schema that `config -schema` prints (required)")
	command := fs.String("command", "", "check only the workloads that run this process type or task")
	asJSON := fs.Bool("json", false, "print the findings as a JSON array")
	asSARIF := fs.Bool("sarif", false, "print the findings as SARIF 2.1.0, for code-scanning tools")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: twelvecheck deploy -schema FILE [-command NAME] [-json | -sarif] PATH...")
		fmt.Fprintln(stderr, "\nPATH is a file or a directory of Kubernetes YAML (Helm's rendered output included),")
		fmt.Fprintln(stderr, "docker-compose files, app.json, fly.toml or a Procfile (with the .env beside it).")
		fmt.Fprintln(stderr, "Exit 1 on an error finding, 0 on notes and warnings only, 64 on a usage error.")
		fmt.Fprintln(stderr, "\nCodes:")
		for _, r := range ruleText {
			fmt.Fprintf(stderr, "  %-16s %s\n", r[0], r[1])
		}
		fmt.Fprintln(stderr, "\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	if *schema == "" || fs.NArg() == 0 || (*asJSON && *asSARIF) {
		switch {
		case *schema == "":
			fmt.Fprintln(stderr, "twelvecheck deploy: no -schema; give the output of `SERVICE config -schema`")
		case fs.NArg() == 0:
			fmt.Fprintln(stderr, "twelvecheck deploy: no deploy file; give the files or directories to check")
		default:
			fmt.Fprintln(stderr, "twelvecheck deploy: give -json or -sarif, not both")
		}
		fs.Usage()
		return exitUsage
	}
	c, err := readContract(*schema)
	if err != nil {
		fmt.Fprintln(stderr, "twelvecheck deploy:", err)
		return exitUsage
	}
	for _, p := range fs.Args() {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(stderr, "twelvecheck deploy: cannot read %s: %v; give existing files or directories\n", p, errors.Unwrap(err))
			return exitUsage
		}
	}
	ws, err := readDeploy(fs.Args())
	if err != nil {
		fmt.Fprintln(stderr, "twelvecheck deploy:", err)
		return exitFail
	}
	var findings []finding
	checked := 0
	for _, w := range ws {
		if *command != "" && w.process != *command {
			continue
		}
		if w.optional && !touches(c, w) {
			continue // a database's service in a compose file, a sidecar
		}
		checked++
		findings = append(findings, checkWorkload(c, w)...)
	}
	if checked == 0 {
		what := "no workload"
		if *command != "" {
			what = "no workload runs " + *command
		}
		fmt.Fprintf(stderr, "twelvecheck deploy: %s in %s\n", what, strings.Join(fs.Args(), " "))
		return exitFail
	}
	switch {
	case *asJSON:
		if findings == nil {
			findings = []finding{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(findings); err != nil {
			fmt.Fprintln(stderr, "twelvecheck deploy:", err)
			return exitFail
		}
	case *asSARIF:
		if err := writeSARIF(stdout, findings); err != nil {
			fmt.Fprintln(stderr, "twelvecheck deploy:", err)
			return exitFail
		}
	default:
		writeFindings(stdout, findings, checked)
	}
	for _, f := range findings {
		if f.Level == levelError {
			return exitFail
		}
	}
	return exitPass
}

// writeFindings prints one line per finding and a summary.
func writeFindings(w io.Writer, fs []finding, workloads int) {
	counts := map[string]int{}
	for _, f := range fs {
		counts[f.Level]++
		loc := f.File
		if f.Line > 0 {
			loc += ":" + strconv.Itoa(f.Line)
		}
		who := f.Kind + " " + f.Workload
		if f.Container != "" {
			who += ", container " + f.Container
		}
		if f.Process != "" {
			who += " (" + f.Process + ")"
		}
		v := ""
		if f.Variable != "" {
			v = f.Variable + ": "
		}
		fmt.Fprintf(w, "%s: %s: %s %s: %s%s\n", loc, strings.TrimSpace(who), f.Level, f.Code, v, f.Message)
	}
	fmt.Fprintf(w, "%d workloads checked: %d errors, %d warnings, %d notes\n", workloads, counts[levelError], counts[levelWarning], counts[levelNote])
}

// readDeploy reads every deploy file of paths (a directory is read, with its
// subdirectories but not hidden ones, for the files of the kinds twelvecheck
// knows) and returns their workloads. ConfigMaps and Secrets of any
// Kubernetes file resolve the references of the workloads of their
// namespace in every other.
func readDeploy(paths []string) ([]*workload, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", p, errors.Unwrap(err))
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, e iofs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case e.IsDir() && path != p && strings.HasPrefix(e.Name(), "."):
				return filepath.SkipDir
			case !e.IsDir() && kindOf(e.Name()) != "":
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	k := &kube{configMaps: map[string]map[string]string{}, secrets: map[string]map[string]string{}}
	var ws []*workload
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var got []*workload
		switch kindOf(f) {
		case "procfile":
			got, err = readProcfile(f, b)
		case "appjson":
			got, err = readAppJSON(f, b)
		case "fly":
			got, err = readFly(f, b)
		case "yaml":
			if isCompose(f, b) {
				got, err = readCompose(f, b)
			} else {
				err = k.read(f, b)
			}
		default:
			err = fmt.Errorf("%s: not a deploy file twelvecheck reads: give Kubernetes or compose YAML, app.json, fly.toml or a Procfile", f)
		}
		if err != nil {
			return nil, err
		}
		ws = append(ws, got...)
	}
	ws = append(ws, k.workloads()...)
	return ws, nil
}

// kindOf tells a deploy file's format from its name.
func kindOf(path string) string {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case base == "procfile" || strings.HasPrefix(base, "procfile."):
		return "procfile"
	case base == "app.json":
		return "appjson"
	case strings.HasSuffix(base, ".toml") && strings.Contains(base, "fly"):
		return "fly"
	case strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml"):
		return "yaml"
	}
	return ""
}

// checkWorkload checks one workload against the contract.
func checkWorkload(c *contract, w *workload) []finding {
	var out []finding
	add := func(code, level, variable string, line int, format string, args ...any) {
		if line == 0 {
			line = w.line
		}
		out = append(out, finding{
			File: w.file, Document: w.doc, Line: line, Kind: w.kind, Workload: w.name, Container: w.container,
			Process: w.process, Code: code, Level: level, Variable: variable, Message: fmt.Sprintf(format, args...),
		})
	}
	isSet := func(name string) bool {
		s := w.env[name]
		return s != nil && (!s.known || s.value != "")
	}
	values := map[string]string{}
	for _, name := range w.order {
		s := w.env[name]
		v := c.vars[name]
		switch {
		case v == nil:
			msg := "not read by " + c.name
			if near := c.closest(name); near != "" {
				msg += "; did you mean " + near + "?"
			}
			if c.ownsPrefix(name) {
				add(codeUnknown, levelError, name, s.line, "%s, though it shares a prefix with its variables", msg)
			} else {
				add(codeUnknown, levelNote, name, s.line, "%s", msg)
			}
			continue
		case v.Deprecated:
			if isSet(v.RenamedTo) {
				add(codeDeprecated, levelWarning, name, s.line, "an old name of %s, ignored as %s is set; remove it", v.RenamedTo, v.RenamedTo)
				continue
			}
			add(codeDeprecated, levelWarning, name, s.line, "an old name of %s, still read; rename it to %s", v.RenamedTo, v.RenamedTo)
		case v.FileOf != "":
			if isSet(v.FileOf) && isSet(name) {
				add(codeInvalid, levelError, v.FileOf, s.line, "set together with %s, which the service refuses; keep one", name)
			}
			continue
		}
		cur := c.current(name)
		if cur == nil {
			continue
		}
		switch {
		case cur.Secret && s.plain && (!s.known || s.value != ""):
			add(codeSecret, levelError, name, s.line, "a secret given as a literal in %s; take it from a secret store (a Kubernetes Secret through secretKeyRef, compose secrets, fly secrets)", s.where)
		case s.plain && s.known && holdsCredential(s.value):
			add(codeSecret, levelError, name, s.line, "a literal in %s holds a credential (a URL's password or token); move the value to a secret store", s.where)
		}
		if !s.known {
			add(codeNotChecked, levelNote, name, s.line, "its value comes from %s; not checked", s.why)
			continue
		}
		if _, dup := values[cur.Name]; dup && cur.Name != name {
			continue // the current name wins over an old one
		}
		values[cur.Name] = s.value
	}
	for _, src := range w.unresolved {
		add(codeNotChecked, levelNote, "", 0, "%s: the variables it sets are not checked", src)
	}
	bad := validate(c, values)
	if len(bad) == 0 {
		// The values together, as the library Configs judge them.
		unknown := func(name string) bool {
			s := w.env[name]
			return s != nil && !s.known
		}
		task := w.pod != nil && w.pod.batch
		for name, msg := range libraryChecks(c, values, unknown, task) {
			bad[name] = msg
		}
	}
	for _, name := range slices.Sorted(mapKeys(bad)) {
		line := 0
		if s := w.env[name]; s != nil {
			line = s.line
		}
		add(codeInvalid, levelError, name, line, "%s", bad[name])
	}
	for _, name := range c.order {
		v := c.vars[name]
		if !v.Required || v.Deprecated || v.FileOf != "" {
			continue
		}
		set := isSet(name) || (v.FileVar != "" && isSet(v.FileVar))
		for _, old := range v.OldNames {
			set = set || isSet(old)
		}
		if set {
			continue
		}
		also := ""
		if v.FileVar != "" {
			also = " (nor " + v.FileVar + ")"
		}
		if len(w.unresolved) > 0 {
			add(codeNotChecked, levelNote, name, 0, "required; the workload does not set it%s in the files, and it may come from %s", also, strings.Join(w.unresolved, ", "))
			continue
		}
		desc := ""
		if v.Description != "" {
			desc = ": " + v.Description
		}
		add(codeMissing, levelError, name, 0, "required, and the workload does not set it%s%s", also, desc)
	}
	if w.pod != nil {
		for name := range bad {
			delete(values, name) // reported; the pod checks do not use it
		}
		out = append(out, checkPod(c, w, values, bad)...)
	}
	return out
}

// holdsCredential reports whether a value is URL-shaped with a password,
// token or credential parameter in it, read as config's printers read it.
func holdsCredential(v string) bool {
	masked, _ := redact.URL(v)
	return masked != v
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// effective returns a variable's value for the pod checks: the literal the
// workload sets, else the contract's default; ok is false when the value
// cannot be known.
func effective(c *contract, w *workload, values map[string]string, name string) (string, bool) {
	if s := w.env[name]; s != nil && !s.known {
		return "", false
	}
	if v, ok := values[name]; ok && v != "" {
		return v, true
	}
	if v := c.vars[name]; v != nil && v.Default != nil {
		return *v.Default, true
	}
	return "", true
}

// checkPod checks a Kubernetes pod against lifecycle's stop: the grace
// period covers a preStop sleep plus SHUTDOWN_TIMEOUT, readiness is an HTTP
// GET of /readyz on the port that serves the probes, polled more often than
// DRAIN_DELAY, and liveness is not /readyz.
func checkPod(c *contract, w *workload, values, bad map[string]string) []finding {
	var out []finding
	add := func(code, level, variable, format string, args ...any) {
		out = append(out, finding{
			File: w.file, Document: w.doc, Line: w.line, Kind: w.kind, Workload: w.name, Container: w.container,
			Process: w.process, Code: code, Level: level, Variable: variable, Message: fmt.Sprintf(format, args...),
		})
	}
	p := w.pod
	duration := func(name string) (time.Duration, bool) {
		if c.vars[name] == nil || bad[name] != "" {
			return 0, false
		}
		s, ok := effective(c, w, values, name)
		if !ok {
			check := "probe"
			if name == "SHUTDOWN_TIMEOUT" {
				check = "grace-period"
			}
			add(codeNotChecked, levelNote, name, "its value is not in the files; the %s check is not made", check)
			return 0, false
		}
		d, err := time.ParseDuration(s)
		return d, err == nil
	}
	if timeout, ok := duration("SHUTDOWN_TIMEOUT"); ok {
		grace := 30 * time.Second // Kubernetes' default
		if p.grace != nil {
			grace = time.Duration(*p.grace) * time.Second
		}
		switch {
		case p.preStopUnknown != "":
			add(codeNotChecked, levelNote, "", "the preStop hook (%s) has no length twelvecheck can read; the grace period is not checked", p.preStopUnknown)
		case grace <= p.preStop+timeout:
			pre := ""
			if p.preStop > 0 {
				pre = fmt.Sprintf(" plus the preStop sleep (%v)", p.preStop)
			}
			add(codeGrace, levelError, "SHUTDOWN_TIMEOUT", "terminationGracePeriodSeconds (%v) is not above SHUTDOWN_TIMEOUT (%v)%s: the pod is killed before its stop ends; raise the grace period above %v", grace, timeout, pre, p.preStop+timeout)
		}
	}
	if p.batch || c.vars["PORT"] == nil {
		return out
	}
	if bad["PORT"] != "" || bad["MANAGEMENT_PORT"] != "" {
		return out // reported as invalid
	}
	port := func(name string) (int, bool) {
		s, ok := effective(c, w, values, name)
		if !ok {
			return 0, false
		}
		if s == "" {
			return 0, true
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	served, ok := port("PORT")
	if mp, mok := port("MANAGEMENT_PORT"); c.vars["MANAGEMENT_PORT"] != nil && mok && mp != 0 {
		served = mp
	} else if !mok {
		ok = false
	}
	if !ok {
		add(codeNotChecked, levelNote, "PORT", "the port that serves the probes is not known from the files; the probes are not checked")
		return out
	}
	r := p.readiness
	switch {
	case r == nil && p.containerPorts > 0:
		add(codeProbe, levelError, "", "no readinessProbe: the pod gets traffic before it is ready and during its stop; add an httpGet of /readyz on port %d", served)
	case r == nil:
	case r.HTTPGet == nil:
		add(codeProbe, levelError, "", "the readinessProbe is not an httpGet: it never sees the 503 of a stop; make it an httpGet of /readyz on port %d", served)
	default:
		path, _, _ := strings.Cut(r.HTTPGet.Path, "?")
		if path != "/readyz" {
			add(codeProbe, levelError, "", "the readinessProbe is on %s, not /readyz; use /readyz", safePath(path))
		}
		if got, ok := p.resolve(r.HTTPGet.Port); !ok {
			add(codeProbe, levelError, "", "the readinessProbe's port %s is no container port; use the port that serves the probes (%d)", r.HTTPGet.Port, served)
		} else if got != served {
			add(codeProbe, levelError, "", "the readinessProbe is on port %d, but the probes are served on %d (MANAGEMENT_PORT when set, else PORT)", got, served)
		}
		if delay, ok := duration("DRAIN_DELAY"); ok && delay > 0 {
			period := 10 * time.Second // Kubernetes' default
			if r.PeriodSeconds > 0 {
				period = time.Duration(r.PeriodSeconds) * time.Second
			}
			if period >= delay {
				add(codeProbe, levelError, "DRAIN_DELAY", "the readinessProbe's period (%v) is not shorter than DRAIN_DELAY (%v): the drain ends before the kubelet sees the 503; lower periodSeconds", period, delay)
			}
		}
	}
	if l := p.liveness; l != nil && l.HTTPGet != nil {
		if path, _, _ := strings.Cut(l.HTTPGet.Path, "?"); path == "/readyz" {
			add(codeProbe, levelError, "", "the livenessProbe is on /readyz: a failing dependency or a stop would restart the pod; use /livez")
		}
	}
	return out
}

// safePath keeps a probe path short and printable for a message.
func safePath(p string) string {
	if len(p) > 64 {
		p = p[:64] + "..."
	}
	return strconv.Quote(p)
}
