package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
)

// manifests are the objects of deploy/, decoded strictly into Kubernetes's
// own types: an unknown or misspelt field, or a value of the wrong type,
// fails the decoding as kubectl's server-side validation would.
type manifests struct {
	deployments []*appsv1.Deployment
	services    []*corev1.Service
	jobs        []*batchv1.Job
}

// readManifests decodes every document of every file in deploy/.
func readManifests(t *testing.T) manifests {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("deploy", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/ (%v)", err)
	}
	var m manifests
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(stripComments(doc))) == 0 {
				continue
			}
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s, document %d: %v", file, i+1, err)
			}
			var obj any
			switch tm.APIVersion + " " + tm.Kind {
			case "apps/v1 Deployment":
				d := &appsv1.Deployment{}
				m.deployments, obj = append(m.deployments, d), d
			case "v1 Service":
				s := &corev1.Service{}
				m.services, obj = append(m.services, s), s
			case "batch/v1 Job":
				j := &batchv1.Job{}
				m.jobs, obj = append(m.jobs, j), j
			default:
				t.Fatalf("%s, document %d: %s %s is not a kind the shop deploys", file, i+1, tm.APIVersion, tm.Kind)
			}
			if err := yaml.UnmarshalStrict(doc, obj); err != nil {
				t.Fatalf("%s, document %d: %v", file, i+1, err)
			}
		}
	}
	return m
}

// stripComments drops the comment lines of a YAML document.
func stripComments(doc []byte) []byte {
	var out []byte
	for line := range bytes.Lines(doc) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			out = append(out, line...)
		}
	}
	return out
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
	for _, name := range []string{"PORT", "SHUTDOWN_TIMEOUT", "DRAIN_DELAY", "DRAIN_MIN"} {
		if _, ok := defaults[name]; !ok {
			t.Fatalf("lifecycle.Config documents no default for %s", name)
		}
	}
	return defaults
}

// exitMargin is what a pod needs, past SHUTDOWN_TIMEOUT, to exit after Run
// has returned: flush the logs, close what main closes.
const exitMargin = 2 * time.Second

// checkDeployment returns what is wrong with a Deployment of a shop process
// type, given lifecycle's defaults for the variables it does not set. serving
// says whether its process serves traffic (web), so that the drain applies.
//
// The rule it checks is lifecycle's drain (see the package documentation):
// Kubernetes sends SIGTERM when it deletes the pod, at the same moment as it
// removes the pod from the Service's endpoints, and kills the pod when
// terminationGracePeriodSeconds has passed since the preStop hook began. So
// the grace period must cover a preStop sleep (if any) plus SHUTDOWN_TIMEOUT,
// which holds the drain, plus a margin to exit; the readiness probe must be
// an HTTP GET of /readyz on the port that serves it (a TCP probe never sees
// the 503); and the kubelet's probe period must be shorter than DRAIN_DELAY,
// since a drain that has seen a prober waits for it to be answered 503 once.
func checkDeployment(d *appsv1.Deployment, defaults map[string]string, serving bool) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	pod := d.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		return []string{fmt.Sprintf("%d containers, want 1", len(pod.Containers))}
	}
	c := pod.Containers[0]
	env := map[string]string{}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
		}
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
	var lc lifecycle.Config
	var err error
	lc.ShutdownTimeout, lc.DrainDelay, lc.DrainMin = duration("SHUTDOWN_TIMEOUT"), duration("DRAIN_DELAY"), duration("DRAIN_MIN")
	if lc.Port, err = strconv.Atoi(value("PORT")); err != nil {
		bad("PORT=%q is not a port", value("PORT"))
	}
	if mp := value("MANAGEMENT_PORT"); mp != "" {
		if lc.ManagementPort, err = strconv.Atoi(mp); err != nil {
			bad("MANAGEMENT_PORT=%q is not a port", mp)
		}
	}
	if err := lc.Validate(); err != nil {
		bad("lifecycle config: %v", err)
	}

	var preStop time.Duration
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		h := c.Lifecycle.PreStop
		switch {
		case h.Sleep != nil:
			preStop = time.Duration(h.Sleep.Seconds) * time.Second
		default:
			bad("preStop is not a sleep: the drain already waits inside the process; remove it or make it a sleep")
		}
	}
	grace := 30 * time.Second // Kubernetes' default
	if pod.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.TerminationGracePeriodSeconds) * time.Second
	}
	if grace < preStop+lc.ShutdownTimeout+exitMargin {
		bad("terminationGracePeriodSeconds is %v, want at least preStop (%v) + SHUTDOWN_TIMEOUT (%v) + %v to exit", grace, preStop, lc.ShutdownTimeout, exitMargin)
	}

	// The probes go to the port that serves them: MANAGEMENT_PORT when
	// set, else PORT.
	probePort := lc.Port
	if lc.ManagementPort != 0 {
		probePort = lc.ManagementPort
	}
	for _, p := range []struct {
		name, path string
		probe      *corev1.Probe
	}{{"livenessProbe", "/livez", c.LivenessProbe}, {"readinessProbe", "/readyz", c.ReadinessProbe}} {
		if p.probe == nil || p.probe.HTTPGet == nil {
			bad("no %s with httpGet: a TCP or exec probe never sees the 503 of a stop", p.name)
			continue
		}
		if p.probe.HTTPGet.Path != p.path {
			bad("%s path %q, want %q", p.name, p.probe.HTTPGet.Path, p.path)
		}
		if port, ok := containerPort(c, p.probe.HTTPGet.Port); !ok || port != probePort {
			bad("%s port %s, want %d, the port that serves the probes", p.name, p.probe.HTTPGet.Port.String(), probePort)
		}
	}
	if r := c.ReadinessProbe; serving && r != nil && lc.DrainDelay > 0 {
		period := time.Duration(max(r.PeriodSeconds, 10)) * time.Second // 10: Kubernetes' default
		if r.PeriodSeconds > 0 {
			period = time.Duration(r.PeriodSeconds) * time.Second
		}
		if period >= lc.DrainDelay {
			bad("readinessProbe periodSeconds is %v, want it shorter than DRAIN_DELAY (%v): the drain waits for the kubelet to see the 503", period, lc.DrainDelay)
		}
	}
	if serving {
		if _, ok := containerPort(c, intstr.FromString("http")); !ok {
			bad("no container port named http")
		} else if port, _ := containerPort(c, intstr.FromString("http")); port != lc.Port {
			bad("container port http is %d, want PORT (%d)", port, lc.Port)
		}
	}
	return problems
}

