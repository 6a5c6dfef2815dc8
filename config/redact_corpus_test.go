package config_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/redact"
	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// corpusStruct builds a config struct type with one plain string field per
// name of redacttest.Names and per corpus value, each holding a corpus
// value, in the environment or as its default; lists hold them too.
func corpusStruct(t *testing.T, asDefault bool) (reflect.Type, map[string]string) {
	t.Helper()
	vals := redacttest.Values()
	env := map[string]string{}
	var fields []reflect.StructField
	add := func(name, value string, typ reflect.Type, extra string) {
		tag := `env:"` + name + `"` + extra
		if asDefault {
			tag += ` envDefault:` + strconv.Quote(value)
		} else {
			env[name] = value
		}
		fields = append(fields, reflect.StructField{
			Name: fmt.Sprintf("F%d", len(fields)), Type: typ, Tag: reflect.StructTag(tag),
		})
	}
	str := reflect.TypeFor[string]()
	for i, v := range vals {
		if strings.ContainsRune(v, 0) {
			continue
		}
		name := fmt.Sprintf("V%d", i)
		if i < len(redacttest.Names) {
			name = redacttest.Names[i]
		}
		add(name, v, str, "")
	}
	for i, v := range redacttest.Strings() {
		if !strings.ContainsAny(v, "|\x00") {
			add(fmt.Sprintf("LIST%d", i), "first|"+v+"|last", reflect.TypeFor[[]string](), ` envSeparator:"|"`)
		}
	}
	return reflect.StructOf(fields), env
}

