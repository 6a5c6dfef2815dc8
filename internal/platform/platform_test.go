package platform

import (
	"fmt"
	"runtime/debug"
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestRelease(t *testing.T) {
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	tests := []struct {
		name string
		env  map[string]string
		bi   *debug.BuildInfo
		want string
	}{
		{"RELEASE wins", map[string]string{"RELEASE": "r1", "SOURCE_VERSION": "s"}, bi, "r1"},
		{"platform variable", map[string]string{"HEROKU_SLUG_COMMIT": "h", "K_REVISION": "k"}, bi, "h"},
		{"VCS revision, dirty", nil, bi, "abc123-dirty"},
		{"module version", nil, &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"devel is nothing", nil, &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, ""},
		{"no build info", nil, nil, ""},
	}
	for _, tt := range tests {
		if got := Release(env(tt.env), tt.bi); got != tt.want {
			t.Errorf("%s: Release = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestInstanceAndProcessType(t *testing.T) {
	if got := Instance(env(map[string]string{"HOSTNAME": "h", "POD_NAME": "p"})); got != "p" {
		t.Errorf("Instance = %q, want p", got)
	}
	tests := map[string]struct {
		env  map[string]string
		want string
	}{
		"heroku web":     {map[string]string{"DYNO": "web.1"}, "web"},
		"heroku worker":  {map[string]string{"DYNO": "worker.12"}, "worker"},
		"heroku one-off": {map[string]string{"DYNO": "run.4242", "PROCESS_TYPE": "x"}, "x"},
		"heroku release": {map[string]string{"DYNO": "release.1"}, ""},
		"fly":            {map[string]string{"FLY_PROCESS_GROUP": "app"}, "app"},
		"generic":        {map[string]string{"PROCESS_TYPE": "worker"}, "worker"},
		"nothing":        {nil, ""},
	}
	for name, tt := range tests {
		if got := ProcessType(env(tt.env)); got != tt.want {
			t.Errorf("%s: ProcessType = %q, want %q", name, got, tt.want)
		}
	}
}

// TestVarsOrder checks that each list is the order of precedence the
// functions follow: every variable wins over all the ones after it, and
// loses to any before it.
func TestVarsOrder(t *testing.T) {
	for _, tt := range []struct {
		name string
		vars []Var
		read func(func(string) string) string
	}{
		{"ReleaseVars", ReleaseVars, func(l func(string) string) string { return Release(l, nil) }},
		{"InstanceVars", InstanceVars, Instance},
		{"ProcessTypeVars", ProcessTypeVars, ProcessType},
	} {
		for i, v := range tt.vars {
			m := map[string]string{}
			for _, later := range tt.vars[i:] {
				m[later.Name] = "from-" + later.Name
			}
			want := "from-" + v.Name
			if got := tt.read(env(m)); got != want {
				t.Errorf("%s: with %v set, got %q, want %q", tt.name, Names(tt.vars[i:]), got, want)
			}
		}
	}
}

func TestRevision(t *testing.T) {
	if rev, mod := Revision(nil); rev != "" || mod {
		t.Errorf("Revision(nil) = %q, %v", rev, mod)
	}
	bi := &debug.BuildInfo{Settings: []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}}}
	if rev, mod := Revision(bi); rev != "" || mod {
		t.Errorf("Revision without a revision = %q, %v; want \"\", false", rev, mod)
	}
	bi.Settings = append(bi.Settings, debug.BuildSetting{Key: "vcs.revision", Value: "abc"})
	if rev, mod := Revision(bi); rev != "abc" || !mod {
		t.Errorf("Revision = %q, %v; want abc, true", rev, mod)
	}
}

func ExampleList() {
	fmt.Println(List(InstanceVars))
	fmt.Println(Names(ProcessTypeVars))
	// Output:
	// DYNO (Heroku), POD_NAME (Kubernetes, through the downward API), FLY_ALLOC_ID (Fly.io), RENDER_INSTANCE_ID (Render), RAILWAY_REPLICA_ID (Railway), HOSTNAME
	// [DYNO FLY_PROCESS_GROUP PROCESS_TYPE]
}

func TestEnviron(t *testing.T) {
	t.Setenv("TK_ENVIRON_TEST", "a=b")
	m := Environ()
	if m["TK_ENVIRON_TEST"] != "a=b" {
		t.Errorf("Environ()[TK_ENVIRON_TEST] = %q, want a=b", m["TK_ENVIRON_TEST"])
	}
	m["TK_ENVIRON_TEST"] = "changed"
	if Environ()["TK_ENVIRON_TEST"] != "a=b" {
		t.Error("the map is shared between calls")
	}
}
