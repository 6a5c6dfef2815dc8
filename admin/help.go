package admin

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// names lists the commands of one kind, in registration order.
func (r *run) names(k kind) []string {
	var out []string
	for _, c := range r.commands {
		if c.kind == k {
			out = append(out, c.name)
		}
	}
	return out
}

// usage writes the list of commands and the configuration's documentation.
func (r *run) usage(w io.Writer) {
	name := r.app.name
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n  %s <command> [flags] [arguments]\n", name)
	width := len("help")
	for _, c := range r.commands {
		width = max(width, len(c.name))
	}
	for _, group := range []struct {
		title string
		kind  kind
	}{{"Process types", kindProcess}, {"Tasks", kindTask}, {"Built-in commands", kindBuiltin}} {
		first := true
		for _, c := range r.commands {
			if c.kind != group.kind {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n%s:\n", group.title)
				first = false
			}
			fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, c.summary)
		}
		if group.kind == kindBuiltin {
			if first {
				fmt.Fprintf(&b, "\n%s:\n", group.title)
			}
			fmt.Fprintf(&b, "  %-*s  %s\n", width, "help", "print this help, or a command's with help NAME")
		}
	}
	if r.app.cfg != nil {
		if doc, err := config.Describe(r.app.cfg, r.s.configOpts...); err == nil && len(doc.Vars) > 0 {
			b.WriteString("\nEnvironment:\n")
			_ = doc.WriteText(&b)
		}
	}
	first := true
	for _, c := range r.commands {
		if c.cfg == nil {
			continue
		}
		doc, err := r.describe(r.readsOf(c))
		if err != nil {
			continue
		}
		if first {
			fmt.Fprintf(&b, "\nCommands that read only their own variables (see '%s help NAME'):\n", name)
			first = false
		}
		names := make([]string, len(doc.Vars))
		for i, v := range doc.Vars {
			names[i] = v.Name
		}
		fmt.Fprintf(&b, "  %-*s  %s\n", width, c.name, strings.Join(names, ", "))
	}
	fmt.Fprintf(&b, "\nRun '%s help <command>' for a command's flags.\n", name)
	_, _ = io.WriteString(w, b.String())
}

// commandUsage writes one command's usage line, summary, help and flags.
func (r *run) commandUsage(w io.Writer, c *command, fs *flag.FlagSet) {
	var b strings.Builder
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	fmt.Fprintf(&b, "Usage: %s %s", r.app.name, c.name)
	if hasFlags {
		b.WriteString(" [flags]")
	}
	b.WriteString(" [arguments]\n\n")
	b.WriteString(c.summary)
	b.WriteString("\n")
	if c.help != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(c.help, "\n"))
		b.WriteString("\n")
	}
	if hasFlags {
		b.WriteString("\nFlags:\n")
		fs.SetOutput(&b)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if c.cfg != nil {
		if doc, err := r.describe(r.readsOf(c)); err == nil && len(doc.Vars) > 0 {
			b.WriteString("\nEnvironment (only these are read and checked):\n")
			_ = doc.WriteText(&b)
		}
	}
	_, _ = io.WriteString(w, b.String())
}

// unknown reports a command that does not exist, with the closest name.
func (r *run) unknown(name string) int {
	msg := fmt.Sprintf("%s: unknown command %q", r.app.name, name)
	if s := r.suggest(name); s != "" {
		msg += "; did you mean " + s + "?"
	}
	fmt.Fprintf(r.stderr, "%s\nRun '%s help' for the list of commands.\n", msg, r.app.name)
	return lifecycle.ExitUsage
}

// suggest returns the command name closest to name, if one is close: at
// most two edits away, or starting with it.
func (r *run) suggest(name string) string {
	best, bestDist := "", 3
	consider := func(cand string) {
		d := distance(strings.ToLower(name), cand)
		if d < bestDist || (best == "" && len(name) >= 2 && strings.HasPrefix(cand, name)) {
			best, bestDist = cand, d
		}
	}
	for _, c := range r.commands {
		consider(c.name)
	}
	consider("help")
	return best
}

// distance is the optimal string alignment distance between a and b: the
// edits (insert, delete, replace, swap two neighbours) that turn one into the
// other, so that a typo such as "wrokr" is one swap and one insert from
// "worker".
func distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
