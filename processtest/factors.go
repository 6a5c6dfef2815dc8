package processtest

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/twelvekit/twelvekit/internal/platform"
)

// processes judges what every run left running after its own exit.
func (c *checker) processes() {
	r := Result{Name: CheckProcesses, Figures: map[string]float64{}}
	if !canFindProcesses {
		r.Status, r.Summary = Skip, "not checked: this OS gives the kit no way to find the processes a run started outside its process group"
		c.results[CheckProcesses] = r
		return
	}
	var probs []string
	n := 0
	for _, p := range c.runs {
		if len(p.strays) == 0 {
			continue
		}
		n += len(p.strays)
		var names []string
		for _, s := range p.strays {
			names = append(names, fmt.Sprintf("%s (pid %d)", s.name, s.pid))
		}
		probs = append(probs, fmt.Sprintf("%s left %d processes running after it exited: %s; on a host they outlive the deploy holding its port and files, in a container the platform kills them without a signal (the kit killed them)", p.label, len(p.strays), strings.Join(names, ", ")))
	}
	r.Figures["runs"], r.Figures["left_running"] = float64(len(c.runs)), float64(n)
	how := "by a marker variable and the kernel's process events"
	for _, p := range c.runs {
		if p.events == nil {
			how = "by a marker variable only (" + p.eventErr.Error() + ")"
		}
	}
	r.Summary = fmt.Sprintf("%d runs, %d processes left running after the exit, in any session (found %s)", len(c.runs), n, how)
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckProcesses] = r
}

// dependencies checks factor II from outside: the serving run had only the
// variables given (no PATH unless given); when PATH or SHELL was given, a
// run without them must still become ready; no run of a serving process
// may start another program.
func (c *checker) dependencies(ctx context.Context) error {
	r := Result{Name: CheckDependencies, Figures: map[string]float64{}}
	var probs, parts []string
	_, hasPath := c.env["PATH"]
	_, hasShell := c.env["SHELL"]
	r.Figures["variables_given"] = float64(len(c.bin.Env))
	serving := slices.Clone(c.served)
	if hasPath || hasShell {
		port, err := freePort()
		if err != nil {
			return fmt.Errorf("processtest: no free port: %w", err)
		}
		p, err := c.launch("the run without PATH", c.bin.Args, map[string]*string{"PATH": nil, "SHELL": nil}, port)
		if err != nil {
			return err
		}
		st := c.waitReady(ctx, p)
		p.kill() // its stop is judged by the serving run
		serving = append(serving, p)
		if st.readyAt == 0 {
			probs = append(probs, "with PATH and SHELL unset it never became ready: it needs programs of the system, which a platform's image may not have")
		} else {
			parts = append(parts, fmt.Sprintf("ready %v after exec with PATH and SHELL unset", round(st.readyAt)))
		}
	} else if len(c.served) > 0 {
		parts = append(parts, fmt.Sprintf("served with %d variables given and no PATH", len(c.bin.Env)))
	}
	if canFindProcesses {
		var started []string
		how := "observed through the kernel's process events"
		for _, p := range serving {
			for _, n := range p.children() {
				if !slices.Contains(started, n) {
					started = append(started, n)
				}
			}
			switch {
			case p.events == nil:
				how = "sampled every 100 ms, not observed (" + p.eventErr.Error() + ")"
			case p.lost:
				how = "observed, but the kernel dropped some process events"
			}
		}
		r.Figures["programs_started"] = float64(len(started))
		if len(started) > 0 {
			probs = append(probs, fmt.Sprintf("it started other programs (%s): each is a dependency the binary does not carry, which a platform's image may not have", strings.Join(started, ", ")))
		}
		parts = append(parts, fmt.Sprintf("%d other programs started (%s)", len(started), how))
	} else {
		parts = append(parts, "programs started: not checked on this OS")
	}
	part, prob, err := c.nonRoot(ctx)
	if err != nil {
		return err
	}
	parts = append(parts, part)
	if prob != "" {
		probs = append(probs, prob)
	}
	r.Summary = strings.Join(parts, "; ")
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckDependencies] = r
	return nil
}

