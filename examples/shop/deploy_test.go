package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"sigs.k8s.io/yaml"
)

// The deploy files are checked against the shop's own contract with
// twelvecheck deploy (the contract is what `shop config -schema` prints),
// which reads the YAML into small structs of its own: no Kubernetes types
// to compile. The few checks below that are the shop's alone (a Service for
// web, a rolling update that keeps capacity, a Job for migrate) read the
// same YAML the same way.

// twelvecheckBin builds twelvecheck, a module of its own.
func twelvecheckBin(t *testing.T) string {
	t.Helper()
	return testkit.Build(t, filepath.Join("..", "..", "cmd", "twelvecheck"))
}

// runBin runs a binary with a bounded wait and returns its exit code,
// stdout and stderr.
func runBin(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	return runBinEnv(t, bin, []string{}, args...)
}

// runBinEnv is runBin with the environment env.
func runBinEnv(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	out, errOut, code := testkit.Run(t, 60*time.Second, cmd)
	return code, out, errOut
}

// shopSchema writes what `shop config -schema [COMMAND]` prints to a file.
func shopSchema(t *testing.T, args ...string) string {
	t.Helper()
	code, out, stderr := runBin(t, shopBin, append([]string{"config", "-schema"}, args...)...)
	if code != 0 {
		t.Fatalf("shop config -schema %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	path := filepath.Join(t.TempDir(), "shop.json")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// finding is one line of twelvecheck deploy -json.
type finding struct {
	File, Workload, Container, Process, Code, Level, Variable, Message string
	Document                                                           int
}

func deploy(t *testing.T, bin string, args ...string) (int, []finding) {
	t.Helper()
	code, out, stderr := runBin(t, bin, append([]string{"deploy", "-json"}, args...)...)
	var fs []finding
	if err := json.Unmarshal([]byte(out), &fs); err != nil {
		t.Fatalf("twelvecheck deploy %q: exit %d, not JSON: %v\n%s%s", args, code, err, out, stderr)
	}
	return code, fs
}

// TestDeploy_contract: deploy/ and the Procfile pass twelvecheck deploy
// against the shop's contract, each process type against what it reads.
func TestDeploy_contract(t *testing.T) {
	t.Parallel()
	bin := twelvecheckBin(t)
	code, fs := deploy(t, bin, "-schema", shopSchema(t), "deploy", "Procfile")
	if code != 0 {
		t.Errorf("exit %d: %+v", code, fs)
	}
	var seen []string
	for _, f := range fs {
		if f.Level == "error" {
			t.Errorf("%s %s: %s %s: %s", f.File, f.Workload, f.Code, f.Variable, f.Message)
		}
		seen = append(seen, f.Code+" "+f.Variable)
	}
	// POD_NAME, set for the logs' instance field, is no variable of the
	// shop's: a note, not an error.
	if !slices.Contains(seen, "unknown POD_NAME") {
		t.Errorf("findings %q: want the note on POD_NAME", seen)
	}
	for _, cmd := range []string{"web", "worker", "migrate"} {
		if code, fs := deploy(t, bin, "-schema", shopSchema(t, cmd), "-command", cmd, "deploy", "Procfile"); code != 0 {
			t.Errorf("-command %s: exit %d: %+v", cmd, code, fs)
		}
	}
}

// TestDeploy_catchesDrift changes the web manifest the ways a team would
// and shows that each change is caught with its code.
func TestDeploy_catchesDrift(t *testing.T) {
	t.Parallel()
	bin := twelvecheckBin(t)
	schema := shopSchema(t)
	orig, err := os.ReadFile(filepath.Join("deploy", "web.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, old, new, code string
	}{
		{"grace period at SHUTDOWN_TIMEOUT", "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds: 25", "grace-period"},
		{"a longer SHUTDOWN_TIMEOUT", `- {name: PORT, value: "8080"}`, `- {name: PORT, value: "8080"}` + "\n            - {name: SHUTDOWN_TIMEOUT, value: 40s}", "grace-period"},
		{"a preStop sleep on top", "          readinessProbe:", "          lifecycle: {preStop: {sleep: {seconds: 10}}}\n          readinessProbe:", "grace-period"},
		{"readiness on /healthz", "httpGet: {path: /readyz, port: http}", "httpGet: {path: /healthz, port: http}", "probe"},
		{"liveness on /readyz", "httpGet: {path: /livez, port: http}", "httpGet: {path: /readyz, port: http}", "probe"},
		{"a slow kubelet probe", "periodSeconds: 2", "periodSeconds: 20", "probe"},
		{"a port that is no number", `value: "8080"`, `value: "80a0"`, "invalid"},
		{"a misspelt log variable", `- {name: PORT, value: "8080"}`, `- {name: PORT, value: "8080"}` + "\n            - {name: LOG_LEVL, value: debug}", "unknown"},
		{"the API key in the manifest", `- {name: PORT, value: "8080"}`, `- {name: PORT, value: "8080"}` + "\n            - {name: API_KEY, value: canary-key}", "secret-in-plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			changed := strings.Replace(string(orig), tc.old, tc.new, 1)
			if changed == string(orig) {
				t.Fatalf("deploy/web.yaml has no %q", tc.old)
			}
			path := filepath.Join(t.TempDir(), "web.yaml")
			if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
				t.Fatal(err)
			}
			code, fs := deploy(t, bin, "-schema", schema, path)
			found := false
			for _, f := range fs {
				found = found || (f.Code == tc.code && f.Level == "error")
				if strings.Contains(f.Message, "canary-key") {
					t.Errorf("a finding quotes the secret: %s", f.Message)
				}
			}
			if code != 1 || !found {
				t.Errorf("exit %d, findings %+v; want a %s error", code, fs, tc.code)
			}
		})
	}
}

// manifest is what the shop's own checks read of a Kubernetes object.
type manifest struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec struct {
		Selector map[string]any `json:"selector"`
		Ports    []struct {
			TargetPort any `json:"targetPort"`
		} `json:"ports"`
		Strategy struct {
			RollingUpdate *struct {
				MaxUnavailable any `json:"maxUnavailable"`
			} `json:"rollingUpdate"`
		} `json:"strategy"`
		Template struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec struct {
				RestartPolicy string `json:"restartPolicy"`
				Containers    []struct {
					Args []string `json:"args"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// readManifests decodes every document of every file in deploy/.
func readManifests(t *testing.T) []manifest {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("deploy", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/ (%v)", err)
	}
	var out []manifest
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			var m manifest
			if err := yaml.Unmarshal(doc, &m); err != nil {
				t.Fatalf("%s, document %d: %v", file, i+1, err)
			}
			if m.Kind != "" {
				out = append(out, m)
			}
		}
	}
	return out
}

// TestManifests checks what is the shop's alone: a Deployment per process
// type with a rolling update that never lowers capacity for web, a Service
// that selects the web pods on their http port, one Job running migrate.
func TestManifests(t *testing.T) {
	t.Parallel()
	procs := map[string]manifest{}
	var services, jobs []manifest
	for _, m := range readManifests(t) {
		switch m.APIVersion + " " + m.Kind {
		case "apps/v1 Deployment":
			cs := m.Spec.Template.Spec.Containers
			if len(cs) != 1 || len(cs[0].Args) == 0 {
				t.Errorf("Deployment %s: want one container running a shop command", m.Metadata.Name)
				continue
			}
			procs[cs[0].Args[0]] = m
		case "v1 Service":
			services = append(services, m)
		case "batch/v1 Job":
			jobs = append(jobs, m)
		default:
			t.Errorf("%s %s is not a kind the shop deploys", m.APIVersion, m.Kind)
		}
	}
	if len(procs) != 2 || procs["web"].Kind == "" || procs["worker"].Kind == "" {
		t.Fatalf("Deployments run %d process types, want web and worker", len(procs))
	}
	web := procs["web"]
	if ru := web.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxUnavailable != float64(0) {
		t.Errorf("Deployment %s: want a rolling update with maxUnavailable 0, so a rollout never lowers capacity", web.Metadata.Name)
	}
	if len(jobs) != 1 || !slices.Equal(jobs[0].Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
		t.Errorf("want one Job running shop migrate, got %d Jobs", len(jobs))
	} else if rp := jobs[0].Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
		t.Errorf("Job %s: restartPolicy %q, want Never or OnFailure", jobs[0].Metadata.Name, rp)
	}
	if len(services) != 1 {
		t.Fatalf("%d Services, want 1 for web", len(services))
	}
	svc := services[0]
	for k, v := range svc.Spec.Selector {
		if web.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("Service %s selects %s=%v, which the web pods do not have", svc.Metadata.Name, k, v)
		}
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort != "http" {
		t.Errorf("Service %s: want one port to the web pods' http port (which twelvecheck deploy holds to PORT)", svc.Metadata.Name)
	}
}

// TestProcfile checks the Procfile's process types and release phase.
func TestProcfile(t *testing.T) {
	t.Parallel()
	f, err := os.Open("Procfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, cmd, ok := strings.Cut(sc.Text(), ":"); ok {
			got[name] = strings.TrimSpace(cmd)
		}
	}
	want := map[string]string{"web": "shop web", "worker": "shop worker", "release": "shop migrate"}
	for name, cmd := range want {
		if got[name] != cmd {
			t.Errorf("Procfile %s: %q, want %q", name, got[name], cmd)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Procfile has %d entries, want %d", len(got), len(want))
	}
}
