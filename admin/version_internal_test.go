package admin

import (
	"bytes"
	"context"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestVersion_buildInfo(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Path:      "example.com/shop/cmd/shop",
		Main:      debug.Module{Path: "example.com/shop", Version: "v1.4.0"},
		Deps: []*debug.Module{
			{Path: "go.uber.org/zap", Version: "v1.28.0"},
			{Path: "github.com/twelvekit/twelvekit", Version: "v0.0.0", Replace: &debug.Module{Path: "../twelvekit"}},
		},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "4f2a9c1"}, {Key: "vcs.time", Value: "2026-11-25T03:00:00Z"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	var out bytes.Buffer
	app := New("shop", nil)
	seam := optionFunc(func(s *settings) { s.buildInfo = func() (*debug.BuildInfo, bool) { return bi, true } })
	code := app.Run(context.Background(), []string{"version"}, WithEnvironment(nil), WithOutput(&out, &out), seam)
	want := "" +
		"release   4f2a9c1-dirty\n" +
		"go        go1.26.8\n" +
		"path      example.com/shop/cmd/shop\n" +
		"module    example.com/shop v1.4.0\n" +
		"revision  4f2a9c1 (modified)\n" +
		"time      2026-11-25T03:00:00Z\n" +
		"dep       go.uber.org/zap v1.28.0\n" +
		"dep       github.com/twelvekit/twelvekit v0.0.0 => ../twelvekit\n"
	if code != 0 {
		t.Errorf("exit %d", code)
	}
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("version (-want +got):\n%s", diff)
	}
}

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"migrate", "migrate", 0}, {"migrat", "migrate", 1}, {"wrokr", "worker", 2}, {"ab", "ba", 1}, {"abc", "", 3}, {"kitten", "sitting", 3}} {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