// within reports whether path is dir or under it.
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// files checks factor VI's "stateless": no run writes a file outside its
// TMPDIR. Where the OS reports writes by process (fanotify on Linux, as
// root) every file written and closed on the watched filesystems is seen;
// elsewhere only the working directory and HOME the kit made are listed.
func (c *checker) files() {
	r := Result{Name: CheckFiles, Figures: map[string]float64{}}
	var outside []string
	scratch, attachedN := 0, 0
	how := "every write observed (fanotify)"
	attached := c.attachedPaths()
	for _, p := range c.runs {
		for _, f := range p.written {
			switch {
			case within(f, p.tmpdir):
				scratch++
			case slices.ContainsFunc(attached, func(a string) bool { return strings.HasPrefix(f, a) }):
				attachedN++
			case !slices.Contains(outside, f):
				outside = append(outside, f)
			}
		}
		for _, d := range []string{p.work, p.home} {
			for _, f := range files(d) {
				if f := filepath.Join(d, f); !slices.Contains(outside, f) {
					outside = append(outside, f)
				}
			}
		}
		if p.files == nil && p.filesErr != nil {
			how = "writes outside its working directory and HOME not observed (" + p.filesErr.Error() + ")"
		} else if p.filesErr != nil {
			how = "writes observed, partly (" + p.filesErr.Error() + ")"
		}
	}
	var probs []string
	if len(outside) > 0 {
		shown := make([]string, 0, 5)
		for _, f := range outside[:min(len(outside), 5)] {
			shown = append(shown, c.pretty(f))
		}
		probs = append(probs, fmt.Sprintf("wrote %d files outside its TMPDIR (%s): on a platform the next process, on another machine, never sees them, and a read-only root filesystem refuses them", len(outside), strings.Join(shown, ", ")))
	}
	r.Figures["outside_tmpdir"], r.Figures["tmpdir_files"], r.Figures["attached_resource_writes"] = float64(len(outside)), float64(scratch), float64(attachedN)
	r.Summary = fmt.Sprintf("%d files written outside TMPDIR, %d in it, in %d runs; %s", len(outside), scratch, len(c.runs), how)
	if attachedN > 0 {
		r.Summary += fmt.Sprintf("; %d writes to files its environment attaches (such as a SQLite DATABASE_URL), allowed", attachedN)
	}
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckFiles] = r
}

// attachedPaths returns the file paths the environment attaches as
// resources: absolute paths given as values, or as the path of a URL
// (sqlite:///data/app.db). Writes to them, and to files named after them
// (app.db-wal), are the resource's, not the process's state.
func (c *checker) attachedPaths() []string {
	var out []string
	for _, v := range c.env {
		p := v
		if strings.Contains(v, "://") {
			u, err := url.Parse(v)
			if err != nil {
				continue
			}
			p = u.Path
		}
		if filepath.IsAbs(p) && len(filepath.Clean(p)) > 1 {
			out = append(out, filepath.Clean(p))
		}
	}
	return out
}

// pretty names a path under a run's directories by its variable.
func (c *checker) pretty(path string) string {
	for _, p := range c.runs {
		switch {
		case within(path, p.home):
			rel, _ := filepath.Rel(p.home, path)
			return "$HOME/" + rel
		case within(path, p.work):
			rel, _ := filepath.Rel(p.work, path)
			return rel + " in the working directory"
		}
	}
	return path
}

