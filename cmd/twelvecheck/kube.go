package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kubernetes objects, decoded into small structs of the fields the checks
// read (not k8s.io/api, which costs minutes to compile): unknown fields are
// ignored, so any version of a manifest reads.

type kubeObject struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name      string `yaml:"name"`
		Namespace string `yaml:"namespace"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Items      []yaml.Node       `yaml:"items"`
	Spec       yaml.Node         `yaml:"spec"`
}

type podTemplate struct {
	Template struct {
		Spec podSpec `yaml:"spec"`
	} `yaml:"template"`
}

type cronJobSpec struct {
	JobTemplate struct {
		Spec podTemplate `yaml:"spec"`
	} `yaml:"jobTemplate"`
}

type podSpec struct {
	TerminationGracePeriodSeconds *int64          `yaml:"terminationGracePeriodSeconds"`
	Containers                    []kubeContainer `yaml:"containers"`
}

type kubeContainer struct {
	Name    string   `yaml:"name"`
	Command []string `yaml:"command"`
	Args    []string `yaml:"args"`
	Env     []envVar `yaml:"env"`
	EnvFrom []struct {
		Prefix       string   `yaml:"prefix"`
		ConfigMapRef *nameRef `yaml:"configMapRef"`
		SecretRef    *nameRef `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	ReadinessProbe *probe `yaml:"readinessProbe"`
	LivenessProbe  *probe `yaml:"livenessProbe"`
	Lifecycle      *struct {
		PreStop *struct {
			Sleep *struct {
				Seconds int64 `yaml:"seconds"`
			} `yaml:"sleep"`
			Exec *struct {
				Command []string `yaml:"command"`
			} `yaml:"exec"`
			HTTPGet *struct{} `yaml:"httpGet"`
		} `yaml:"preStop"`
	} `yaml:"lifecycle"`
}

type nameRef struct {
	Name     string `yaml:"name"`
	Optional bool   `yaml:"optional"`
}

type keyRef struct {
	Name     string `yaml:"name"`
	Key      string `yaml:"key"`
	Optional bool   `yaml:"optional"`
}

type envVar struct {
	Name      string `yaml:"name"`
	Value     string `yaml:"value"`
	ValueFrom *struct {
		ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef"`
		SecretKeyRef    *keyRef `yaml:"secretKeyRef"`
		FieldRef        *struct {
			FieldPath string `yaml:"fieldPath"`
		} `yaml:"fieldRef"`
		ResourceFieldRef *struct {
			Resource string `yaml:"resource"`
		} `yaml:"resourceFieldRef"`
	} `yaml:"valueFrom"`
	line int
}

// UnmarshalYAML keeps the line of the entry.
func (e *envVar) UnmarshalYAML(n *yaml.Node) error {
	type plain envVar
	var p plain
	if err := n.Decode(&p); err != nil {
		return err
	}
	*e = envVar(p)
	e.line = n.Line
	return nil
}

type probe struct {
	HTTPGet *struct {
		Path string    `yaml:"path"`
		Port intOrName `yaml:"port"`
	} `yaml:"httpGet"`
	PeriodSeconds int `yaml:"periodSeconds"`
}

// intOrName is a port given as a number or as a container port's name.
type intOrName string

// UnmarshalYAML reads either form as text.
func (p *intOrName) UnmarshalYAML(n *yaml.Node) error {
	*p = intOrName(n.Value)
	return nil
}

func (p intOrName) String() string { return strconv.Quote(string(p)) }

// resolve returns the number of a probe's port.
func (f *podFacts) resolve(p intOrName) (int, bool) {
	if n, err := strconv.Atoi(string(p)); err == nil {
		return n, true
	}
	n, ok := f.ports[string(p)]
	return n, ok
}

// kube gathers the workloads of Kubernetes files and the ConfigMaps and
// Secrets that resolve their references.
type kube struct {
	configMaps map[string]map[string]string
	secrets    map[string]map[string]string
	pending    []pendingPod
}

type pendingPod struct {
	file      string
	doc, line int
	kind      string
	name      string
	namespace string
	spec      podSpec
	batch     bool
}

// read decodes every document of a file.
func (k *kube) read(file string, b []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for doc := 1; ; doc++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s, document %d: not YAML: %v", file, doc, yamlError(err))
		}
		if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
			continue // an empty document (Helm's output has some)
		}
		if err := k.object(file, doc, n.Content[0]); err != nil {
			return err
		}
	}
}

