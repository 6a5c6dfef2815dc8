package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"gopkg.in/yaml.v3"
)

// The parts of the Kubernetes objects in deploy/ that the checks read.
type (
	object struct {
		Kind     string `yaml:"kind"`
		Metadata struct {
			Name string `yaml:"name"`
		} `yaml:"metadata"`
		Spec objectSpec `yaml:"spec"`
	}
	objectSpec struct {
		Selector map[string]any `yaml:"selector"` // Deployment: matchLabels; Service: labels
		Template struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		Ports []struct {
			Port       int    `yaml:"port"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"` // Service
	}
	podSpec struct {
		TerminationGracePeriodSeconds *int        `yaml:"terminationGracePeriodSeconds"`
		RestartPolicy                 string      `yaml:"restartPolicy"`
		Containers                    []container `yaml:"containers"`
	}
	container struct {
		Name  string   `yaml:"name"`
		Args  []string `yaml:"args"`
		Ports []struct {
			Name          string `yaml:"name"`
			ContainerPort int    `yaml:"containerPort"`
		} `yaml:"ports"`
		Env []struct {
			Name  string `yaml:"name"`
			Value string `yaml:"value"`
		} `yaml:"env"`
		LivenessProbe  *probe `yaml:"livenessProbe"`
		ReadinessProbe *probe `yaml:"readinessProbe"`
	}
	probe struct {
		HTTPGet *struct {
			Path string `yaml:"path"`
			Port string `yaml:"port"`
		} `yaml:"httpGet"`
	}
)

// readManifests reads every object of every file in deploy/.
func readManifests(t *testing.T) []object {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("deploy", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/ (%v)", err)
	}
	var objs []object
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(f)
		for {
			var o object
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				_ = f.Close()
				t.Fatalf("%s: %v", file, err)
			}
			objs = append(objs, o)
		}
		_ = f.Close()
	}
	return objs
}

// lifecycleDefaults returns the envDefault of each variable of
// lifecycle.Config, as config.Describe documents it.
func lifecycleDefaults(t *testing.T) map[string]string {
	t.Helper()
	doc, err := config.Describe(lifecycle.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{}
	for _, v := range doc.Vars {
		if v.HasDefault {
			defaults[v.Name] = v.Default
		}
	}
	for _, name := range []string{"PORT", "SHUTDOWN_TIMEOUT", "DRAIN_DELAY"} {
		if _, ok := defaults[name]; !ok {
			t.Fatalf("lifecycle.Config documents no default for %s", name)
		}
	}
	return defaults
}

// checkDeployment returns what is wrong with a Deployment of a shop process
// type, given lifecycle's defaults for the variables it does not set.
func checkDeployment(d object, defaults map[string]string) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return []string{fmt.Sprintf("%d containers, want 1", len(pod.Containers))}
	}
	c := pod.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value
	}
	value := func(name string) string {
		if v, ok := env[name]; ok {
			return v
		}
		return defaults[name]
	}
	duration := func(name string) time.Duration {
		v, err := time.ParseDuration(value(name))
		if err != nil {
			bad("%s=%q is not a duration", name, value(name))
		}
		return v
	}
	shutdown, drain := duration("SHUTDOWN_TIMEOUT"), duration("DRAIN_DELAY")
	grace := 30 * time.Second // Kubernetes' default
	if pod.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	}
	if grace <= shutdown+drain {
		bad("terminationGracePeriodSeconds is %v, want more than SHUTDOWN_TIMEOUT (%v) + DRAIN_DELAY (%v)", grace, shutdown, drain)
	}

	// The probes go to the port that serves them: MANAGEMENT_PORT when
	// set, else PORT.
	probePort := value("PORT")
	if mp := value("MANAGEMENT_PORT"); mp != "" && mp != "0" {
		probePort = mp
	}
	for _, p := range []struct {
		name, path string
		probe      *probe
	}{{"livenessProbe", "/livez", c.LivenessProbe}, {"readinessProbe", "/readyz", c.ReadinessProbe}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			bad("no %s with httpGet", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path {
			bad("%s path %q, want %q", p.name, p.probe.HTTPGet.Path, p.path)
		}
		port := p.probe.HTTPGet.Port
		for _, cp := range c.Ports {
			if cp.Name == port {
				port = strconv.Itoa(cp.ContainerPort)
			}
		}
		if port != probePort {
			bad("%s port %s, want %s, the port that serves the probes", p.name, port, probePort)
		}
	}
	return problems
}