// managementResult judges the management port of the serving run.
func (c *checker) managementResult(p *proc, st startup) {
	r := Result{Name: CheckManagement, Figures: map[string]float64{}}
	if p.mport == 0 {
		r.Status, r.Summary = Skip, "not checked: MANAGEMENT_PORT not given (name it in the binary's environment, such as -env MANAGEMENT_PORT=0, and the kit gives each run a free one)"
		c.results[CheckManagement] = r
		return
	}
	var probs []string
	if st.readyAt == 0 {
		probs = append(probs, fmt.Sprintf("readiness %s never answered 200 on MANAGEMENT_PORT: a platform probing the management port would never have sent it traffic", c.s.readiness))
	} else {
		if st.live != 200 {
			probs = append(probs, fmt.Sprintf("liveness %s answered %d on MANAGEMENT_PORT: Kubernetes would have restarted a healthy process", c.s.liveness, st.live))
		}
		switch {
		case st.level == 200:
		case st.levelApp == 200:
			probs = append(probs, fmt.Sprintf("the level endpoint %s answered %d on MANAGEMENT_PORT but 200 on $PORT: whoever reaches the service can change its log level", c.s.levelPath, st.level))
		case c.s.levelGiven:
			probs = append(probs, fmt.Sprintf("the level endpoint %s answered %d on MANAGEMENT_PORT: an operator cannot see or change the log level at run time", c.s.levelPath, st.level))
		}
	}
	r.Figures["readiness_ms"], r.Figures["liveness_status"], r.Figures["level_status"] = ms(st.readyAt), float64(st.live), float64(st.level)
	level := fmt.Sprintf("%s %d", c.s.levelPath, st.level)
	if st.level != 200 && st.levelApp != 200 && !c.s.levelGiven {
		level = fmt.Sprintf("no level endpoint at %s on either port (not checked; WithLevelEndpoint names one)", c.s.levelPath)
	}
	r.Summary = fmt.Sprintf("on MANAGEMENT_PORT: %s 200 %v after exec, %s %d, %s", c.s.readiness, round(st.readyAt), c.s.liveness, st.live, level)
	if st.readyAt == 0 {
		r.Summary = "on MANAGEMENT_PORT: never ready"
	}
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckManagement] = r
}

// release checks factor V from outside: the release the binary reports,
// in its log events and its release command, is the one its build records
// (or the one the platform's variable names), and the same binary follows
// each environment it is given.
func (c *checker) release(ctx context.Context) error {
	r := Result{Name: CheckRelease, Figures: map[string]float64{}}
	var probs, parts []string
	want, from := c.expectedRelease()
	var seen []string // "value (where)"
	check := func(value, where string) {
		seen = append(seen, fmt.Sprintf("%q in %s", value, where))
		if len(want) > 0 && !matchesRelease(value, want) {
			probs = append(probs, fmt.Sprintf("it reports the release %q in %s, not its own (%s, from %s): a platform's release list and rollbacks would name a build this binary is not", value, where, strings.Join(want, " or "), from))
		}
	}
	for _, p := range c.served {
		for _, v := range p.stdout.stats().release {
			check(v, "the log events of "+p.label)
		}
	}
	if len(c.s.releaseArgs) > 0 {
		cmd := strings.Join(c.s.releaseArgs, " ")
		p, exited, _, err := c.runOnce(ctx, "`"+cmd+"`", c.s.releaseArgs, nil, false)
		if err != nil {
			return err
		}
		out := strings.TrimSpace(strings.Join(p.stdout.stats().tail, "\n"))
		switch {
		case !exited || p.code != 0:
			probs = append(probs, fmt.Sprintf("the release command %q did not exit 0 within %v", cmd, c.s.startTimeout))
		case len(want) > 0 && !matchesRelease(out, want):
			probs = append(probs, fmt.Sprintf("the release command %q printed no release of its build (%s, from %s): an operator asking the binary which release it is would be told another", cmd, strings.Join(want, " or "), from))
			seen = append(seen, "`"+cmd+"` output")
		default:
			seen = append(seen, "`"+cmd+"` output")
		}
	}
	r.Figures["releases_seen"] = float64(len(seen))
	switch {
	case len(seen) == 0:
		parts = append(parts, "reported release: not checked (no release field in its events, no release command given)")
	case len(want) == 0:
		parts = append(parts, fmt.Sprintf("reported release (%s) not compared: %s", strings.Join(seen, ", "), from))
	default:
		parts = append(parts, fmt.Sprintf("release %s from %s, reported as %s", want[0], from, strings.Join(seen, ", ")))
	}
	if v := c.s.variant; v[0] != "" {
		ok, err := c.variant(ctx, v[0], v[1])
		if err != nil {
			return err
		}
		if ok != "" {
			probs = append(probs, ok)
		} else {
			parts = append(parts, fmt.Sprintf("%s read at run time: two runs answered GET %s with their own values", v[0], v[1]))
		}
		r.Figures["variant_runs"] = 2
	} else {
		parts = append(parts, "a variable's effect: not checked (WithVariant, -variant)")
	}
	r.Summary = strings.Join(parts, "; ")
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	if len(seen) == 0 && c.s.variant[0] == "" {
		r.Status = Skip
		r.Summary = "not checked: it reports no release (no release field in its events; give WithReleaseCommand or -release-cmd) and no variant was given (WithVariant, -variant)"
	}
	c.results[CheckRelease] = r
	return nil
}

