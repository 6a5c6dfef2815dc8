package config_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

// contract is a struct with a field of every kind the schema restricts.
type contract struct {
	Port     int                 `env:"PORT" envDefault:"8080" desc:"port to listen on"`
	Admin    uint16              `env:"ADMIN_PORT"`
	Count    int8                `env:"COUNT"`
	Big      uint64              `env:"BIG"`
	Ratio    float64             `env:"RATIO"`
	On       bool                `env:"ON"`
	Wait     time.Duration       `env:"WAIT" envDefault:"1s"`
	Waits    []time.Duration     `env:"WAITS" envSeparator:";"`
	Ports    []int               `env:"PORTS"`
	Level    slog.Level          `env:"LEVEL"`
	Mode     mode                `env:"MODE"`
	Home     url.URL             `env:"HOME_URL"`
	Name     string              `env:"NAME,required" desc:"the name"`
	Token    config.Secret       `env:"TOKEN,notEmpty"`
	Renamed  string              `env:"NEW_NAME" envOld:"OLD_NAME, OLDER_NAME"`
	Password string              `env:"DB_PASSWORD"`
	DB       backing.PostgresURL `env:"PG_URL"`
	Cache    backing.RedisURL    `env:"CACHE_URL"`
}

// Validate holds PORT to a port's range, as lifecycle.Config does.
func (c *contract) Validate() error {
	if c.Port < 0 || c.Port > 65535 {
		return &config.FieldError{Var: "PORT", Problem: "out of range", Want: "a port from 0 to 65535"}
	}
	return nil
}

// mode is an enumerated type that trims and ignores case.
type mode string

func (m *mode) UnmarshalText(b []byte) error {
	switch s := strings.ToLower(strings.TrimSpace(string(b))); s {
	case "fast", "slow":
		*m = mode(s)
		return nil
	}
	return &config.FieldError{Problem: "not a mode", Want: "fast or slow"}
}

func (mode) EnumValues() []string { return []string{"fast", "slow"} }

