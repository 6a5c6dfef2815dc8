package admin

import (
	"context"
	"flag"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// backingCommand returns the backing built-in: the attached backing services
// of the environment and, with -check, whether each answers.
func (r *run) backingCommand() *command {
	return &command{
		name:    "backing",
		summary: "list the attached backing services; -check tests that each answers",
		help: "Lists every backing service the program is attached to: the backing.URL\n" +
			"fields of its configuration, with their variables, and the other *_URL\n" +
			"variables with a known scheme (REDIS_URL, AMQP_URL...), passwords redacted.\n" +
			"With -check it connects to each at once, with a timeout each, speaks the first\n" +
			"bytes of its protocol, prints a table of results and exits with 1 when one is\n" +
			"down. A variable that does not parse is listed with its problem and exits 1 too.\n" +
			"Problems of the configuration are printed on stderr, and exit with 78, as config does.",
		kind: kindBuiltin,
		flags: []func(*flag.FlagSet){func(fs *flag.FlagSet) {
			fs.Bool("check", false, "check that each service answers")
			fs.Duration("timeout", backing.DefaultTimeout, "time allowed for each check")
		}},
		builtin: builtinBacking,
		subject: func(*run, []string) (*command, error) { return appSubject(), nil },
	}
}

func builtinBacking(ctx context.Context, r *run, c *Call) int {
	resources := r.attached()
	if len(resources) == 0 {
		fmt.Fprintln(c.Stdout, "no backing service attached: no backing.URL in the configuration, no *_URL variable with a known scheme")
		return r.configProblems(c, 0)
	}
	check := c.Flags.Lookup("check").Value.String() == "true"
	timeout := c.Flags.Lookup("timeout").Value.(flag.Getter).Get().(time.Duration)

	type result struct {
		status string
		took   time.Duration
		failed bool
	}
	results := make([]result, len(resources))
	var wg sync.WaitGroup
	for i, res := range resources {
		if res.Err != nil {
			results[i] = result{status: res.Err.Error(), failed: true}
			continue
		}
		if !check {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			err := backing.Check(ctx, res.URL, backing.WithTimeout(timeout))
			results[i] = result{status: "up", took: time.Since(start)}
			if err != nil {
				results[i] = result{status: "down: " + err.Error(), took: time.Since(start), failed: true}
			}
		}()
	}
	wg.Wait()

	code := 0
	for _, res := range results {
		if res.failed {
			code = 1
		}
	}
	if !check {
		rows := [][3]string{{"VARIABLE", "SCHEME", "URL"}}
		for _, res := range resources {
			if res.Err != nil {
				rows = append(rows, [3]string{res.Var, "", "invalid: " + res.Err.Error()})
				continue
			}
			rows = append(rows, [3]string{res.Var, res.URL.Scheme(), r.shownURL(res)})
		}
		writeTable(c.Stdout, rows)
		return r.configProblems(c, code)
	}
	rows := [][4]string{{"VARIABLE", "URL", "TIME", "STATUS"}}
	for i, res := range resources {
		if res.Err != nil {
			rows = append(rows, [4]string{res.Var, "", "", "invalid: " + res.Err.Error()})
			continue
		}
		rows = append(rows, [4]string{res.Var, r.shownURL(res), results[i].took.Round(time.Millisecond).String(), results[i].status})
	}
	writeTable(c.Stdout, rows)
	return r.configProblems(c, code)
}

// shownURL is the URL the backing built-in prints for res: its String
// form, which twelvekit's one rule (internal/redact) prints: scheme, hosts,
// ports, database or vhost and safe options show, the rest is masked.
func (r *run) shownURL(res backing.Resource) string {
	return res.URL.String()
}

// configProblems prints the problems of the configuration, if any, and
// returns lifecycle.ExitConfig then, code otherwise.
func (r *run) configProblems(c *Call, code int) int {
	if r.cfgErr == nil {
		return code
	}
	fmt.Fprintln(c.Stderr, r.cfgErr)
	return lifecycle.ExitConfig
}

// attached returns the backing services of the run: the backing.URL fields
// of the loaded configuration that hold a URL (from the environment, a file,
// .env or a default), under their variables' names, then the other *_URL
// variables of the snapshot with a known scheme, sorted by name.
func (r *run) attached() []backing.Resource {
	var out []backing.Resource
	seen := map[string]bool{}
	urlType := reflect.TypeFor[backing.URL]()
	for _, p := range r.rd.parts {
		doc, err := config.Describe(p.ptr, r.options(p)...)
		if err != nil {
			continue
		}
		root := reflect.ValueOf(p.ptr).Elem()
		for _, v := range doc.Vars {
			fv, ok := fieldAt(root, v.Field)
			if !ok {
				continue
			}
			if fv.Kind() == reflect.Pointer && fv.Type().Elem() == urlType && !fv.IsNil() {
				fv = fv.Elem()
			}
			if fv.Type() != urlType || seen[v.Name] {
				continue
			}
			seen[v.Name] = true
			if u := fv.Interface().(backing.URL); !u.IsZero() {
				out = append(out, backing.Resource{Var: v.Name, URL: u})
			}
		}
	}
	for _, res := range backing.Attached(backing.WithEnvironment(r.env)) {
		if !seen[res.Var] {
			out = append(out, res)
		}
	}
	slices.SortStableFunc(out, func(a, b backing.Resource) int { return strings.Compare(a.Var, b.Var) })
	return out
}

// fieldAt returns the field of struct v at the Go path, such as "DB.URL".
func fieldAt(v reflect.Value, path string) (reflect.Value, bool) {
	for name := range strings.SplitSeq(path, ".") {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		v = v.FieldByName(name)
		if !v.IsValid() {
			return reflect.Value{}, false
		}
	}
	return v, true
}