// TestCorpus_explainDescribe plants the canary in every credential place
// of the corpus, in variables named as a team might name them, set in the
// environment and as defaults: Explain, Describe and the three renderers
// never show it.
func TestCorpus_explainDescribe(t *testing.T) {
	t.Parallel()
	for _, asDefault := range []bool{false, true} {
		typ, env := corpusStruct(t, asDefault)
		cfg := reflect.New(typ).Interface()
		opts := []config.Option{config.WithEnvironment(env)}
		if err := config.Parse(cfg, opts...); err != nil {
			t.Fatalf("Parse: %v", err)
		}
		settings, err := config.Explain(cfg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		if len(settings) < 300 {
			t.Fatalf("%d settings, want the whole corpus", len(settings))
		}
		for _, s := range settings {
			if redacttest.Leaks(s.Value) || redacttest.Leaks(s.Default) {
				t.Errorf("Explain %s = %q (default %q) shows the canary", s.Name, s.Value, s.Default)
			}
		}
		doc, err := config.Describe(cfg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for name, write := range map[string]func(config.Doc, *bytes.Buffer) error{
			"text":     func(d config.Doc, b *bytes.Buffer) error { return d.WriteText(b) },
			"markdown": func(d config.Doc, b *bytes.Buffer) error { return d.WriteMarkdown(b) },
			"dotenv":   func(d config.Doc, b *bytes.Buffer) error { return d.WriteDotEnv(b) },
		} {
			var b bytes.Buffer
			if err := write(doc, &b); err != nil {
				t.Fatal(err)
			}
			if redacttest.Leaks(b.String()) {
				t.Errorf("Describe's %s output (defaults %v) shows the canary:\n%s", name, asDefault, b.String())
			}
			if asDefault && name == "text" && !strings.Contains(b.String(), `public:"true"`) {
				t.Errorf("help masks defaults without saying how to show them:\n%s", b.String())
			}
		}
	}
}

// TestCorpus_pastedInFile pastes each corpus value where a path belongs,
// in NAME_FILE and in a variable with the file tag option: the report
// names the variable and the kind of path wanted, never the value.
func TestCorpus_pastedInFile(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key   config.Secret `env:"API_KEY"`
		Plain string        `env:"GITHUB_PAT"`
		Cert  string        `env:"TLS_CERT,file"`
	}
	for _, v := range redacttest.Values() {
		if strings.ContainsRune(v, 0) {
			continue
		}
		env := map[string]string{"API_KEY_FILE": v, "GITHUB_PAT_FILE": v + "\n", "TLS_CERT": v}
		var c cfg
		err := config.Parse(&c, config.WithEnvironment(env))
		if err == nil {
			continue // the value happened to name a file
		}
		if redacttest.Leaks(err.Error()) {
			t.Fatalf("the report quotes a pasted value:\n%v", err)
		}
		msg := err.Error()
		for _, want := range []string{"API_KEY_FILE", "GITHUB_PAT_FILE", "TLS_CERT", "the path"} {
			if !strings.Contains(msg, want) {
				t.Errorf("the report does not name %s:\n%s", want, msg)
			}
		}
		var ce *config.Error
		if !errors.As(err, &ce) {
			t.Fatalf("not a *config.Error: %v", err)
		}
		settings, _ := config.Explain(&c, config.WithEnvironment(env))
		for _, s := range settings {
			if redacttest.Leaks(s.Value + s.From) {
				t.Errorf("Explain %s = %q from %q shows the pasted value", s.Name, s.Value, s.From)
			}
		}
	}
}

// TestExplain_showsWhatIsNoCredential: numbers, booleans, durations,
// enums, hosts, and the hosts, ports and database names of URLs stay
// visible, in Explain and in Describe's defaults.
func TestExplain_showsWhatIsNoCredential(t *testing.T) {
	t.Parallel()
	type level int8
	type shown struct {
		Port    int           `env:"PORT" envDefault:"8080"`
		Debug   bool          `env:"DEBUG" envDefault:"true"`
		Ratio   float64       `env:"RATIO" envDefault:"0.25"`
		Timeout time.Duration `env:"TIMEOUT" envDefault:"1m30s"`
		Level   level         `env:"LEVEL" envDefault:"3"`
		Ports   []int         `env:"PORTS" envDefault:"80,443"`
		Host    string        `env:"HOST" envDefault:"db.internal"`
		IP      string        `env:"IP" envDefault:"10.0.0.7:5432"`
		Name    string        `env:"DB_NAME" envDefault:"shop" public:"true"`
		DB      string        `env:"DATABASE_URL" envDefault:"postgres://app:pw@db.internal:5433/shop?sslmode=require"`
	}
	want := map[string]string{
		"PORT": "8080", "DEBUG": "true", "RATIO": "0.25", "TIMEOUT": "1m30s", "LEVEL": "3", "PORTS": "80,443",
		"HOST": "db.internal", "IP": "10.0.0.7:5432", "DB_NAME": "shop",
		"DATABASE_URL": "postgres://app:[REDACTED]@db.internal:5433/shop?sslmode=require",
	}
	var c shown
	if err := config.Parse(&c, config.WithEnvironment(map[string]string{})); err != nil {
		t.Fatal(err)
	}
	settings, err := config.Explain(&c, config.WithEnvironment(map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := config.Describe(&c)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range settings {
		if s.Value != want[s.Name] {
			t.Errorf("Explain %s = %q, want %q", s.Name, s.Value, want[s.Name])
		}
		if d := doc.Vars[i]; d.Default != want[s.Name] {
			t.Errorf("Describe %s default = %q, want %q", s.Name, d.Default, want[s.Name])
		}
	}
}

func TestExplain_fileFromNotShownWhenNoFile(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key string `env:"API_KEY"`
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "key")
	if err := os.WriteFile(real, []byte("k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var c cfg
	// A real file is named; what is set where a path belongs but names no
	// file (a pasted secret) was not loaded from anywhere, and is not shown.
	for path, want := range map[string]config.Source{real: config.SourceFile, "ghp_" + redacttest.Canary: config.SourceUnset} {
		settings, err := config.Explain(&c, config.WithEnvironment(map[string]string{"API_KEY_FILE": path}))
		if err != nil {
			t.Fatal(err)
		}
		s := settings[0]
		if s.Source != want || strings.Contains(s.From, redacttest.Canary) || (want == config.SourceFile && s.From != real) {
			t.Errorf("Explain API_KEY: source %s from %q, want %s (from %q when a file)", s.Source, s.From, want, real)
		}
	}
}

// FuzzPrinters plants the canary in URL- and DSN-shaped strings built from
// the fuzzer's parts, as values and as defaults of plain strings, lists and
// url.URL fields: Explain, Describe and its three renderers never show it.
// The seeds run with every go test.
func FuzzPrinters(f *testing.F) {
	for _, fam := range redacttest.Families {
		f.Add(fam.Scheme, "app", "db.internal:5432", "shop?sslmode=require", "api_key", "")
	}
	f.Add("sqlite", "", "", "tmp/x.db", "_auth_pass", "x")
	f.Add("https", "x@y", "h?k=v@", "a#b", "token", "?#@/")
	f.Add("postgres", "a:b", "h1,h2", "db/x", "sslpassword", " host=db")
	f.Fuzz(func(t *testing.T, scheme, user, host, path, key, value string) {
		var fields []reflect.StructField
		env := map[string]string{}
		for i, v := range redacttest.Planted(scheme, user, host, path, key, value, redact.SafeParam) {
			if strings.ContainsAny(v, "\x00,") {
				continue
			}
			for j, typ := range []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[[]string](), reflect.TypeFor[*url.URL]()} {
				name := fmt.Sprintf("V%d_%d", i, j)
				env[name] = v
				fields = append(fields,
					reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: typ, Tag: reflect.StructTag(`env:"` + name + `"`)},
					reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)+1), Type: typ,
						Tag: reflect.StructTag(`env:"D` + name + `" envDefault:` + strconv.Quote(v))})
			}
		}
		cfg := reflect.New(reflect.StructOf(fields)).Interface()
		opts := []config.Option{config.WithEnvironment(env)}
		_ = config.Parse(cfg, opts...) // a url.URL may not parse; the rest is read
		settings, err := config.Explain(cfg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range settings {
			if redacttest.Leaks(s.Value + s.Default + s.From) {
				t.Fatalf("Explain %s = %q (default %q) shows the canary", s.Name, s.Value, s.Default)
			}
		}
		doc, err := config.Describe(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		_ = doc.WriteText(&b)
		_ = doc.WriteMarkdown(&b)
		_ = doc.WriteDotEnv(&b)
		if redacttest.Leaks(b.String()) {
			t.Fatalf("Describe shows the canary:\n%s", b.String())
		}
	})
}

// TestPublicTag: public:"true" shows a plain string; a misspelt public tag,
// or public written as an env option, is a problem of the struct.
func TestPublicTag(t *testing.T) {
	t.Parallel()
	type ok struct {
		Region string `env:"REGION" public:"true"`
		Zone   string `env:"ZONE" public:"false"`
	}
	env := map[string]string{"REGION": "eu-west-1", "ZONE": "eu-west-1a"}
	var c ok
	if err := config.Parse(&c, config.WithEnvironment(env)); err != nil {
		t.Fatal(err)
	}
	settings, err := config.Explain(&c, config.WithEnvironment(env))
	if err != nil || settings[0].Value != "eu-west-1" || settings[1].Value != "[REDACTED]" {
		t.Errorf("settings %+v, %v; want REGION shown and ZONE masked", settings, err)
	}
	type option struct {
		Region string `env:"REGION,public"`
	}
	type misspelt struct {
		Region string `env:"REGION" public:"yes"`
	}
	for _, v := range []any{&option{}, &misspelt{}} {
		err := config.Parse(v, config.WithEnvironment(env))
		if !errors.Is(err, config.ErrStruct) || !strings.Contains(err.Error(), `public:"true"`) {
			t.Errorf("Parse(%T) = %v, want ErrStruct saying public:\"true\"", v, err)
		}
	}
}
