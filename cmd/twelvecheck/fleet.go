package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The fleet subcommand: the contracts of several services compared, so that
// one name means one thing across a fleet.

// conflict is one variable read with different meanings.
type conflict struct {
	Variable string            `json:"variable"`
	Aspect   string            `json:"aspect"`
	Services map[string]string `json:"services"` // service -> its meaning
}

func runFleet(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("twelvecheck fleet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the conflicts as a JSON array")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: twelvecheck fleet [-json] SCHEMA...")
		fmt.Fprintln(stderr, "\nEach SCHEMA is a service's contract (`config -schema`), named after its file.")
		fmt.Fprintln(stderr, "Lists the variables that services read with different meanings: type, unit,")
		fmt.Fprintln(stderr, "URL family, secret or not, default, list separator, renamed in some only.")
		fmt.Fprintln(stderr, "Exit 1 when there is a conflict, 0 when none, 64 on a usage error.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitPass
		}
		return exitUsage
	}
	if fs.NArg() < 2 {
		fmt.Fprintln(stderr, "twelvecheck fleet: give the contracts of two services or more")
		fs.Usage()
		return exitUsage
	}
	var cs []*contract
	names := map[string]int{}
	for _, p := range fs.Args() {
		c, err := readContract(p)
		if err != nil {
			fmt.Fprintln(stderr, "twelvecheck fleet:", err)
			return exitUsage
		}
		if names[c.name]++; names[c.name] > 1 {
			c.name = fmt.Sprintf("%s#%d", c.name, names[c.name])
		}
		cs = append(cs, c)
	}
	conflicts := compareFleet(cs)
	if *asJSON {
		if conflicts == nil {
			conflicts = []conflict{}
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(conflicts); err != nil {
			fmt.Fprintln(stderr, "twelvecheck fleet:", err)
			return exitFail
		}
	} else {
		for _, c := range conflicts {
			fmt.Fprintf(stdout, "%s: %s differs:\n", c.Variable, c.Aspect)
			for _, s := range slices.Sorted(mapKeys(c.Services)) {
				fmt.Fprintf(stdout, "  %-20s %s\n", s, c.Services[s])
			}
		}
		fmt.Fprintf(stdout, "%d services compared: %d conflicts\n", len(cs), len(conflicts))
	}
	if len(conflicts) > 0 {
		return exitFail
	}
	return exitPass
}

// compareFleet lists, for each variable two services or more read, each
// aspect whose meaning differs between them.
func compareFleet(cs []*contract) []conflict {
	type reader struct {
		service string
		v       *contractVar
	}
	by := map[string][]reader{}
	for _, c := range cs {
		for _, name := range c.order {
			v := c.vars[name]
			if v.FileOf != "" {
				continue
			}
			by[name] = append(by[name], reader{c.name, v})
		}
	}
	aspects := []struct {
		name string
		of   func(v *contractVar) string
	}{
		{"type", func(v *contractVar) string {
			if v.Deprecated {
				return ""
			}
			return typeMeaning(v)
		}},
		{"URL family", func(v *contractVar) string {
			if len(v.Schemes) == 0 {
				if v.Format == "url" {
					return "any URL"
				}
				return ""
			}
			s := slices.Clone(v.Schemes)
			slices.Sort(s)
			return strings.Join(s, ", ")
		}},
		{"secret", func(v *contractVar) string {
			if v.Secret {
				return "secret"
			}
			return "not secret"
		}},
		{"default", func(v *contractVar) string {
			switch {
			case v.Secret:
				return "" // a secret's default is never in the contract
			case v.Default == nil:
				return "none"
			}
			return fmt.Sprintf("%q", *v.Default)
		}},
		{"list separator", func(v *contractVar) string { return v.Separator }},
		{"name", func(v *contractVar) string {
			if v.Deprecated {
				return "an old name of " + v.RenamedTo
			}
			return "current"
		}},
	}
	var out []conflict
	for _, name := range slices.Sorted(mapKeys(by)) {
		rs := by[name]
		if len(rs) < 2 {
			continue
		}
		for _, a := range aspects {
			meanings := map[string]string{}
			distinct := map[string]bool{}
			for _, r := range rs {
				m := a.of(r.v)
				meanings[r.service] = m
				if m != "" || a.name == "list separator" || a.name == "URL family" {
					distinct[m] = true
				}
			}
			if len(distinct) < 2 {
				continue
			}
			for s, m := range meanings {
				if m == "" {
					meanings[s] = "(none)"
				}
			}
			out = append(out, conflict{Variable: name, Aspect: a.name, Services: meanings})
		}
	}
	return out
}

// typeMeaning says what a variable holds, its unit included: a duration
// ("30s") and an integer count of seconds read under one name differ. A
// secret holds text, and a URL's family is an aspect of its own.
func typeMeaning(v *contractVar) string {
	switch {
	case v.Format == "secret":
		return "string"
	case v.Format == "url" && strings.HasPrefix(v.Type, "list"):
		return "list of URLs"
	case v.Format == "url":
		return "URL"
	case v.Format != "" && !strings.Contains(v.Type, v.Format):
		return v.Type + " (" + v.Format + ")"
	}
	return v.Type
}
