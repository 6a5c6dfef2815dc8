package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestREADMEQuickstartBuilds compiles the quickstart of the project's README
// as it is written, so the README cannot drift from the API. The code is
// placed by an overlay, so nothing is written into the repository.
func TestREADMEQuickstartBuilds(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Quickstart\n\n```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no Go block under ## Quickstart")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, m[1], 0o600); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs("../quickstart-from-readme/main.go")
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := json.Marshal(map[string]any{"Replace": map[string]string{abs: src}})
	ovFile := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovFile, overlay, 0o600); err != nil {
		t.Fatal(err)
	}
	// A build that fails fails the test with the compiler's messages.
	testkit.Build(t, "../quickstart-from-readme", "-overlay", ovFile)
}