// expectedRelease returns the releases the binary may report: the one a
// platform variable of its environment names, else its build's VCS
// revision (at least 7 digits of it) or module version; from says where
// they come from, or, when there are none, why.
func (c *checker) expectedRelease() ([]string, string) {
	for _, v := range platform.ReleaseVars {
		if val := c.env[v.Name]; val != "" {
			return []string{val}, "$" + v.Name
		}
	}
	bi, err := buildinfo.ReadFile(c.bin.Path)
	if err != nil {
		return nil, "the binary has no Go build information to compare with"
	}
	var want []string
	if rev, _ := platform.Revision(bi); rev != "" {
		want = append(want, rev[:min(len(rev), 7)])
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		want = append(want, v)
	}
	if len(want) == 0 {
		return nil, "its build records no revision or version (build it from a checkout, with -buildvcs)"
	}
	return want, "its build information"
}

// matchesRelease reports whether a reported release names one of want.
func matchesRelease(reported string, want []string) bool {
	for _, w := range want {
		if w != "" && strings.Contains(reported, w) {
			return true
		}
	}
	return false
}

// variant runs the binary twice with name set to two fresh values and
// GETs path once ready; each must answer with its own value. It returns a
// problem, or "".
func (c *checker) variant(ctx context.Context, name, path string) (string, error) {
	var bodies [2]string
	values := [2]string{"tk-variant-" + randomHex(6), "tk-variant-" + randomHex(6)}
	for i, v := range values {
		port, err := freePort()
		if err != nil {
			return "", fmt.Errorf("processtest: no free port: %w", err)
		}
		p, err := c.launch(fmt.Sprintf("the run with %s set (%d of 2)", name, i+1), c.bin.Args, map[string]*string{name: &v}, port)
		if err != nil {
			return "", err
		}
		st := c.waitReady(ctx, p)
		if st.readyAt != 0 {
			bodies[i] = body(ctx, "http://"+p.addr()+path)
		}
		p.kill() // its stop is judged by the serving run
		if st.readyAt == 0 {
			return fmt.Sprintf("with %s set it never became ready", name), nil
		}
	}
	for i := range values {
		if !strings.Contains(bodies[i], values[i]) {
			return fmt.Sprintf("with %s set to a fresh value, GET %s did not answer with it: the same binary does not behave by its environment, so its config is baked into the build", name, path), nil
		}
	}
	return "", nil
}