// TestManifests checks the Kubernetes manifests against lifecycle's
// defaults and the Procfile: probes on /livez and /readyz at the port that
// serves them, a grace period longer than SHUTDOWN_TIMEOUT + DRAIN_DELAY,
// a Service for web, a Job for migrate.
func TestManifests(t *testing.T) {
	defaults := lifecycleDefaults(t)
	objs := readManifests(t)

	procs := map[string]object{}
	var jobs, services []object
	for _, o := range objs {
		switch o.Kind {
		case "Deployment":
			cs := o.Spec.Template.Spec.Containers
			if len(cs) == 0 || len(cs[0].Args) == 0 {
				t.Errorf("Deployment %s: runs no shop command", o.Metadata.Name)
				continue
			}
			procs[cs[0].Args[0]] = o
		case "Job":
			jobs = append(jobs, o)
		case "Service":
			services = append(services, o)
		}
	}
	for _, name := range []string{"web", "worker"} {
		d, ok := procs[name]
		if !ok {
			t.Errorf("no Deployment runs shop %s", name)
			continue
		}
		for _, p := range checkDeployment(d, defaults) {
			t.Errorf("Deployment %s: %s", d.Metadata.Name, p)
		}
	}
	if len(procs) != 2 {
		t.Errorf("Deployments run %d process types, want web and worker", len(procs))
	}

	if len(jobs) != 1 || !slices.Equal(jobs[0].Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
		t.Errorf("want one Job running shop migrate, got %d Jobs", len(jobs))
	} else if rp := jobs[0].Spec.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
		t.Errorf("Job %s: restartPolicy %q, want Never or OnFailure", jobs[0].Metadata.Name, rp)
	}

	if len(services) != 1 {
		t.Fatalf("%d Services, want 1 for web", len(services))
	}
	svc, web := services[0], procs["web"]
	for k, v := range svc.Spec.Selector {
		if web.Spec.Template.Metadata.Labels[k] != v {
			t.Errorf("Service %s selects %s=%v, which the web pods do not have", svc.Metadata.Name, k, v)
		}
	}
	if len(svc.Spec.Ports) != 1 || len(web.Spec.Template.Spec.Containers) == 0 {
		t.Fatalf("Service %s: want one port to the web pods", svc.Metadata.Name)
	}
	target := svc.Spec.Ports[0].TargetPort
	found := false
	for _, cp := range web.Spec.Template.Spec.Containers[0].Ports {
		found = found || cp.Name == target || strconv.Itoa(cp.ContainerPort) == target
	}
	if !found {
		t.Errorf("Service %s: targetPort %s is no port of the web container", svc.Metadata.Name, target)
	}
}

// TestCheckDeployment_catchesDrift shows that the check fails when the
// grace period or a probe no longer matches.
func TestCheckDeployment_catchesDrift(t *testing.T) {
	defaults := lifecycleDefaults(t)
	var web object
	for _, o := range readManifests(t) {
		if o.Kind == "Deployment" && o.Metadata.Name == "shop-web" {
			web = o
		}
	}
	if got := checkDeployment(web, defaults); len(got) != 0 {
		t.Fatalf("shop-web: %q, want no problem", got)
	}
	for _, tc := range []struct {
		name   string
		change func(c *container, p *podSpec)
		want   string
	}{
		{"grace period at the sum", func(c *container, p *podSpec) {
			g := 30
			p.TerminationGracePeriodSeconds = &g
		}, "terminationGracePeriodSeconds"},
		{"grace period left to Kubernetes", func(c *container, p *podSpec) { p.TerminationGracePeriodSeconds = nil }, "terminationGracePeriodSeconds"},
		{"longer SHUTDOWN_TIMEOUT", func(c *container, p *podSpec) {
			c.Env = append(c.Env, struct {
				Name  string `yaml:"name"`
				Value string `yaml:"value"`
			}{"SHUTDOWN_TIMEOUT", "40s"})
		}, "SHUTDOWN_TIMEOUT (40s)"},
		{"readiness on /healthz", func(c *container, p *podSpec) {
			r := *c.ReadinessProbe.HTTPGet
			r.Path = "/healthz"
			c.ReadinessProbe = &probe{HTTPGet: &r}
		}, `path "/healthz"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := web
			d.Spec.Template.Spec.Containers = slices.Clone(web.Spec.Template.Spec.Containers)
			c := &d.Spec.Template.Spec.Containers[0]
			c.Env = slices.Clone(c.Env)
			tc.change(c, &d.Spec.Template.Spec)
			got := checkDeployment(d, defaults)
			if len(got) != 1 || !strings.Contains(got[0], tc.want) {
				t.Errorf("problems %q, want one mentioning %q", got, tc.want)
			}
		})
	}
}

// TestProcfile checks the Procfile's process types and release phase.
func TestProcfile(t *testing.T) {
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
