package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// contract is a service's contract as config.Doc.WriteJSONSchema exports
// it: the variables it reads, by name.
type contract struct {
	name string // the service, from the file's name
	vars map[string]*contractVar
	// order lists the names as the schema gives them.
	order []string
	// owned are the name prefixes the service owns: the first word (up to
	// and including "_") shared by two or more of its variables.
	owned map[string]bool
}

// contractVar is one property of the schema.
type contractVar struct {
	Name        string
	Description string   `json:"description"`
	Default     *string  `json:"default"`
	Pattern     string   `json:"pattern"`
	Deprecated  bool     `json:"deprecated"`
	RenamedTo   string   `json:"x-renamed-to"`
	OldNames    []string `json:"x-old-names"`
	Type        string   `json:"x-type"`
	GoType      string   `json:"x-go-type"`
	Format      string   `json:"x-format"`
	Schemes     []string `json:"x-url-schemes"`
	Enum        []string `json:"x-enum"`
	Separator   string   `json:"x-list-separator"`
	Required    bool     `json:"x-required"`
	Secret      bool     `json:"x-secret"`
	File        bool     `json:"x-file"`
	FileOf      string   `json:"x-file-of"`
	FileVar     string   `json:"x-file-variable"`

	re *regexp.Regexp // Pattern, compiled
}

// readContract reads a schema file.
func readContract(path string) (*contract, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the schema: %w", err)
	}
	var s struct {
		Schema     string                     `json:"$schema"`
		Title      string                     `json:"title"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: not a JSON Schema: %v; give the output of config -schema (or config.Doc.WriteJSONSchema)", path, err)
	}
	if s.Properties == nil {
		return nil, fmt.Errorf("%s: a JSON Schema without properties; give the output of config -schema (or config.Doc.WriteJSONSchema)", path)
	}
	c := &contract{vars: map[string]*contractVar{}, owned: map[string]bool{}}
	c.name = s.Title
	if c.name == "" {
		c.name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".json"), ".schema")
	}
	// The order of the properties, as written.
	dec := json.NewDecoder(strings.NewReader(string(b)))
	c.order = propertyOrder(dec)
	for name, raw := range s.Properties {
		v := &contractVar{Name: name}
		if err := json.Unmarshal(raw, v); err != nil {
			return nil, fmt.Errorf("%s: property %s: %v", path, name, err)
		}
		if v.Pattern != "" {
			if v.re, err = regexp.Compile(v.Pattern); err != nil {
				return nil, fmt.Errorf("%s: property %s: the pattern does not compile: %v", path, name, err)
			}
		}
		c.vars[name] = v
	}
	if len(c.order) != len(c.vars) {
		c.order = c.order[:0]
		for name := range c.vars {
			c.order = append(c.order, name)
		}
		slices.Sort(c.order)
	}
	words := map[string]int{}
	for _, name := range c.order {
		if v := c.vars[name]; v.FileOf != "" {
			continue
		}
		if i := strings.IndexByte(name, '_'); i > 0 {
			words[name[:i+1]]++
		}
	}
	for w, n := range words {
		if n >= 2 {
			c.owned[w] = true
		}
	}
	return c, nil
}

// propertyOrder returns the keys of the top-level "properties" object in
// the order of the file, or nil when the file is not shaped as expected.
func propertyOrder(dec *json.Decoder) []string {
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		key, _ := t.(string)
		if key != "properties" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return nil
		}
		var out []string
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				return nil
			}
			name, _ := t.(string)
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			out = append(out, name)
		}
		return out
	}
	return nil
}

// current returns the variable a name sets: itself, or for an old name
// the variable it was renamed to, or for a NAME_FILE the variable it holds.
func (c *contract) current(name string) *contractVar {
	v := c.vars[name]
	switch {
	case v == nil:
		return nil
	case v.RenamedTo != "":
		return c.vars[v.RenamedTo]
	case v.FileOf != "":
		return c.vars[v.FileOf]
	}
	return v
}

// ownsPrefix reports whether name starts with a prefix the service owns.
func (c *contract) ownsPrefix(name string) bool {
	if i := strings.IndexByte(name, '_'); i > 0 {
		return c.owned[name[:i+1]]
	}
	return false
}

// closest returns the declared name nearest to name, or "" when none is
// near: an edit distance of at most 2, or 3 for names of 12 letters or
// more, and less than half the name.
func (c *contract) closest(name string) string {
	best, bestD := "", 1<<30
	limit := 2
	if len(name) >= 12 {
		limit = 3
	}
	for _, n := range c.order {
		if v := c.vars[n]; v.Deprecated {
			continue
		}
		d := distance(strings.ToUpper(name), n)
		if d < bestD || (d == bestD && n < best) {
			best, bestD = n, d
		}
	}
	if bestD <= limit && 2*bestD < len(name) {
		return best
	}
	return ""
}

// distance is the edit distance of a and b, an adjacent transposition
// counting as one edit (DBEUG is one edit from DEBUG).
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