// admin checks factor XII from outside: the one-off command runs with the
// serving runs' config, exits with its code and binds nothing.
func (c *checker) admin(ctx context.Context) error {
	r := Result{Name: CheckAdmin, Figures: map[string]float64{}}
	if len(c.s.adminArgs) == 0 {
		r.Status, r.Summary = Skip, "not checked: no one-off command given (WithAdminCommand, -admin)"
		c.results[CheckAdmin] = r
		return nil
	}
	cmd := strings.Join(c.s.adminArgs, " ")
	var probs, parts []string
	p, exited, bs, err := c.runOnce(ctx, "`"+cmd+"`", c.s.adminArgs, nil, true)
	if err != nil {
		return err
	}
	out := p.stdout.stats()
	switch {
	case !exited:
		probs = append(probs, fmt.Sprintf("`%s` was still running %v after exec (killed): a one-off task that does not end holds its dyno or job forever", cmd, c.s.startTimeout))
	case p.code != c.s.adminExit:
		probs = append(probs, fmt.Sprintf("`%s` exited %d, want %d: the platform's job would report the wrong outcome", cmd, p.code, c.s.adminExit))
	}
	if exited {
		r.Figures["exit_code"], r.Figures["exit_ms"] = float64(p.code), ms(p.ended.Sub(p.begin))
		parts = append(parts, fmt.Sprintf("`%s` exited %d in %v", cmd, p.code, round(p.ended.Sub(p.begin))))
	}
	if bs.bound {
		probs = append(probs, fmt.Sprintf("`%s` bound $PORT: a one-off process started next to the web process would take its port or receive its traffic", cmd))
	}
	if bs.why != "" {
		parts = append(parts, bs.why)
	} else {
		parts = append(parts, "bound nothing (observed)")
	}
	for _, pr := range out.probs {
		probs = append(probs, fmt.Sprintf("stdout of `%s`: %s", cmd, pr))
	}
	r.Figures["lines"], r.Figures["bad_lines"] = float64(out.lines), float64(out.bad)
	// The same config: a wrong value the serving process rejects must be
	// rejected by the one-off too.
	same := "same config: not checked (give a wrong value of a variable the command reads, other than PORT, with WithBadConfig)"
	for _, bad := range c.s.badConfig {
		if bad.name == "PORT" || bad.unset {
			continue
		}
		v := bad.value
		q, exited, _, err := c.runOnce(ctx, "`"+cmd+"` with "+bad.name+" wrong", c.s.adminArgs, map[string]*string{bad.name: &v}, false)
		if err != nil {
			return err
		}
		switch {
		case !exited:
			probs = append(probs, fmt.Sprintf("`%s` with %s wrong was still running after %v: it does not read the config the web process reads", cmd, bad.name, c.s.startTimeout))
		case q.code == 0 || (c.s.configExit != 0 && q.code != c.s.configExit):
			probs = append(probs, fmt.Sprintf("`%s` with %s wrong exited %d, want %d as the serving process: it does not read the same config", cmd, bad.name, q.code, max(c.s.configExit, 1)))
		default:
			same = fmt.Sprintf("same config: with %s wrong it exited %d", bad.name, q.code)
		}
		break
	}
	parts = append(parts, same)
	r.Summary = strings.Join(parts, "; ")
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckAdmin] = r
	return nil
}