// containerPort resolves a probe's or Service's port (a number or the name
// of a container port) to a number.
func containerPort(c corev1.Container, p intstr.IntOrString) (int, bool) {
	if p.Type == intstr.Int {
		return p.IntValue(), true
	}
	for _, cp := range c.Ports {
		if cp.Name == p.StrVal {
			return int(cp.ContainerPort), true
		}
	}
	return 0, false
}

// TestManifests checks the Kubernetes manifests, decoded strictly into
// Kubernetes's types, against lifecycle's defaults, its drain rule and the
// Procfile: probes on /livez and /readyz at the port that serves them, a
// grace period that covers the stop, a Service for web, a Job for migrate.
func TestManifests(t *testing.T) {
	defaults := lifecycleDefaults(t)
	m := readManifests(t)

	procs := map[string]*appsv1.Deployment{}
	for _, d := range m.deployments {
		cs := d.Spec.Template.Spec.Containers
		if len(cs) == 0 || len(cs[0].Args) == 0 {
			t.Errorf("Deployment %s: runs no shop command", d.Name)
			continue
		}
		procs[cs[0].Args[0]] = d
	}
	for _, name := range []string{"web", "worker"} {
		d, ok := procs[name]
		if !ok {
			t.Errorf("no Deployment runs shop %s", name)
			continue
		}
		for _, p := range checkDeployment(d, defaults, name == "web") {
			t.Errorf("Deployment %s: %s", d.Name, p)
		}
	}
	if len(procs) != 2 {
		t.Errorf("Deployments run %d process types, want web and worker", len(procs))
	}
	if web := procs["web"]; web != nil {
		if s := web.Spec.Strategy.RollingUpdate; s == nil || s.MaxUnavailable == nil || s.MaxUnavailable.IntValue() != 0 {
			t.Errorf("Deployment %s: want a rolling update with maxUnavailable 0, so a rollout never lowers capacity", web.Name)
		}
	}

	if len(m.jobs) != 1 || !slices.Equal(m.jobs[0].Spec.Template.Spec.Containers[0].Args, []string{"migrate"}) {
		t.Errorf("want one Job running shop migrate, got %d Jobs", len(m.jobs))
	} else if rp := m.jobs[0].Spec.Template.Spec.RestartPolicy; rp != corev1.RestartPolicyNever && rp != corev1.RestartPolicyOnFailure {
		t.Errorf("Job %s: restartPolicy %q, want Never or OnFailure", m.jobs[0].Name, rp)
	}

	if len(m.services) != 1 {
		t.Fatalf("%d Services, want 1 for web", len(m.services))
	}
	svc, web := m.services[0], procs["web"]
	if web == nil {
		t.Fatal("no web Deployment for the Service")
	}
	for k, v := range svc.Spec.Selector {
		if web.Spec.Template.Labels[k] != v {
			t.Errorf("Service %s selects %s=%v, which the web pods do not have", svc.Name, k, v)
		}
	}
	if len(svc.Spec.Ports) != 1 {
		t.Fatalf("Service %s: want one port to the web pods", svc.Name)
	}
	port, ok := containerPort(web.Spec.Template.Spec.Containers[0], svc.Spec.Ports[0].TargetPort)
	if !ok || port != mustAtoi(t, defaultOr(web, "PORT", defaults)) {
		t.Errorf("Service %s: targetPort %s is not the web container's PORT", svc.Name, svc.Spec.Ports[0].TargetPort.String())
	}
}

