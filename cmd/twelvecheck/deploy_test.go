package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// ordersConfig is the contract the testdata corpus is written against: the
// library's own Configs, typed URLs, a secret, a renamed variable.
type ordersConfig struct {
	Lifecycle lifecycle.Config
	Logging   logging.Config
	DB        backing.PostgresURL `env:"DATABASE_URL,required" desc:"the orders database"`
	Cache     backing.RedisURL    `env:"CACHE_URL" desc:"the cache"`
	APIKey    config.Secret       `env:"API_KEY,required" desc:"payments key"`
	Workers   int                 `env:"WORKERS" envDefault:"4"`
	Debug     bool                `env:"DEBUG_PPROF" envOld:"DBEUG_PPROF"`
}

// writeSchema writes the contract of v to a file and returns its path.
func writeSchema(t *testing.T, name string, v any) string {
	t.Helper()
	doc, err := config.Describe(v)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := doc.WriteJSONSchema(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// deployJSON runs twelvecheck deploy -json and decodes its findings.
func deployJSON(t *testing.T, args ...string) (int, []finding, string) {
	t.Helper()
	code, out, stderr := twelve(t, append([]string{"deploy", "-json"}, args...)...)
	var fs []finding
	if code != exitUsage && json.Unmarshal([]byte(out), &fs) != nil {
		t.Fatalf("deploy %q: exit %d, not JSON:\n%s%s", args, code, out, stderr)
	}
	return code, fs, stderr
}

func errorsOf(fs []finding) []finding {
	var out []finding
	for _, f := range fs {
		if f.Level == levelError {
			out = append(out, f)
		}
	}
	return out
}

// TestDeploy_clean: every workload kind and format, written right, gives
// no error and exits 0.
func TestDeploy_clean(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	dir := filepath.Join("testdata", "deploy", "clean")
	for _, paths := range [][]string{
		{filepath.Join(dir, "kubernetes.yaml")},
		{filepath.Join(dir, "helm-rendered.yaml")},
		{filepath.Join(dir, "compose.yaml")},
		{filepath.Join(dir, "heroku")},
		{filepath.Join(dir, "fly", "fly.toml")},
		{filepath.Join(dir, "procfile", "Procfile")},
		{dir, filepath.Join(dir, "heroku"), filepath.Join(dir, "fly"), filepath.Join(dir, "procfile")},
	} {
		code, fs, stderr := deployJSON(t, append([]string{"-schema", schema}, paths...)...)
		if code != 0 || len(errorsOf(fs)) != 0 {
			t.Errorf("%q: exit %d, errors %+v %s", paths, code, errorsOf(fs), stderr)
		}
	}
	// What the clean corpus reads: every kind, with its process type; the
	// sidecar and the database's compose service are not checked.
	code, out, _ := twelve(t, "deploy", "-schema", schema, filepath.Join(dir, "kubernetes.yaml"), filepath.Join(dir, "compose.yaml"))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"8 workloads checked: 0 errors"} {
		if !strings.Contains(out, want) {
			t.Errorf("lacks %q:\n%s", want, out)
		}
	}
	for _, proc := range []string{"web", "worker", "agent", "migrate", "report"} {
		code, _, stderr := deployJSON(t, "-schema", schema, "-command", proc, filepath.Join(dir, "kubernetes.yaml"))
		if code != 0 {
			t.Errorf("-command %s: exit %d %s", proc, code, stderr)
		}
	}
	if code, _, stderr := twelve(t, "deploy", "-schema", schema, "-command", "nosuch", filepath.Join(dir, "kubernetes.yaml")); code != exitFail || !strings.Contains(stderr, "no workload runs nosuch") {
		t.Errorf("-command nosuch: exit %d, want 1: no workload runs it\n%s", code, stderr)
	}
}

// TestDeploy_faults: each file of the corpus holds one planted fault, named
// CODE--VARIABLE--what (none for no variable): it is found with that code and variable, and it is
// the only error (a warning's or a note's file exits 0).
func TestDeploy_faults(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	dir := filepath.Join("testdata", "deploy", "faults")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) < 25 {
		t.Fatalf("%d cases in %s", len(entries), dir)
	}
	for _, e := range entries {
		parts := strings.Split(e.Name(), "--")
		if len(parts) != 3 {
			t.Fatalf("%s: name it CODE--VARIABLE--what", e.Name())
		}
		code, variable := parts[0], parts[1]
		if variable == "none" {
			variable = ""
		}
		t.Run(e.Name(), func(t *testing.T) {
			exit, fs, stderr := deployJSON(t, "-schema", schema, filepath.Join(dir, e.Name()))
			var found *finding
			for i, f := range fs {
				if f.Code == code && f.Variable == variable {
					found = &fs[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s finding for %q; exit %d, findings %+v %s", code, variable, exit, fs, stderr)
			}
			errs := errorsOf(fs)
			if found.Level == levelError {
				if exit != exitFail || len(errs) != 1 {
					t.Errorf("exit %d, errors %+v; want 1 and only the planted one", exit, errs)
				}
			} else if exit != 0 || len(errs) != 0 {
				t.Errorf("a %s: exit %d, errors %+v; want 0 and none", found.Level, exit, errs)
			}
			if found.File == "" || found.Workload == "" || found.Message == "" || found.Document < 1 {
				t.Errorf("finding without its place: %+v", *found)
			}
		})
	}
}

// TestDeploy_levels pins the level of the codes whose level depends on the
// case: an unknown name under a prefix the service owns is an error, with
// the closest name; a foreign one is a note; an old name is a warning.
func TestDeploy_levels(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	dir := filepath.Join("testdata", "deploy", "faults")
	for _, tc := range []struct{ file, variable, level, says string }{
		{"unknown--LOG_LEVL--owned-prefix-typo.yaml", "LOG_LEVL", levelError, "did you mean LOG_LEVEL?"},
		{"unknown--DRAIN_DELAYS--fly", "DRAIN_DELAYS", levelError, "did you mean DRAIN_DELAY?"},
		{"unknown--PAYMENT_REGION--foreign-name-note.yaml", "PAYMENT_REGION", levelNote, "not read by orders"},
		{"deprecated--DBEUG_PPROF--old-name.yaml", "DBEUG_PPROF", levelWarning, "rename it to DEBUG_PPROF"},
		{"invalid--DATABASE_URL--redis-url-in-secret.yaml", "DATABASE_URL", levelError, "redis"},
	} {
		_, fs, _ := deployJSON(t, "-schema", schema, filepath.Join(dir, tc.file))
		i := slices.IndexFunc(fs, func(f finding) bool { return f.Variable == tc.variable })
		if i < 0 || fs[i].Level != tc.level || !strings.Contains(fs[i].Message, tc.says) {
			t.Errorf("%s: %+v; want a %s saying %q", tc.file, fs, tc.level, tc.says)
		}
	}
}

// TestDeploy_neverQuotesValues: no output format repeats a value of the
// files, a secret's or a refused one.
func TestDeploy_neverQuotesValues(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	dir := filepath.Join("testdata", "deploy", "faults")
	for _, format := range []string{"-json", "-sarif", "-text"} {
		args := []string{"deploy", "-schema", schema}
		if format != "-text" {
			args = append(args, format)
		}
		code, out, stderr := twelve(t, append(args, dir)...)
		if code != exitFail {
			t.Errorf("%s: exit %d\n%s", format, code, stderr)
		}
		for _, v := range []string{"sk-live-123", "hunter2", "abc123", "lots", "loud", "70000", "redis://cache"} {
			if strings.Contains(out+stderr, v) {
				t.Errorf("%s: the output quotes %q", format, v)
			}
		}
	}
}

// TestDeploy_sarif: the SARIF log has the version, the rules and a result
// per finding with its location.
func TestDeploy_sarif(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	file := filepath.Join("testdata", "deploy", "faults", "invalid--PORT--literal-port.yaml")
	code, out, _ := twelve(t, "deploy", "-sarif", "-schema", schema, file)
	if code != exitFail {
		t.Errorf("exit %d", code)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("not a SARIF 2.1.0 log (%v):\n%s", err, out)
	}
	run := log.Runs[0]
	if run.Tool.Driver.Name != "twelvecheck" || len(run.Tool.Driver.Rules) != len(ruleText) {
		t.Errorf("driver %+v", run.Tool.Driver)
	}
	if len(run.Results) != 1 || run.Results[0].RuleID != codeInvalid || run.Results[0].Level != "error" {
		t.Fatalf("results %+v", run.Results)
	}
	loc := run.Results[0].Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != filepath.ToSlash(file) || loc.Region.StartLine != 19 {
		t.Errorf("location %+v, want line 19 of %s (the PORT entry)", loc, file)
	}
}

// TestDeploy_usage: a missing schema, no path, an unreadable schema or
// path, or two output formats are usage errors.
func TestDeploy_usage(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join("testdata", "deploy", "clean", "kubernetes.yaml")
	for _, args := range [][]string{
		{"deploy", clean},
		{"deploy", "-schema", schema},
		{"deploy", "-schema", bad, clean},
		{"deploy", "-schema", schema, "-json", "-sarif", clean},
		{"deploy", "-nosuchflag", "-schema", schema, clean},
		{"fleet", schema},
	} {
		if code, _, _ := twelve(t, args...); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, stderr := twelve(t, "deploy", "-schema", schema, "testdata/nosuch.yaml"); code != exitUsage || !strings.Contains(stderr, "nosuch.yaml") {
		t.Errorf("a missing file: exit %d %s", code, stderr)
	}
}