// nonRoot shows that the binary serves as an unprivileged user: when the
// kit is not root, every run already did; when it is, one run starts a copy
// of the binary as nobody (uid 65534), its directories given to it.
func (c *checker) nonRoot(ctx context.Context) (part, problem string, err error) {
	switch {
	case !canDropUser:
		return "as a non-root user: not checked (this OS gives the kit no way to start it as another user)", "", nil
	case os.Geteuid() != 0:
		return fmt.Sprintf("every run as uid %d, not root", os.Geteuid()), "", nil
	}
	for _, path := range c.attachedPaths() {
		if !othersReach(path) {
			return fmt.Sprintf("as a non-root user: not checked (its environment names %s, which uid %d cannot reach; make it readable by all to check)", path, nobody), "", nil
		}
	}
	dir := filepath.Join(c.tmp, "nobody")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", "", fmt.Errorf("processtest: no directory for the non-root run: %w", err)
	}
	if err := os.Chmod(c.tmp, 0o711); err != nil {
		return "", "", fmt.Errorf("processtest: no directory for the non-root run: %w", err)
	}
	cp := filepath.Join(dir, filepath.Base(c.bin.Path))
	if err := copyFile(cp, c.bin.Path); err != nil {
		return "", "", fmt.Errorf("processtest: cannot copy the binary for the non-root run: %w", err)
	}
	if !othersReach(cp) {
		return fmt.Sprintf("as a non-root user: not checked (the kit's temporary directory %s is not reachable by uid %d; set TMPDIR to one that is)", c.tmp, nobody), "", nil
	}
	port, err := freePort()
	if err != nil {
		return "", "", fmt.Errorf("processtest: no free port: %w", err)
	}
	c.nobody = cp
	p, err := c.launch("the run as nobody", c.bin.Args, nil, port)
	c.nobody = ""
	if err != nil {
		return "", "", err
	}
	st := c.waitReady(ctx, p)
	p.kill() // its stop is judged by the serving run
	if st.readyAt == 0 {
		return "", fmt.Sprintf("as a non-root user (uid %d) it never became ready: a platform that runs images as non-root (Kubernetes runAsNonRoot, OpenShift) could not start it", nobody), nil
	}
	return fmt.Sprintf("ready %v after exec as uid %d, not root", round(st.readyAt), nobody), "", nil
}

// copyFile copies the executable src to dst, readable and executable by all.
func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// concurrency checks factor VIII from outside: with the serving run ready,
// a second instance of the same binary, on its own port, becomes ready and
// answers the load request too: nothing it holds (a lock, a fixed port, a
// file) keeps the platform from running more processes of a type.
func (c *checker) concurrency(ctx context.Context) error {
	r := Result{Name: CheckConcurrency, Figures: map[string]float64{}}
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("processtest: no free port: %w", err)
	}
	p, err := c.launch("the second instance", c.bin.Args, nil, port)
	if err != nil {
		return err
	}
	st := c.waitReady(ctx, p)
	p.kill() // its stop is judged by the serving run
	switch {
	case st.readyAt == 0 && st.exited:
		r.Status, r.Summary = Fail, fmt.Sprintf("a second instance exited %d beside the first", p.code)
		r.Problems = []string{fmt.Sprintf("a second instance of the same binary, on its own port, exited with code %d while the first ran: the platform cannot scale it out to more processes", p.code)}
	case st.readyAt == 0:
		r.Status, r.Summary = Fail, "a second instance never became ready beside the first"
		r.Problems = []string{fmt.Sprintf("a second instance of the same binary, on its own port, never answered readiness 200 within %v while the first ran: the platform cannot scale it out to more processes", c.s.startTimeout)}
	case st.appErr != nil:
		r.Status, r.Summary = Fail, "a second instance failed the load request"
		r.Problems = []string{fmt.Sprintf("a second instance was ready but %s %s failed (%v): two processes of a type cannot serve at once", c.s.method, c.s.path, st.appErr)}
	default:
		r.Status = Pass
		r.Figures["second_ready_ms"] = ms(st.readyAt)
		r.Summary = fmt.Sprintf("a second instance beside the first was ready %v after exec and served %s %s", round(st.readyAt), c.s.method, c.s.path)
		if st.noPort {
			r.Summary = fmt.Sprintf("a second instance beside the first was ready %v after exec (no $PORT to serve)", round(st.readyAt))
		}
	}
	c.results[CheckConcurrency] = r
	return nil
}

// othersReach reports whether a user other than the owner can reach path:
// every directory above it searchable by others, and the file, if it
// exists, readable by them.
func othersReach(path string) bool {
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o004 == 0 {
		return false
	}
	for dir := filepath.Dir(path); ; dir = filepath.Dir(dir) {
		if fi, err := os.Stat(dir); err == nil && fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		if parent := filepath.Dir(dir); parent == dir {
			return true
		}
	}
}
