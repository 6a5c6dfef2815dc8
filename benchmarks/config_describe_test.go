package benchmarks

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/config"
)

// BenchmarkDescribe documents the configuration of BenchmarkLoad (32
// variables) as a text table, as Markdown and as a .env.example file, each
// time from the struct type: the config.Describe call is inside the loop. The
// output goes to io.Discard. Each sub-benchmark first checks once that the
// output names a set variable, a nested one and a secret.
func BenchmarkDescribe(b *testing.B) {
	renderers := []struct {
		name  string
		write func(config.Doc, io.Writer) error
	}{
		{"text", config.Doc.WriteText},
		{"markdown", config.Doc.WriteMarkdown},
		{"dotenv", config.Doc.WriteDotEnv},
	}
	for _, r := range renderers {
		b.Run(r.name, func(b *testing.B) {
			checkDescribed(b, r.write)
			b.ReportAllocs()
			for b.Loop() {
				d, err := config.Describe((*twelvekitConfig)(nil))
				if err != nil {
					b.Fatal(err)
				}
				if err := r.write(d, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// checkDescribed fails the benchmark unless write renders every variable of
// twelvekitConfig, so that a renderer that writes nothing cannot look fast.
func checkDescribed(b *testing.B, write func(config.Doc, io.Writer) error) {
	b.Helper()
	d, err := config.Describe((*twelvekitConfig)(nil))
	if err != nil {
		b.Fatalf("Describe: %v", err)
	}
	if len(d.Vars) != len(configVars) {
		b.Fatalf("Describe found %d variables, want %d", len(d.Vars), len(configVars))
	}
	var buf bytes.Buffer
	if err := write(d, &buf); err != nil {
		b.Fatalf("write: %v", err)
	}
	for _, name := range configVars {
		if !strings.Contains(buf.String(), name) {
			b.Fatalf("output does not name %s:\n%s", name, buf.String())
		}
	}
}
