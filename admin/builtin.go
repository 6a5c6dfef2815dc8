package admin

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/platform"
)

// builtins returns the built-in commands of a run, named as the options say.
func (r *run) builtins() []*command {
	all := []*command{
		{
			name:    "config",
			summary: "print the effective configuration, or its documentation with -doc",
			help: "Prints every variable the program reads with its value, secrets redacted,\n" +
				"and where the value came from: environment, file (NAME_FILE), .env, default\n" +
				"or unset. When the configuration has problems it prints them too, on stderr,\n" +
				"and exits with 78. With -doc it prints the documentation of the variables\n" +
				"instead, as a text table, Markdown or a .env.example (-format).",
			kind: kindBuiltin,
			flags: []func(*flag.FlagSet){func(fs *flag.FlagSet) {
				fs.Bool("doc", false, "print the documentation of the variables instead of their values")
				fs.String("format", "text", "format of -doc: text, markdown or dotenv")
			}},
			builtin: builtinConfig,
		},
		r.backingCommand(),
		{
			name:    "version",
			summary: "print the release and build information",
			help:    "Prints the release (RELEASE or the platform's variable, else the VCS revision),\nthe Go version, the VCS revision and time, and the versions of every module.",
			kind:    kindBuiltin,
			builtin: builtinVersion,
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

func builtinConfig(_ context.Context, r *run, c *Call) int {
	if r.app.cfg == nil {
		fmt.Fprintf(c.Stdout, "%s reads no configuration\n", r.app.name)
		return 0
	}
	if c.Flags.Lookup("doc").Value.String() == "true" {
		doc, err := config.Describe(r.app.cfg, r.s.configOpts...)
		if err != nil {
			fmt.Fprintln(c.Stderr, err)
			return ExitConfig
		}
		var write func(io.Writer) error
		switch f := c.Flags.Lookup("format").Value.String(); f {
		case "text":
			write = doc.WriteText
		case "markdown", "md":
			write = doc.WriteMarkdown
		case "dotenv", ".env":
			write = doc.WriteDotEnv
		default:
			fmt.Fprintf(c.Stderr, "%s %s: -format %q is not a format; use text, markdown or dotenv\n", r.app.name, c.Name, f)
			return ExitUsage
		}
		if err := write(c.Stdout); err != nil {
			fmt.Fprintln(c.Stderr, err)
			return 1
		}
		return 0
	}
	settings, err := config.Explain(r.app.cfg, r.configOptions()...)
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return ExitConfig
	}
	rows := [][3]string{{"VARIABLE", "VALUE", "SOURCE"}}
	for _, s := range settings {
		src := string(s.Source)
		if s.From != "" {
			src += " " + s.From
		}
		rows = append(rows, [3]string{s.Name, s.Value, src})
	}
	writeTable(c.Stdout, rows)
	if r.cfgErr != nil {
		fmt.Fprintln(c.Stderr, r.cfgErr)
		return ExitConfig
	}
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
		if rev := platform.Setting(bi, "vcs.revision"); rev != "" {
			if platform.Setting(bi, "vcs.modified") == "true" {
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
