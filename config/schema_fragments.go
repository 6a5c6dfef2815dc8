package config

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
)

// WriteKubernetes writes what a Kubernetes deploy of the variables needs, as
// two YAML documents. The first is a ConfigMap called name with the
// variables that are no secret: the required ones without a default as
// entries to fill in (left empty, which config reads as unset, so a
// forgotten one fails the load), the others commented out at their defaults.
// The second holds the envFrom and env lists to paste into a container: the
// ConfigMap, and each secret (a [Secret] field or a credential's name) as a
// secretKeyRef to the key of its name in the Secret called name, optional
// unless the variable is required. Values are written as YAML double-quoted
// strings; no secret's default is written.
func (d Doc) WriteKubernetes(w io.Writer, name string) error {
	bw := bufio.NewWriter(w)
	q := yamlQuote
	bw.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + q(name) + "\ndata:")
	var secrets []*Var
	entries := 0
	for i := range d.Vars {
		v := &d.Vars[i]
		if v.isSecret() {
			secrets = append(secrets, v)
			continue
		}
		entries++
		bw.WriteString("\n  # " + commentOf(v) + "\n  ")
		switch {
		case v.effectivelyRequired():
			bw.WriteString(q(v.Name) + ": \"\"")
		case v.usableDefault():
			bw.WriteString("# " + q(v.Name) + ": " + q(v.Default))
		default:
			bw.WriteString("# " + q(v.Name) + ": \"\"")
		}
	}
	if entries == 0 {
		bw.WriteString(" {}")
	}
	bw.WriteString("\n---\n# Paste into the container's spec.\nenvFrom:\n  - configMapRef:\n      name: " + q(name) + "\n")
	if len(secrets) > 0 {
		bw.WriteString("env:\n")
		for _, v := range secrets {
			bw.WriteString("  # " + commentOf(v) + "\n")
			bw.WriteString("  - name: " + q(v.Name) + "\n    valueFrom:\n      secretKeyRef:\n")
			bw.WriteString("        name: " + q(name) + "\n        key: " + q(v.Name) + "\n")
			if !v.effectivelyRequired() {
				bw.WriteString("        optional: true\n")
			}
		}
	}
	return bw.Flush()
}

// WriteCompose writes a docker-compose service's environment mapping: each
// variable taken from the shell that runs compose (or its .env file), with
// ${NAME:?...} for a required one, so compose refuses to start without it,
// and ${NAME:-default} for one with a default. A secret's default is never
// written.
func (d Doc) WriteCompose(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("environment:\n")
	for i := range d.Vars {
		v := &d.Vars[i]
		bw.WriteString("  # " + commentOf(v) + "\n")
		var ref string
		switch {
		case v.effectivelyRequired():
			ref = "${" + v.Name + ":?set " + v.Name + "}"
		case v.usableDefault():
			ref = "${" + v.Name + ":-" + strings.ReplaceAll(v.Default, "$", "$$") + "}"
		default:
			ref = "${" + v.Name + ":-}"
		}
		bw.WriteString("  " + yamlQuote(v.Name) + ": " + yamlQuote(ref) + "\n")
	}
	return bw.Flush()
}

// WriteAppJSON writes the env object of a Heroku-style app.json: for each
// variable its description, whether it is required (app.json's default is
// required, so every variable says), and its default as value, except for
// secrets.
func (d Doc) WriteAppJSON(w io.Writer) error {
	env := make(jsonObject, 0, len(d.Vars))
	for i := range d.Vars {
		v := &d.Vars[i]
		e := jsonObject{}
		desc := v.Description
		if desc == "" {
			desc = v.Type
		}
		e = append(e, jsonMember{"description", desc})
		if v.usableDefault() {
			e = append(e, jsonMember{"value", v.Default})
		}
		e = append(e, jsonMember{"required", v.effectivelyRequired()})
		env = append(env, jsonMember{v.Name, e})
	}
	b, err := json.MarshalIndent(jsonObject{{"env", env}}, "", "  ")
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(b)
	bw.WriteByte('\n')
	return bw.Flush()
}

// commentOf is a one-line comment on a variable: its description and type.
func commentOf(v *Var) string {
	var b strings.Builder
	if v.Description != "" {
		b.WriteString(oneLine(v.Description) + " (")
	}
	b.WriteString(v.Type)
	if v.effectivelyRequired() {
		b.WriteString(", required")
	}
	if v.isSecret() && v.Type != "secret" {
		b.WriteString(", secret")
	}
	if len(v.OldNames) > 0 {
		b.WriteString(", formerly " + strings.Join(v.OldNames, ", "))
	}
	if v.Description != "" {
		b.WriteString(")")
	}
	return b.String()
}

// yamlQuote returns s as a YAML double-quoted scalar: JSON's string syntax,
// which YAML reads the same way.
func yamlQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