// TestDescribe_contract checks the facts Describe adds for tools.
func TestDescribe_contract(t *testing.T) {
	doc, err := config.Describe(contract{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]config.Var{}
	for _, v := range doc.Vars {
		by[v.Name] = v
	}
	for _, tc := range []struct{ name, goType, format string }{
		{"PORT", "int", "port"}, {"ADMIN_PORT", "uint16", "port"}, {"COUNT", "int8", "integer"},
		{"RATIO", "float64", "number"}, {"ON", "bool", "boolean"}, {"WAIT", "time.Duration", "duration"},
		{"WAITS", "[]time.Duration", "duration"}, {"PORTS", "[]int", "integer"}, {"LEVEL", "slog.Level", "log-level"},
		{"MODE", "config_test.mode", "enum"}, {"HOME_URL", "url.URL", "url"}, {"NAME", "string", ""},
		{"TOKEN", "config.Secret", "secret"},
	} {
		v := by[tc.name]
		if v.GoType != tc.goType || v.Format != tc.format {
			t.Errorf("%s: GoType %q Format %q, want %q %q", tc.name, v.GoType, v.Format, tc.goType, tc.format)
		}
	}
	if v := by["WAITS"]; v.Separator != ";" {
		t.Errorf("WAITS: Separator %q, want ;", v.Separator)
	}
	if v := by["MODE"]; strings.Join(v.Values, ",") != "fast,slow" {
		t.Errorf("MODE: Values %q", v.Values)
	}
	if v := by["NEW_NAME"]; strings.Join(v.OldNames, ",") != "OLD_NAME,OLDER_NAME" {
		t.Errorf("NEW_NAME: OldNames %q, want OLD_NAME and OLDER_NAME", v.OldNames)
	}
	if v := by["NAME"]; v.FileVar != "NAME_FILE" {
		t.Errorf("NAME: FileVar %q", v.FileVar)
	}
	// Prefixes reach the old names too.
	doc, err = config.Describe(contract{}, config.WithPrefix("APP_"))
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range doc.Vars {
		if v.Name == "APP_NEW_NAME" && strings.Join(v.OldNames, ",") != "APP_OLD_NAME,APP_OLDER_NAME" {
			t.Errorf("with a prefix: OldNames %q", v.OldNames)
		}
	}
}

// TestPattern_agreesWithLoad holds each variable's Pattern to what Load
// accepts: a value Load reads matches it, a value Load refuses does not.
func TestPattern_agreesWithLoad(t *testing.T) {
	doc, err := config.Describe(contract{})
	if err != nil {
		t.Fatal(err)
	}
	patterns := map[string]*regexp.Regexp{}
	for _, v := range doc.Vars {
		if v.Pattern != "" {
			patterns[v.Name] = regexp.MustCompile(v.Pattern)
		}
	}
	values := map[string][]string{
		"PORT":       {"", "0", "8080", "65535", "08080", "65536", "-1", "abc", "80 ", "1e3", "99999"},
		"ADMIN_PORT": {"9090", "65535", "65536", "+1", "-1"},
		"COUNT":      {"127", "-128", "+5", "1.5", "x"},
		"BIG":        {"18446744073709551615", "+1", "-1", "1_0"},
		"RATIO":      {"0.5", ".5", "5.", "1e-3", "-Inf", "NaN", "infinity", "1,5", "0x1p-2", "abc"},
		"ON":         {"true", "1", "T", "False", "yes", "on", "TrUe"},
		"WAIT":       {"1s", "1h30m", "0", "-1.5ms", "300µs", "1", "1d", "s", ".5s", "1.s"},
		"WAITS":      {"1s;2m", "1s", "1s;", "1s,2m", ";"},
		"PORTS":      {"1,2,3", "1", "1,,2", "1;2"},
		"LEVEL":      {"info", "WARN", "debug-4", "Error+2", "fatal", "info+", "INFO+x"},
		"MODE":       {"fast", " SLOW\n", "medium"},
		"PG_URL": {"postgres://db/x", "postgresql://u:p%40ss@h:5/d?sslmode=require", "POSTGRES://db/x", "pg://db/x",
			"postgres://%zz", "postgres://db/x%2", "redis://cache", "postgres://db/\x01", "db/x"},
		"CACHE_URL": {"redis://cache:6379/0", "rediss://u:p@cache", "unix:///run/redis.sock", "postgres://db/x", "redis://c/%zz"},
	}
	for name, vs := range values {
		re := patterns[name]
		if re == nil {
			t.Errorf("%s: no pattern", name)
			continue
		}
		for _, v := range vs {
			env := map[string]string{"NAME": "n", "TOKEN": "t", name: v}
			_, err := config.Load[contract](config.WithEnvironment(env))
			loads := err == nil
			if loads != re.MatchString(v) {
				t.Errorf("%s=%q: Load accepts it: %v; pattern %s matches it: %v", name, v, loads, re, re.MatchString(v))
			}
		}
	}
}

// TestWriteJSONSchema checks the schema's shape: the draft, each property's
// keywords, the deprecated old names and the required alternatives.
func TestWriteJSONSchema(t *testing.T) {
	doc, err := config.Describe(contract{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := doc.WriteJSONSchema(&b); err != nil {
		t.Fatal(err)
	}
	var s struct {
		Schema     string                    `json:"$schema"`
		Type       string                    `json:"type"`
		Properties map[string]map[string]any `json:"properties"`
		AllOf      []map[string]any          `json:"allOf"`
	}
	if err := json.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if s.Schema != config.JSONSchemaURI || s.Type != "object" {
		t.Errorf("$schema %q type %q", s.Schema, s.Type)
	}
	p := s.Properties
	if p["PORT"]["default"] != "8080" || p["PORT"]["x-format"] != "port" || p["PORT"]["description"] != "port to listen on" {
		t.Errorf("PORT: %v", p["PORT"])
	}
	if _, ok := p["TOKEN"]["default"]; ok || p["TOKEN"]["x-secret"] != true || p["TOKEN"]["x-required"] != true {
		t.Errorf("TOKEN: %v", p["TOKEN"])
	}
	if p["DB_PASSWORD"]["x-secret"] != true {
		t.Errorf("DB_PASSWORD: a credential's name must be marked secret: %v", p["DB_PASSWORD"])
	}
	if p["OLD_NAME"]["deprecated"] != true || p["OLD_NAME"]["x-renamed-to"] != "NEW_NAME" || p["OLDER_NAME"]["deprecated"] != true {
		t.Errorf("old names: %v %v", p["OLD_NAME"], p["OLDER_NAME"])
	}
	if _, ok := p["NEW_NAME"]["deprecated"]; ok {
		t.Errorf("NEW_NAME is marked deprecated: %v", p["NEW_NAME"])
	}
	if p["NAME_FILE"]["x-file-of"] != "NAME" {
		t.Errorf("NAME_FILE: %v", p["NAME_FILE"])
	}
	if _, ok := p["WAIT"]["x-required"]; ok {
		t.Errorf("WAIT is not required: %v", p["WAIT"])
	}
	var required []string
	for _, a := range s.AllOf {
		alts, ok := a["anyOf"].([]any)
		if !ok {
			continue
		}
		first := alts[0].(map[string]any)["required"].([]any)[0].(string)
		required = append(required, first)
		if first == "NAME" && len(alts) != 2 {
			t.Errorf("NAME: %d alternatives, want NAME and NAME_FILE", len(alts))
		}
	}
	if strings.Join(required, ",") != "NAME,TOKEN" {
		t.Errorf("required %q, want NAME and TOKEN", required)
	}
	if strings.Contains(b.String(), "\"default\": \"\"") && !strings.Contains(b.String(), "x-") {
		t.Error("unexpected output")
	}
}

// TestFragments checks the deploy fragments: secrets by reference only,
// required variables marked as such, defaults where they apply.
func TestFragments(t *testing.T) {
	type svc struct {
		Port int           `env:"PORT" envDefault:"8080"`
		DB   string        `env:"DATABASE_URL,required" desc:"the database"`
		Key  config.Secret `env:"API_KEY" envDefault:"dev-key"`
		Cost string        `env:"COST" envDefault:"$5" public:"true"`
	}
	doc, err := config.Describe(svc{})
	if err != nil {
		t.Fatal(err)
	}
	var k, c, a bytes.Buffer
	if err := doc.WriteKubernetes(&k, "shop"); err != nil {
		t.Fatal(err)
	}
	if err := doc.WriteCompose(&c); err != nil {
		t.Fatal(err)
	}
	if err := doc.WriteAppJSON(&a); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{k.String(), c.String(), a.String()} {
		if strings.Contains(out, "dev-key") {
			t.Errorf("a secret's default is shown:\n%s", out)
		}
	}
	for _, want := range []string{"kind: ConfigMap", `"DATABASE_URL": ""`, `# "PORT": "8080"`,
		"secretKeyRef:", `key: "API_KEY"`, "optional: true", "configMapRef:"} {
		if !strings.Contains(k.String(), want) {
			t.Errorf("Kubernetes fragment lacks %q:\n%s", want, k.String())
		}
	}
	for _, want := range []string{`"DATABASE_URL": "${DATABASE_URL:?set DATABASE_URL}"`, `"PORT": "${PORT:-8080}"`,
		`"API_KEY": "${API_KEY:-}"`, `"COST": "${COST:-$$5}"`} {
		if !strings.Contains(c.String(), want) {
			t.Errorf("compose fragment lacks %q:\n%s", want, c.String())
		}
	}
	var app struct {
		Env map[string]struct {
			Description string  `json:"description"`
			Value       *string `json:"value"`
			Required    bool    `json:"required"`
		} `json:"env"`
	}
	if err := json.Unmarshal(a.Bytes(), &app); err != nil {
		t.Fatal(err)
	}
	if e := app.Env["DATABASE_URL"]; !e.Required || e.Description != "the database" || e.Value != nil {
		t.Errorf("app.json DATABASE_URL: %+v", e)
	}
	if e := app.Env["PORT"]; e.Required || e.Value == nil || *e.Value != "8080" {
		t.Errorf("app.json PORT: %+v", e)
	}
	if e := app.Env["API_KEY"]; e.Value != nil {
		t.Errorf("app.json API_KEY has a value")
	}
}

// A default the printing rule masks is left out of the contract and the
// fragments: writing the mask would set the variable to it.
func TestFragments_maskedDefaultLeftOut(t *testing.T) {
	type svc struct {
		Region string `env:"REGION" envDefault:"eu-west-1"`
		DB     string `env:"DB" envDefault:"postgres://u:hunter2@db/app"`
	}
	doc, err := config.Describe(svc{})
	if err != nil {
		t.Fatal(err)
	}
	var k, c, a, s bytes.Buffer
	for _, err := range []error{doc.WriteKubernetes(&k, "x"), doc.WriteCompose(&c), doc.WriteAppJSON(&a), doc.WriteJSONSchema(&s)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, out := range []string{k.String(), c.String(), a.String(), s.String()} {
		if strings.Contains(out, config.Redacted) || strings.Contains(out, "hunter2") || strings.Contains(out, "eu-west-1") {
			t.Errorf("a masked default reached the output:\n%s", out)
		}
	}
	if !strings.Contains(c.String(), `"REGION": "${REGION:-}"`) {
		t.Errorf("compose fragment does not leave REGION empty:\n%s", c.String())
	}
}
