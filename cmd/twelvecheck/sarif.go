package main

import (
	"encoding/json"
	"io"
	"path/filepath"
)

// writeSARIF writes the findings as a SARIF 2.1.0 log, one result each, for
// code-scanning tools (GitHub's among them).
func writeSARIF(w io.Writer, fs []finding) error {
	type text struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string `json:"id"`
		ShortDescription text   `json:"shortDescription"`
	}
	type region struct {
		StartLine int `json:"startLine"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region region `json:"region"`
		} `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string            `json:"ruleId"`
		Level      string            `json:"level"`
		Message    text              `json:"message"`
		Locations  []location        `json:"locations"`
		Properties map[string]string `json:"properties,omitempty"`
	}
	rules := make([]rule, len(ruleText))
	for i, r := range ruleText {
		rules[i] = rule{ID: r[0], ShortDescription: text{r[1]}}
	}
	results := make([]result, 0, len(fs))
	for _, f := range fs {
		var loc location
		loc.PhysicalLocation.ArtifactLocation.URI = filepath.ToSlash(f.File)
		loc.PhysicalLocation.Region.StartLine = max(f.Line, 1)
		msg := f.Message
		if f.Variable != "" {
			msg = f.Variable + ": " + msg
		}
		props := map[string]string{"workload": f.Workload}
		if f.Container != "" {
			props["container"] = f.Container
		}
		if f.Process != "" {
			props["process"] = f.Process
		}
		if f.Variable != "" {
			props["variable"] = f.Variable
		}
		results = append(results, result{RuleID: f.Code, Level: f.Level, Message: text{f.Kind + " " + f.Workload + ": " + msg},
			Locations: []location{loc}, Properties: props})
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool": map[string]any{"driver": map[string]any{
				"name":           "twelvecheck",
				"informationUri": "https://github.com/twelvekit/twelvekit",
				"rules":          rules,
			}},
			"results": results,
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}
