package admin

import (
	"fmt"
	"strings"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// configSchema writes the contract of what the config built-in's subject
// reads (the App's configuration, or a command's) as a JSON Schema.
func (r *run) configSchema(c *Call) int {
	doc, err := r.describe(r.rd)
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return lifecycle.ExitConfig
	}
	var b strings.Builder
	if err := doc.WriteJSONSchema(&b); err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	fmt.Fprint(c.Stdout, b.String())
	return 0
}

// configFragment writes a deploy fragment of what the subject reads: a
// Kubernetes ConfigMap and env named after the program, a docker-compose
// environment, or an app.json env.
func (r *run) configFragment(c *Call, format string) int {
	doc, err := r.describe(r.rd)
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return lifecycle.ExitConfig
	}
	var b strings.Builder
	switch format {
	case "kubernetes":
		err = doc.WriteKubernetes(&b, r.app.name)
	case "compose":
		err = doc.WriteCompose(&b)
	default:
		err = doc.WriteAppJSON(&b)
	}
	if err != nil {
		fmt.Fprintln(c.Stderr, err)
		return 1
	}
	fmt.Fprint(c.Stdout, b.String())
	return 0
}

// logWarnings logs, once at start, what the load read that still works but
// should change: a variable read under a deprecated name.
func (r *run) logWarnings() {
	for _, w := range r.report.Warnings() {
		r.log.Warn(w)
	}
}
