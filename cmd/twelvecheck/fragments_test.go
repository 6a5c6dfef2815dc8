package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/config"
	"go.yaml.in/yaml/v3"
)

// TestFragments_passDeploy: the fragments config writes are YAML that, once
// the required values are filled in, pass twelvecheck deploy against the
// same contract.
func TestFragments_passDeploy(t *testing.T) {
	schema := writeSchema(t, "orders", ordersConfig{})
	doc, err := config.Describe(ordersConfig{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()

	// Kubernetes: the ConfigMap, and the env to paste into a container.
	var k bytes.Buffer
	if err := doc.WriteKubernetes(&k, "orders"); err != nil {
		t.Fatal(err)
	}
	filled := strings.Replace(k.String(), `"DATABASE_URL": ""`, `"DATABASE_URL": "postgres://db/orders"`, 1)
	dec := yaml.NewDecoder(strings.NewReader(filled))
	var configMap, envs map[string]any
	if err := dec.Decode(&configMap); err != nil {
		t.Fatalf("the Kubernetes fragment's first document: %v\n%s", err, k.String())
	}
	if err := dec.Decode(&envs); err != nil {
		t.Fatalf("the Kubernetes fragment's second document: %v\n%s", err, k.String())
	}
	container := map[string]any{"name": "app", "args": []string{"migrate"}, "envFrom": envs["envFrom"], "env": envs["env"]}
	secret := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "orders"},
		"stringData": map[string]any{"API_KEY": "k"}}
	job := map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": map[string]any{"name": "migrate"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{container}}}}}
	var manifest bytes.Buffer
	enc := yaml.NewEncoder(&manifest)
	for _, d := range []any{configMap, secret, job} {
		if err := enc.Encode(d); err != nil {
			t.Fatal(err)
		}
	}
	kube := filepath.Join(dir, "kubernetes.yaml")
	if err := os.WriteFile(kube, manifest.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, fs, stderr := deployJSON(t, "-schema", schema, kube)
	if code != 0 || len(errorsOf(fs)) != 0 || len(fs) != 0 {
		t.Errorf("the Kubernetes fragment: exit %d, findings %+v %s\n%s", code, fs, stderr, manifest.String())
	}

	// Compose: every variable from the shell running compose.
	var c bytes.Buffer
	if err := doc.WriteCompose(&c); err != nil {
		t.Fatal(err)
	}
	compose := "services:\n  web:\n    build: .\n    command: web\n" + indent(c.String(), "    ")
	path := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(path, []byte(compose), 0o600); err != nil {
		t.Fatal(err)
	}
	code, fs, stderr = deployJSON(t, "-schema", schema, path)
	if code != 0 || len(errorsOf(fs)) != 0 {
		t.Errorf("the compose fragment: exit %d, errors %+v %s\n%s", code, errorsOf(fs), stderr, compose)
	}

	// app.json: required variables asked for, the rest at their defaults.
	var a bytes.Buffer
	if err := doc.WriteAppJSON(&a); err != nil {
		t.Fatal(err)
	}
	appDir := filepath.Join(dir, "heroku")
	if err := os.Mkdir(appDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(appDir, "app.json"), a.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	code, fs, stderr = deployJSON(t, "-schema", schema, appDir)
	if code != 0 || len(errorsOf(fs)) != 0 {
		t.Errorf("the app.json fragment: exit %d, errors %+v %s\n%s", code, errorsOf(fs), stderr, a.String())
	}
}

func indent(s, by string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		b.WriteString(by + line)
	}
	return b.String()
}
