package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/joho/godotenv"
	"go.yaml.in/yaml/v3"
)

// The deploy formats other than Kubernetes: docker-compose, app.json,
// fly.toml, and a Procfile with its .env.

// isCompose tells a compose file from Kubernetes YAML: its name, or a
// top-level services mapping and no kind.
func isCompose(path string, b []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose") {
		return true
	}
	var top map[string]any
	if yaml.Unmarshal(b, &top) != nil {
		return false
	}
	_, services := top["services"]
	_, kind := top["kind"]
	return services && !kind
}

type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Command     yaml.Node `yaml:"command"`
	Entrypoint  yaml.Node `yaml:"entrypoint"`
	Environment yaml.Node `yaml:"environment"`
	EnvFile     yaml.Node `yaml:"env_file"`
	Build       yaml.Node `yaml:"build"`
}

// readCompose reads a compose file's services.
func readCompose(file string, b []byte) ([]*workload, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: not YAML: %v", file, yamlError(err))
	}
	var cf composeFile
	if err := root.Decode(&cf); err != nil {
		return nil, fmt.Errorf("%s: not a compose file: %v", file, yamlError(err))
	}
	lines := map[string]int{}
	if len(root.Content) > 0 {
		top := root.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "services" {
				svcs := top.Content[i+1]
				for j := 0; j+1 < len(svcs.Content); j += 2 {
					lines[svcs.Content[j].Value] = svcs.Content[j].Line
				}
			}
		}
	}
	var out []*workload
	for _, name := range slices.Sorted(mapKeys(cf.Services)) {
		s := cf.Services[name]
		// A service built from the repository is the service's own; one
		// run from an image only when it sets a variable of the contract.
		w := &workload{file: file, doc: 1, line: lines[name], kind: "compose service", name: name, optional: s.Build.Kind == 0}
		command := words(&s.Command)
		if entry := words(&s.Entrypoint); len(entry) > 0 {
			w.process = processType(entry, command)
		} else if len(command) == 1 {
			w.process = command[0]
		} else {
			w.process = processType(command, nil)
		}
		for _, f := range words(&s.EnvFile) {
			path := f
			if !filepath.IsAbs(path) {
				path = filepath.Join(filepath.Dir(file), f)
			}
			m, err := godotenv.Read(path)
			if err != nil {
				w.unresolved = append(w.unresolved, "the env_file "+f+" (not readable)")
				continue
			}
			for _, k := range slices.Sorted(mapKeys(m)) {
				w.set(k, &setting{value: m[k], known: true, line: w.line})
			}
		}
		env := &s.Environment
		set := func(k, v string, literal bool, line int) {
			st := &setting{line: line, plain: true, where: "the compose environment"}
			switch {
			case !literal:
				st.plain, st.why = false, "the shell running compose"
			case strings.Contains(strings.ReplaceAll(v, "$$", ""), "$"):
				st.plain, st.why = false, "compose's interpolation from the shell"
			default:
				st.value, st.known = strings.ReplaceAll(v, "$$", "$"), true
			}
			w.set(k, st)
		}
		switch env.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(env.Content); i += 2 {
				k, v := env.Content[i], env.Content[i+1]
				set(k.Value, v.Value, v.Tag != "!!null", k.Line)
			}
		case yaml.SequenceNode:
			for _, item := range env.Content {
				k, v, ok := strings.Cut(item.Value, "=")
				set(k, v, ok, item.Line)
			}
		}
		out = append(out, w)
	}
	return out, nil
}

// words reads a compose field that is a string or a list of strings.
func words(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return nil
		}
		return strings.Fields(n.Value)
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode {
				// env_file: [{path: .env, required: false}]
				for i := 0; i+1 < len(c.Content); i += 2 {
					if c.Content[i].Value == "path" {
						out = append(out, c.Content[i+1].Value)
					}
				}
				continue
			}
			out = append(out, c.Value)
		}
		return out
	}
	return nil
}

