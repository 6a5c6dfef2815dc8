package admin

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/twelvekit/twelvekit/backing"
)

// backingCommand returns the backing built-in: the attached backing services
// of the environment and, with -check, whether each answers.
func (r *run) backingCommand() *command {
	return &command{
		name:    "backing",
		summary: "list the attached backing services; -check tests that each answers",
		help: "Lists every backing service the environment attaches: the *_URL variables\n" +
			"with a known scheme (DATABASE_URL, REDIS_URL, AMQP_URL...), passwords redacted.\n" +
			"With -check it connects to each at once, with a timeout each, speaks the first\n" +
			"bytes of its protocol, prints a table of results and exits with 1 when one is\n" +
			"down. A variable that does not parse is listed with its problem and exits 1 too.",
		kind: kindBuiltin,
		flags: []func(*flag.FlagSet){func(fs *flag.FlagSet) {
			fs.Bool("check", false, "check that each service answers")
			fs.Duration("timeout", backing.DefaultTimeout, "time allowed for each check")
		}},
		builtin: builtinBacking,
	}
}

func builtinBacking(ctx context.Context, r *run, c *Call) int {
	var resources []backing.Resource
	if r.s.envSet {
		resources = backing.Attached(r.s.env)
	} else {
		resources = backing.Attached(os.Environ())
	}
	if len(resources) == 0 {
		fmt.Fprintln(c.Stdout, "no backing service attached: no *_URL variable with a known scheme is set")
		return 0
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
			rows = append(rows, [3]string{res.Var, res.URL.Scheme(), res.URL.String()})
		}
		writeTable(c.Stdout, rows)
		return code
	}
	rows := [][4]string{{"VARIABLE", "URL", "TIME", "STATUS"}}
	for i, res := range resources {
		if res.Err != nil {
			rows = append(rows, [4]string{res.Var, "", "", "invalid: " + res.Err.Error()})
			continue
		}
		rows = append(rows, [4]string{res.Var, res.URL.String(), results[i].took.Round(time.Millisecond).String(), results[i].status})
	}
	writeTable(c.Stdout, rows)
	return code
}