func (k *kube) object(file string, doc int, n *yaml.Node) error {
	var o kubeObject
	if err := n.Decode(&o); err != nil {
		return fmt.Errorf("%s, document %d: %v", file, doc, yamlError(err))
	}
	p := pendingPod{file: file, doc: doc, line: n.Line, kind: o.Kind, name: o.Metadata.Name, namespace: o.Metadata.Namespace}
	var err error
	switch o.Kind {
	case "List":
		for i := range o.Items {
			if err := k.object(file, doc, &o.Items[i]); err != nil {
				return err
			}
		}
		return nil
	case "ConfigMap":
		k.configMaps[nsName(o.Metadata.Namespace, o.Metadata.Name)] = o.Data
		return nil
	case "Secret":
		m := map[string]string{}
		for key, v := range o.Data {
			d, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
			if derr != nil {
				return fmt.Errorf("%s, document %d: Secret %s: the data of %s is not base64", file, doc, o.Metadata.Name, key)
			}
			m[key] = string(d)
		}
		for key, v := range o.StringData {
			m[key] = v
		}
		k.secrets[nsName(o.Metadata.Namespace, o.Metadata.Name)] = m
		return nil
	case "Pod":
		err = o.Spec.Decode(&p.spec)
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController":
		var t podTemplate
		err = o.Spec.Decode(&t)
		p.spec = t.Template.Spec
	case "Job":
		var t podTemplate
		err = o.Spec.Decode(&t)
		p.spec, p.batch = t.Template.Spec, true
	case "CronJob":
		var t cronJobSpec
		err = o.Spec.Decode(&t)
		p.spec, p.batch = t.JobTemplate.Spec.Template.Spec, true
	default:
		return nil // a Service, an Ingress...: no containers
	}
	if err != nil {
		return fmt.Errorf("%s, document %d: %s %s: %v", file, doc, o.Kind, o.Metadata.Name, yamlError(err))
	}
	k.pending = append(k.pending, p)
	return nil
}

// workloads resolves the pods read, once every file is read.
func (k *kube) workloads() []*workload {
	var out []*workload
	for _, p := range k.pending {
		var ws []*workload
		for i := range p.spec.Containers {
			ws = append(ws, k.container(p, &p.spec.Containers[i]))
		}
		if len(ws) > 1 {
			// A sidecar (a proxy, an agent) reads nothing of the
			// contract: runDeploy skips a container that sets none of it.
			for _, w := range ws {
				w.optional = true
			}
		}
		out = append(out, ws...)
	}
	return out
}

