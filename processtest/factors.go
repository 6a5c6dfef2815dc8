package processtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
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
	r.Summary = fmt.Sprintf("%d runs, %d processes left running after the exit (found by a marker variable in any session)", len(c.runs), n)
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
		p.signal(syscall.SIGTERM)
		p.wait(ctx, c.s.grace)
		p.kill()
		c.served = append(c.served, p)
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
		for _, p := range c.served {
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
	parts = append(parts, "as a non-root user: not checked (the kit runs the binary as its own user)")
	r.Summary = strings.Join(parts, "; ")
	r.Status = Pass
	if len(probs) > 0 {
		r.Status, r.Problems = Fail, probs
	}
	c.results[CheckDependencies] = r
	return nil
}