// readAppJSON reads the env of a Heroku-style app.json: a variable with a
// value is a literal, one without is asked for when the app is created.
func readAppJSON(file string, b []byte) ([]*workload, error) {
	var app struct {
		Name string                     `json:"name"`
		Env  map[string]json.RawMessage `json:"env"`
	}
	if err := json.Unmarshal(b, &app); err != nil {
		return nil, fmt.Errorf("%s: not an app.json: %v", file, err)
	}
	name := app.Name
	if name == "" {
		name = filepath.Base(filepath.Dir(file))
	}
	w := &workload{file: file, doc: 1, line: 1, kind: "app.json", name: name}
	for _, k := range slices.Sorted(mapKeys(app.Env)) {
		raw := app.Env[k]
		st := &setting{plain: true, where: "app.json's value"}
		var s string
		var obj struct {
			Value     *string `json:"value"`
			Generator string  `json:"generator"`
			Required  *bool   `json:"required"`
		}
		switch {
		case json.Unmarshal(raw, &s) == nil:
			st.value, st.known = s, true
		case json.Unmarshal(raw, &obj) == nil:
			switch {
			case obj.Value != nil:
				st.value, st.known = *obj.Value, true
			case obj.Generator != "":
				st.plain, st.why = false, "app.json's generator"
			case obj.Required != nil && !*obj.Required:
				continue // asked for, but may be left unset
			default:
				st.plain, st.why = false, "the value asked for when the app is created"
			}
		default:
			return nil, fmt.Errorf("%s: env %s is neither a string nor an object", file, k)
		}
		w.set(k, st)
	}
	return []*workload{w}, nil
}

// readFly reads a fly.toml: [env] for every process of [processes] (or the
// one app). Variables set with fly secrets are not in the file.
func readFly(file string, b []byte) ([]*workload, error) {
	var f struct {
		App       string            `toml:"app"`
		Env       map[string]any    `toml:"env"`
		Processes map[string]string `toml:"processes"`
	}
	if _, err := toml.Decode(string(b), &f); err != nil {
		// The parser's words may quote the file; its line does not.
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s:%d: not TOML, or [env] and [processes] not tables of strings", file, pe.Position.Line)
		}
		return nil, fmt.Errorf("%s: not TOML, or [env] and [processes] not tables of strings", file)
	}
	procs := slices.Sorted(mapKeys(f.Processes))
	if len(procs) == 0 {
		procs = []string{""}
	}
	lines := tomlLines(b)
	var out []*workload
	for _, p := range procs {
		name := f.App
		if name == "" {
			name = "fly app"
		}
		w := &workload{file: file, doc: 1, line: 1, kind: "fly app", name: name, process: p,
			unresolved: []string{"fly secrets (not in the files)"}}
		if p != "" {
			w.container = p
		}
		for _, k := range slices.Sorted(mapKeys(f.Env)) {
			w.set(k, &setting{value: fmt.Sprint(f.Env[k]), known: true, plain: true, where: "fly.toml's [env]", line: lines[k]})
		}
		out = append(out, w)
	}
	return out, nil
}

// tomlLines finds the line of each key of the [env] table, for messages.
func tomlLines(b []byte) map[string]int {
	out := map[string]int{}
	in := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = line == "[env]"
			continue
		}
		if k, _, ok := strings.Cut(line, "="); in && ok {
			out[strings.Trim(strings.TrimSpace(k), `"'`)] = n
		}
	}
	return out
}

// readProcfile reads a Procfile's process types, each with the .env file
// beside it, as heroku local and foreman run them.
func readProcfile(file string, b []byte) ([]*workload, error) {
	dotenv := filepath.Join(filepath.Dir(file), ".env")
	var env map[string]string
	if _, err := os.Stat(dotenv); err == nil {
		m, err := godotenv.Read(dotenv)
		if err != nil {
			// godotenv's words quote the line, which may hold a secret.
			return nil, fmt.Errorf("%s: not a .env file godotenv reads; check its syntax", dotenv)
		}
		env = m
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: cannot read: %v", dotenv, err)
	}
	var out []*workload
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cmd, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(cmd) == "" {
			return nil, fmt.Errorf("%s:%d: not NAME: COMMAND", file, n)
		}
		// The process type is the command's (release: shop migrate runs
		// migrate), else the Procfile's name.
		proc := processType(strings.Fields(cmd), nil)
		if proc == "" {
			proc = strings.TrimSpace(name)
		}
		w := &workload{file: file, doc: 1, line: n, kind: "Procfile", name: strings.TrimSpace(name), process: proc}
		for _, k := range slices.Sorted(mapKeys(env)) {
			w.set(k, &setting{value: env[k], known: true, line: n})
		}
		out = append(out, w)
	}
	return out, sc.Err()
}