func (k *kube) container(p pendingPod, c *kubeContainer) *workload {
	w := &workload{file: p.file, doc: p.doc, line: p.line, kind: p.kind, name: p.name, container: c.Name,
		process: processType(c.Command, c.Args)}
	facts := &podFacts{grace: p.spec.TerminationGracePeriodSeconds, batch: p.batch, ports: map[string]int{},
		readiness: c.ReadinessProbe, liveness: c.LivenessProbe, containerPorts: len(c.Ports)}
	for _, cp := range c.Ports {
		if cp.Name != "" {
			facts.ports[cp.Name] = cp.ContainerPort
		}
	}
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		h := c.Lifecycle.PreStop
		switch {
		case h.Sleep != nil:
			facts.preStop = time.Duration(h.Sleep.Seconds) * time.Second
		case h.Exec != nil:
			if d, ok := sleepOf(h.Exec.Command); ok {
				facts.preStop = d
			} else {
				facts.preStopUnknown = "an exec that is not a sleep"
			}
		default:
			facts.preStopUnknown = "an httpGet"
		}
	}
	w.pod = facts
	for _, ef := range c.EnvFrom {
		switch {
		case ef.ConfigMapRef != nil:
			data, ok := k.configMaps[nsName(p.namespace, ef.ConfigMapRef.Name)]
			if !ok {
				w.unresolved = append(w.unresolved, "the ConfigMap "+ef.ConfigMapRef.Name+" (not in the files)")
				continue
			}
			for key, v := range data {
				w.set(ef.Prefix+key, &setting{value: v, known: true, plain: true, where: "the ConfigMap " + ef.ConfigMapRef.Name, line: p.line})
			}
		case ef.SecretRef != nil:
			data, ok := k.secrets[nsName(p.namespace, ef.SecretRef.Name)]
			if !ok {
				w.unresolved = append(w.unresolved, "the Secret "+ef.SecretRef.Name+" (not in the files)")
				continue
			}
			for key, v := range data {
				w.set(ef.Prefix+key, &setting{value: v, known: true, line: p.line})
			}
		}
	}
	for _, e := range c.Env {
		if e.Name == "" {
			continue // Kubernetes refuses it; nothing to check
		}
		s := &setting{line: e.line}
		switch vf := e.ValueFrom; {
		case vf == nil:
			s.value, s.plain, s.where = e.Value, true, "the manifest's value:"
			if strings.Contains(e.Value, "$(") {
				s.plain, s.why = false, "a $(VAR) reference"
			} else {
				s.known = true
			}
		case vf.ConfigMapKeyRef != nil:
			s.plain, s.where = true, "the ConfigMap "+vf.ConfigMapKeyRef.Name
			s.value, s.known = lookupRef(k.configMaps, p.namespace, vf.ConfigMapKeyRef)
			s.why = "the ConfigMap " + vf.ConfigMapKeyRef.Name + ", not in the files"
		case vf.SecretKeyRef != nil:
			s.value, s.known = lookupRef(k.secrets, p.namespace, vf.SecretKeyRef)
			s.why = "the Secret " + vf.SecretKeyRef.Name + ", not in the files"
		case vf.FieldRef != nil:
			s.why = "the pod's " + vf.FieldRef.FieldPath
		case vf.ResourceFieldRef != nil:
			s.why = "the container's " + vf.ResourceFieldRef.Resource
		default:
			s.why = "a valueFrom twelvecheck does not read"
		}
		w.set(e.Name, s)
	}
	return w
}

// lookupRef returns the value of a key of a ConfigMap or Secret read from
// the files.
func lookupRef(objs map[string]map[string]string, namespace string, r *keyRef) (string, bool) {
	data, ok := objs[nsName(namespace, r.Name)]
	if !ok {
		return "", false
	}
	v, ok := data[r.Key]
	if !ok {
		// Kubernetes refuses to start the container (unless optional):
		// the variable is then unset.
		return "", true
	}
	return v, true
}

// sleepOf reads the length of an exec preStop hook that sleeps: sleep N,
// or a shell running sleep N.
func sleepOf(cmd []string) (time.Duration, bool) {
	words := cmd
	if len(cmd) == 3 && isShell(cmd[0]) && cmd[1] == "-c" {
		words = strings.Fields(cmd[2])
	}
	if len(words) != 2 || filepath.Base(words[0]) != "sleep" {
		return 0, false
	}
	s := words[1]
	if !strings.ContainsAny(s, "smh") {
		s += "s"
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}

func isShell(s string) bool {
	switch filepath.Base(s) {
	case "sh", "bash", "ash", "dash", "zsh":
		return true
	}
	return false
}

// processType finds the process type a container runs in its command and
// arguments: the first word that is no flag, after the binary when the
// command names one; a shell's -c script is read as its words.
func processType(command, args []string) string {
	words := append(append([]string(nil), command...), args...)
	skip := len(command) > 0
	if len(words) >= 3 && isShell(words[0]) && words[1] == "-c" {
		words, skip = strings.Fields(words[2]), true
		if len(words) > 0 && words[0] == "exec" {
			words = words[1:]
		}
	}
	if skip && len(words) > 0 {
		words = words[1:]
	}
	for _, w := range words {
		if !strings.HasPrefix(w, "-") && !strings.Contains(w, "=") {
			return w
		}
	}
	return ""
}

// nsName keys a ConfigMap or Secret by its namespace ("" for the one the
// files are applied to) and name.
func nsName(namespace, name string) string { return namespace + "/" + name }

// yamlError words a YAML error without the values it quotes (yaml.v3 puts
// the offending scalar between backquotes): a deploy file may hold a
// credential.
func yamlError(err error) string {
	msg := strings.ReplaceAll(err.Error(), " into main.", " into a ")
	var b strings.Builder
	for {
		i := strings.IndexByte(msg, '`')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := strings.IndexByte(msg[i+1:], '`')
		if j < 0 {
			b.WriteString(msg[:i])
			return b.String()
		}
		b.WriteString(msg[:i] + "a value")
		msg = msg[i+1+j+1:]
	}
}
