package admin

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/platform"
	"github.com/twelvekit/twelvekit/internal/redact"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// builtins returns the built-in commands of a run, named as the options say.
func (r *run) builtins() []*command {
	all := []*command{
		{
			name:    "config",
			summary: "print the effective configuration, or its documentation with -doc",
			help: "Prints every variable the program reads with its value and where the value\n" +
				"came from: environment, file (NAME_FILE), .env, default or unset. A value\n" +
				"shows only when it cannot be a credential: numbers, booleans, durations,\n" +
				"levels and other enums, the scheme, hosts, ports and database of a URL, and\n" +
				"fields tagged public:\"true\"; the rest is [REDACTED].\n" +
				"With a command's name, it prints what that command reads. When the\n" +
				"configuration has problems it prints them too, on stderr, and exits with 78.\n" +
				"With -doc it prints the documentation of the variables instead, and of what\n" +
				"each command with its own configuration reads, as a text table, Markdown or\n" +
				"a .env.example (-format), or the fragments a deploy pastes: a Kubernetes\n" +
				"ConfigMap and env, a docker-compose environment, an app.json env. With\n" +
				"-schema it prints the contract as a JSON Schema (draft 2020-12) instead,\n" +
				"of the whole configuration or, with a command's name, of what it reads:\n" +
				"the input of twelvecheck deploy and twelvecheck fleet.",
			kind: kindBuiltin,
			flags: []func(*flag.FlagSet){func(fs *flag.FlagSet) {
				fs.Bool("doc", false, "print the documentation of the variables instead of their values")
				fs.String("format", "text", "format of -doc: text, markdown, dotenv, kubernetes, compose or appjson")
				fs.Bool("schema", false, "print the contract as a JSON Schema instead of the values")
			}},
			builtin: builtinConfig,
			subject: configSubject,
		},
		r.backingCommand(),
		{
			name:    "version",
			summary: "print the release and build information",
			help:    "Prints the release (RELEASE or the platform's variable, else the VCS revision),\nthe Go version, the VCS revision and time, and the versions of every module.",
			kind:    kindBuiltin,
			builtin: builtinVersion,
			subject: func(*run, []string) (*command, error) { return nil, nil },
		},
	}
	var out []*command
	for _, c := range all {
		if c == nil {
			continue
		}
		if name, ok := r.s.builtinNames[c.name]; ok {
			if name == "" {
				continue
			}
			c.name = name
		}
		if r.app.find(c.name) != nil {
			continue // a registered command of the same name wins
		}
		out = append(out, c)
	}
	return out
}

// configSubject is what the config built-in reads: the App's configuration,
// or with a command's name what that command reads.
func configSubject(r *run, args []string) (*command, error) {
	switch len(args) {
	case 0:
		return appSubject(), nil
	case 1:
		if c := r.find(args[0]); c != nil && c.kind != kindBuiltin {
			return c, nil
		}
		return nil, fmt.Errorf("%q is no process type or task; name one of %s, or none for the whole configuration", args[0], strings.Join(append(r.names(kindProcess), r.names(kindTask)...), ", "))
	}
	return nil, errors.New("too many arguments; give at most one, the name of a command")
}

func builtinConfig(_ context.Context, r *run, c *Call) int {
	if c.Flags.Lookup("schema").Value.String() == "true" {
		return r.configSchema(c)
	}
	if c.Flags.Lookup("doc").Value.String() == "true" {
		return r.configDoc(c)
	}
	if r.app.cfg == nil && len(c.Args) == 0 && !r.anyOwnConfig() {
		fmt.Fprintf(c.Stdout, "%s reads no configuration\n", r.app.name)
		return 0
	}
	rows := [][3]string{{"VARIABLE", "VALUE", "SOURCE"}}
	seen := map[string]bool{}
	masked := false
	for _, p := range r.rd.parts {
		settings, err := config.Explain(p.ptr, r.options(p)...)
		if err != nil {
			fmt.Fprintln(c.Stderr, err)
			return lifecycle.ExitConfig
		}
		for _, s := range settings {
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			src := string(s.Source)
			if s.From != "" {
				src += " " + s.From
			}
			v := shown(s)
			masked = masked || v == redact.Mask && !s.Secret && s.Source != config.SourceFile
			rows = append(rows, [3]string{s.Name, v, src})
		}
	}
	writeTable(c.Stdout, rows)
	if masked {
		fmt.Fprintln(c.Stdout, config.PublicHint)
	}
	if r.cfgErr != nil {
		fmt.Fprintln(c.Stderr, r.cfgErr)
		return lifecycle.ExitConfig
	}
	return 0
}