func defaultOr(d *appsv1.Deployment, name string, defaults map[string]string) string {
	for _, e := range d.Spec.Template.Spec.Containers[0].Env {
		if e.Name == name {
			return e.Value
		}
	}
	return defaults[name]
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// TestReadManifests_strict shows that a misspelt field fails the decoding.
func TestReadManifests_strict(t *testing.T) {
	doc := []byte("apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      terminationGracePeriod: 30\n")
	if err := yaml.UnmarshalStrict(doc, &appsv1.Deployment{}); err == nil || !strings.Contains(err.Error(), "terminationGracePeriod") {
		t.Errorf("UnmarshalStrict = %v, want an unknown-field error", err)
	}
}

// TestCheckDeployment_catchesDrift shows that the check fails when the
// grace period, a probe or the drain no longer match.
func TestCheckDeployment_catchesDrift(t *testing.T) {
	defaults := lifecycleDefaults(t)
	var web *appsv1.Deployment
	for _, d := range readManifests(t).deployments {
		if d.Name == "shop-web" {
			web = d
		}
	}
	if web == nil {
		t.Fatal("no Deployment shop-web")
	}
	if got := checkDeployment(web, defaults, true); len(got) != 0 {
		t.Fatalf("shop-web: %q, want no problem", got)
	}
	for _, tc := range []struct {
		name   string
		change func(c *corev1.Container, p *corev1.PodSpec)
		want   string
	}{
		{"grace period at SHUTDOWN_TIMEOUT", func(c *corev1.Container, p *corev1.PodSpec) {
			g := int64(25)
			p.TerminationGracePeriodSeconds = &g
		}, "terminationGracePeriodSeconds"},
		{"longer SHUTDOWN_TIMEOUT", func(c *corev1.Container, p *corev1.PodSpec) {
			c.Env = append(c.Env, corev1.EnvVar{Name: "SHUTDOWN_TIMEOUT", Value: "40s"})
		}, "SHUTDOWN_TIMEOUT (40s)"},
		{"a preStop sleep on top", func(c *corev1.Container, p *corev1.PodSpec) {
			c.Lifecycle = &corev1.Lifecycle{PreStop: &corev1.LifecycleHandler{Sleep: &corev1.SleepAction{Seconds: 10}}}
		}, "preStop (10s)"},
		{"readiness on /healthz", func(c *corev1.Container, p *corev1.PodSpec) {
			r := *c.ReadinessProbe
			g := *r.HTTPGet
			g.Path = "/healthz"
			r.HTTPGet = &g
			c.ReadinessProbe = &r
		}, `path "/healthz"`},
		{"a TCP readiness probe", func(c *corev1.Container, p *corev1.PodSpec) {
			c.ReadinessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}}
		}, "never sees the 503"},
		{"a slow kubelet probe", func(c *corev1.Container, p *corev1.PodSpec) {
			r := *c.ReadinessProbe
			r.PeriodSeconds = 20
			c.ReadinessProbe = &r
		}, "shorter than DRAIN_DELAY"},
		{"a drain as long as the timeout", func(c *corev1.Container, p *corev1.PodSpec) {
			c.Env = append(c.Env, corev1.EnvVar{Name: "DRAIN_DELAY", Value: "25s"})
		}, "DRAIN_DELAY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := web.DeepCopy()
			tc.change(&d.Spec.Template.Spec.Containers[0], &d.Spec.Template.Spec)
			got := checkDeployment(d, defaults, true)
			if len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), tc.want) {
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