func (r *run) anyOwnConfig() bool {
	for _, c := range r.commands {
		if c.cfg != nil {
			return true
		}
	}
	return false
}

// configDoc writes the documentation of what the subject reads and, for the
// whole configuration, of what each command with its own reads.
func (r *run) configDoc(c *Call) int {
	type writer func(config.Doc, io.Writer) error
	var write writer
	var heading func(name string) string
	switch f := c.Flags.Lookup("format").Value.String(); f {
	case "text":
		write, heading = config.Doc.WriteText, func(n string) string { return "\n" + n + " reads:\n" }
	case "markdown", "md":
		write, heading = config.Doc.WriteMarkdown, func(n string) string { return "\n### Read by `" + n + "`\n\n" }
	case "dotenv", ".env":
		write, heading = config.Doc.WriteDotEnv, func(n string) string { return "\n# read by " + n + "\n" }
	case "kubernetes", "compose", "appjson":
		// One fragment describes one container: the whole configuration,
		// or with a command's name what that command reads.
		return r.configFragment(c, f)
	default:
		fmt.Fprintf(c.Stderr, "%s %s: -format %q is not a format; use text, markdown or dotenv\n", r.app.name, c.Name, f)
		return lifecycle.ExitUsage
	}
	doc, err := r.describe(r.rd)
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return lifecycle.ExitConfig
	}
	var b strings.Builder
	if err := write(doc, &b); err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	if len(c.Args) == 0 {
		written := map[string]bool{}
		for _, v := range doc.Vars {
			written[v.Name] = true
		}
		for _, cmd := range r.commands {
			if cmd.cfg == nil {
				continue
			}
			d, err := r.describe(r.readsOf(cmd))
			if err != nil {
				fmt.Fprintln(c.Stderr, err)
				return lifecycle.ExitConfig
			}
			if c.Flags.Lookup("format").Value.String() == "dotenv" || c.Flags.Lookup("format").Value.String() == ".env" {
				// A .env file names each variable once.
				var fresh []config.Var
				for _, v := range d.Vars {
					if !written[v.Name] {
						written[v.Name] = true
						fresh = append(fresh, v)
					}
				}
				if len(fresh) == 0 {
					continue
				}
				d.Vars = fresh
			}
			b.WriteString(heading(cmd.name))
			if err := write(d, &b); err != nil {
				fmt.Fprintln(c.Stderr, err)
				return 1
			}
		}
	}
	_, _ = io.WriteString(c.Stdout, b.String())
	return 0
}

func builtinVersion(_ context.Context, r *run, c *Call) int {
	read := debug.ReadBuildInfo
	if r.s.buildInfo != nil {
		read = r.s.buildInfo
	}
	bi, _ := read()
	rows := [][2]string{{"release", platform.Release(r.lookup, bi)}}
	if bi != nil {
		rows = append(rows,
			[2]string{"go", bi.GoVersion},
			[2]string{"path", bi.Path},
			[2]string{"module", strings.TrimSpace(bi.Main.Path + " " + bi.Main.Version)},
		)
		if rev, modified := platform.Revision(bi); rev != "" {
			if modified {
				rev += " (modified)"
			}
			rows = append(rows, [2]string{"revision", rev}, [2]string{"time", platform.Setting(bi, "vcs.time")})
		}
		for _, d := range bi.Deps {
			v := d.Version
			if d.Replace != nil {
				v += " => " + strings.TrimSpace(d.Replace.Path+" "+d.Replace.Version)
			}
			rows = append(rows, [2]string{"dep", d.Path + " " + v})
		}
	}
	var b strings.Builder
	for _, row := range rows {
		if row[1] != "" {
			fmt.Fprintf(&b, "%-9s %s\n", row[0], row[1])
		}
	}
	_, _ = io.WriteString(c.Stdout, b.String())
	return 0
}

// writeTable writes rows with their columns aligned, the last unpadded.
func writeTable[R [2]string | [3]string | [4]string](w io.Writer, rows []R) {
	if len(rows) == 0 {
		return
	}
	n := len(rows[0])
	width := make([]int, n)
	for _, r := range rows {
		for i := 0; i < n-1; i++ {
			width[i] = max(width[i], len(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		line := ""
		for i := 0; i < n-1; i++ {
			line += fmt.Sprintf("%-*s  ", width[i], r[i])
		}
		b.WriteString(strings.TrimRight(line+r[n-1], " "))
		b.WriteByte('\n')
	}
	_, _ = io.WriteString(w, b.String())
}
