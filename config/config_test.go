package config_test

import (
	"errors"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type kinds struct {
	S      string            `env:"S"`
	I      int               `env:"I"`
	I8     int8              `env:"I8"`
	I64    int64             `env:"I64"`
	U      uint              `env:"U"`
	U16    uint16            `env:"U16"`
	F      float64           `env:"F"`
	B      bool              `env:"B"`
	D      time.Duration     `env:"D"`
	URL    url.URL           `env:"URL"`
	PD     *time.Duration    `env:"PD"`
	List   []string          `env:"LIST"`
	Ints   []int             `env:"INTS" envSeparator:";"`
	Durs   []time.Duration   `env:"DURS"`
	M      map[string]int    `env:"M"`
	T      time.Time         `env:"T"`
	Secret config.Secret     `env:"SECRET"`
	PS     *config.Secret    `env:"PS"`
	Loc    *time.Location    `env:"LOC"`
	Named  port              `env:"NAMED"`
	Text   level             `env:"LEVEL"`
	Skip   string            `env:"-"`
	NoTag  string            // not read
	hidden string            //lint:ignore U1000 proves unexported fields are skipped
	Map2   map[string]string `env:"M2" envSeparator:";"`
}

type port int

// level is a TextUnmarshaler whose error, like many upstream ones, quotes
// the value it refused.
type level string

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "debug", "info":
		*l = level(b)
		return nil
	}
	return errors.New(`unknown level "` + string(b) + `", want one of debug, info`)
}

func TestLoad_types(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"S": "hello", "I": "-42", "I8": "127", "I64": "9000000000", "U": "7", "U16": "65535",
		"F": "0.25", "B": "true", "D": "1m30s", "URL": "https://example.com/x?y=1", "PD": "2s",
		"LIST": "a,b,c", "INTS": "1;2;3", "DURS": "1s,2ms", "M": "a:1,b:2",
		"T": "2026-01-02T15:04:05Z", "SECRET": "hunter2", "PS": "pointer-secret", "LOC": "UTC",
		"NAMED": "8080", "LEVEL": "debug", "SKIP": "no", "NO_TAG": "no", "M2": "k:v;x:y",
	}
	got, err := config.Load[kinds](config.WithEnvironment(env))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	pd := 2 * time.Second
	ps := config.NewSecret("pointer-secret")
	want := kinds{
		S: "hello", I: -42, I8: 127, I64: 9000000000, U: 7, U16: 65535, F: 0.25, B: true,
		D: 90 * time.Second, URL: url.URL{Scheme: "https", Host: "example.com", Path: "/x", RawQuery: "y=1"},
		PD: &pd, List: []string{"a", "b", "c"}, Ints: []int{1, 2, 3}, Durs: []time.Duration{time.Second, 2 * time.Millisecond},
		M: map[string]int{"a": 1, "b": 2}, T: time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC),
		Secret: config.NewSecret("hunter2"), PS: &ps, Loc: time.UTC, Named: 8080, Text: "debug",
		Map2: map[string]string{"k": "v", "x": "y"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(kinds{}), cmp.Comparer(func(a, b *time.Location) bool { return a.String() == b.String() })); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
	if got.Secret.Reveal() != "hunter2" {
		t.Errorf("Secret.Reveal() = %q, want hunter2", got.Secret.Reveal())
	}
}

// problems returns the report's lines, failing the test when err is not a
// *config.Error.
func problems(t *testing.T, err error) []string {
	t.Helper()
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("error %v (%T) is not a *config.Error", err, err)
	}
	lines := make([]string, len(cerr.Problems))
	for i, p := range cerr.Problems {
		lines[i] = p.Error()
	}
	return lines
}

func TestLoad_invalidValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value, want string
	}{
		{"int", "I", "abc", "I: not an integer; want a whole number such as 42"},
		{"int range", "I8", "300", "I8: out of range; want a whole number from -128 to 127"},
		{"int64 range", "I64", "99999999999999999999", "I64: out of range; want a whole number from -9223372036854775808 to 9223372036854775807"},
		{"uint negative", "U", "-1", "U: not a non-negative integer; want a whole number of 0 or more such as 42"},
		{"uint16 range", "U16", "65536", "U16: out of range; want a whole number from 0 to 65535"},
		{"float", "F", "half", "F: not a number; want a number such as 0.5"},
		{"bool", "B", "yes", "B: not true or false; want true or false (also 1 or 0)"},
		{"duration", "D", "3 parsecs", "D: not a duration; want a duration such as 30s, 1m or 1h30m"},
		{"duration no unit", "D", "45", "D: not a duration; want a duration such as 30s, 1m or 1h30m"},
		{"pointer duration", "PD", "soon", "PD: not a duration; want a duration such as 30s, 1m or 1h30m"},
		{"url", "URL", "http://[::1", "URL: not a URL; want a URL such as https://example.com/path"},
		{"list", "INTS", "1;two;3", `INTS: not a list of integers; want one or more items separated by ";", each a whole number such as 42`},
		{"map", "M", "a=1", `M: not a map of string to integer; want key:value pairs separated by ",", such as a:1,b:2`},
		{"time", "T", "2026-13-45 noonish", "T: not a valid time; want a time in RFC 3339 form such as 2026-01-02T15:04:05Z"},
		{"location", "LOC", "Mars/Olympus_Mons", "LOC: not a time zone; want a time zone name such as UTC or Europe/Berlin"},
		{"named int", "NAMED", "http", "NAMED: not an integer; want a whole number such as 42"},
		{"text unmarshaler", "LEVEL", "verbose", "LEVEL: not a valid config_test.level; want a value that config_test.level accepts (see its UnmarshalText method)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load[kinds](config.WithEnvironment(map[string]string{tt.key: tt.value}))
			got := problems(t, err)
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !errors.Is(err, config.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false for %v", err)
			}
			if strings.Contains(err.Error(), tt.value) {
				t.Errorf("error %q quotes the value %q", err, tt.value)
			}
			var fe *config.FieldError
			if !errors.As(err, &fe) || fe.Var != tt.key {
				t.Errorf("errors.As(*FieldError).Var = %v, want %s", fe, tt.key)
			}
		})
	}
}

type app struct {
	Port    int           `env:"PORT" envDefault:"8080" desc:"port to listen on"`
	Timeout time.Duration `env:"TIMEOUT" envDefault:"30s"`
	APIKey  config.Secret `env:"API_KEY,required" desc:"key for the payments API"`
	Mode    string        `env:"MODE,notEmpty"`
	DB      db            `envPrefix:"DB_"`
	Cache   struct {
		URL string `env:"URL,required"`
	} `envPrefix:"CACHE_"`
}

type db struct {
	Host     string        `env:"HOST" envDefault:"localhost"`
	Port     int           `env:"PORT,required"`
	Password config.Secret `env:"PASSWORD"`
}

func TestLoad_everyProblemAtOnce(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"SHOP_PORT":        "eighty",
		"SHOP_TIMEOUT":     "soon",
		"SHOP_MODE":        "",
		"SHOP_DB_PORT":     "x5432",
		"SHOP_CACHE_URL":   "",
		"SHOP_DB_PASSWORD": "p@ss",
	}
	_, err := config.Load[app](config.WithEnvironment(env), config.WithPrefix("SHOP_"))
	want := []string{
		"SHOP_PORT: not an integer; want a whole number such as 42",
		"SHOP_TIMEOUT: not a duration; want a duration such as 30s, 1m or 1h30m",
		"SHOP_API_KEY: required but not set; want a secret value; set SHOP_API_KEY, or SHOP_API_KEY_FILE to a file holding it (key for the payments API)",
		"SHOP_MODE: set but empty; want a string value",
		"SHOP_DB_PORT: not an integer; want a whole number such as 42",
		"SHOP_CACHE_URL: set but empty; want a string value",
	}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(err.Error(), "config: 6 problems:\n\tSHOP_PORT: ") {
		t.Errorf("Error() = %q, want a count then one line per problem", err)
	}
	if !errors.Is(err, config.ErrMissing) || !errors.Is(err, config.ErrInvalid) {
		t.Errorf("errors.Is does not reach ErrMissing and ErrInvalid through %v", err)
	}
	var cerr *config.Error
	errors.As(err, &cerr)
	if got := cerr.Problems[4]; got.Var != "SHOP_DB_PORT" || got.Field != "DB.Port" || got.Problem != "not an integer" {
		t.Errorf("Problems[4] = %+v, want Var SHOP_DB_PORT, Field DB.Port, Problem \"not an integer\"", got)
	}
	if cerr.ExitCode() != 78 {
		t.Errorf("ExitCode() = %d, want 78", cerr.ExitCode())
	}
	if strings.Contains(err.Error(), "p@ss") {
		t.Errorf("error quotes a secret: %q", err)
	}
}

func TestLoad_oneProblem(t *testing.T) {
	t.Parallel()
	_, err := config.Load[db](config.WithEnvironment(nil))
	if got, want := err.Error(), "config: PORT: required but not set; want a whole number such as 42"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

// TestLoad_emptyValue pins what "FOO=" means: the same as FOO unset.
func TestLoad_emptyValue(t *testing.T) {
	t.Parallel()
	type cfg struct {
		WithDefault string        `env:"WITH_DEFAULT" envDefault:"fallback"`
		DurDefault  time.Duration `env:"DUR_DEFAULT" envDefault:"5s"`
		NoDefault   int           `env:"NO_DEFAULT"`
		Required    string        `env:"REQUIRED,required"`
		ReqDefault  string        `env:"REQ_DEFAULT,required" envDefault:"dflt"`
		Secret      config.Secret `env:"SECRET" envDefault:"default-secret"`
	}
	env := map[string]string{"WITH_DEFAULT": "", "DUR_DEFAULT": "", "NO_DEFAULT": "", "REQUIRED": "", "REQ_DEFAULT": "", "SECRET": ""}
	got, err := config.Load[cfg](config.WithEnvironment(env))
	if diff := cmp.Diff([]string{"REQUIRED: set but empty; want a string value"}, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got.WithDefault != "fallback" || got.DurDefault != 5*time.Second || got.NoDefault != 0 || got.ReqDefault != "dflt" {
		t.Errorf("empty values did not take the defaults: %+v", got)
	}
	if got.Secret.Reveal() != "default-secret" {
		t.Errorf("a defaulted secret set to empty = %q, want its default", got.Secret.Reveal())
	}
	env["REQUIRED"] = "x"
	if _, err := config.Load[cfg](config.WithEnvironment(env)); err != nil {
		t.Errorf("with REQUIRED set: %v", err)
	}
}

func TestLoad_requiredSecret(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Key config.Secret `env:"KEY,required"`
	}
	got, err := config.Load[cfg](config.WithEnvironment(map[string]string{"KEY": "s3cr3t-value"}))
	if err != nil || got.Key.Reveal() != "s3cr3t-value" {
		t.Fatalf("Load = %v, %v; want the secret", got.Key.Reveal(), err)
	}
	_, err = config.Load[cfg](config.WithEnvironment(map[string]string{"KEY": ""}))
	if !errors.Is(err, config.ErrMissing) {
		t.Errorf("an empty required secret: err = %v, want ErrMissing", err)
	}
}

func TestLoad_keepsPresetValues(t *testing.T) {
	t.Parallel()
	c := db{Host: "preset", Port: 1}
	if err := config.Parse(&c, config.WithEnvironment(map[string]string{"PORT": "2"})); err != nil {
		t.Fatal(err)
	}
	// HOST has a default, which applies; PORT is set.
	if c.Host != "localhost" || c.Port != 2 {
		t.Errorf("Parse = %+v, want Host localhost (default) and Port 2", c)
	}
}

func TestWithEnvironment_ignoresProcessEnvironment(t *testing.T) {
	t.Setenv("PORT", "1234")
	for _, env := range []map[string]string{nil, {}} {
		_, err := config.Load[db](config.WithEnvironment(env))
		if !errors.Is(err, config.ErrMissing) {
			t.Errorf("WithEnvironment(%v) read the process environment: err = %v", env, err)
		}
	}
	got, err := config.Load[db]()
	if err != nil || got.Port != 1234 {
		t.Errorf("Load without options = %+v, %v; want Port 1234 from the process environment", got, err)
	}
}

func TestLoad_doesNotChangeTheMap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "pw")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PORT": "1", "PASSWORD_FILE": path}
	before := maps.Clone(env)
	got, err := config.Load[db](config.WithEnvironment(env))
	if err != nil || got.Password.Reveal() != "from-file" {
		t.Fatalf("Load = %v, %v", got.Password.Reveal(), err)
	}
	if diff := cmp.Diff(before, env); diff != "" {
		t.Errorf("Load changed the caller's map (-before +after):\n%s", diff)
	}
}

func TestParse_badTargets(t *testing.T) {
	t.Parallel()
	var nilPtr *db
	n := 3
	for _, target := range []any{nil, db{}, nilPtr, &n, new(*db), "x"} {
		err := config.Parse(target, config.WithEnvironment(nil))
		if !errors.Is(err, config.ErrStruct) || !strings.Contains(err.Error(), "pointer to a struct") {
			t.Errorf("Parse(%T) = %v, want an ErrStruct naming a pointer to a struct", target, err)
		}
	}
	if _, err := config.Load[int](); !errors.Is(err, config.ErrStruct) {
		t.Errorf("Load[int] = %v, want ErrStruct", err)
	}
}

func TestParse_badStruct(t *testing.T) {
	t.Parallel()
	type misspelt struct {
		A string `env:"A,requird"`
	}
	type unsupported struct {
		C chan int `env:"C"`
		F func()   `env:"F"`
	}
	tests := []struct {
		name   string
		target any
		want   []string
	}{
		{"misspelt option", &misspelt{}, []string{`A: unknown option "requird" in the env tag; use one of required, notEmpty, file, expand, unset, init`}},
		{"unsupported types", &unsupported{}, []string{
			"C: config cannot read a field of type chan int; want a string, number, bool, time.Duration, url.URL, a type with an UnmarshalText method, a slice or map of those, or a parser registered with config.WithParser",
			"F: config cannot read a field of type func(); want a string, number, bool, time.Duration, url.URL, a type with an UnmarshalText method, a slice or map of those, or a parser registered with config.WithParser",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := config.Parse(tt.target, config.WithEnvironment(map[string]string{"A": "1", "C": "1"}))
			if diff := cmp.Diff(tt.want, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if !errors.Is(err, config.ErrStruct) {
				t.Errorf("errors.Is(err, ErrStruct) = false")
			}
			if _, err := config.Describe(tt.target); !errors.Is(err, config.ErrStruct) {
				t.Errorf("Describe: err = %v, want ErrStruct", err)
			}
		})
	}
}

type tree struct {
	Name string `env:"NAME"`
	Next *tree  `env:",init" envPrefix:"NEXT_"`
}

func TestParse_recursiveTypeDoesNotLoop(t *testing.T) {
	t.Parallel()
	d, err := config.Describe(tree{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range d.Vars {
		names = append(names, v.Name)
	}
	if diff := cmp.Diff([]string{"NAME"}, names); diff != "" {
		t.Errorf("Describe(tree) names (-want +got):\n%s", diff)
	}
}

func TestLoad_concurrent(t *testing.T) {
	t.Parallel()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prefix := []string{"", "A_", "B_"}[i%3]
			env := map[string]string{prefix + "PORT": "5432", prefix + "API_KEY": "k", prefix + "MODE": "m", prefix + "DB_PORT": "1", prefix + "CACHE_URL": "u"}
			got, err := config.Load[app](config.WithEnvironment(env), config.WithPrefix(prefix))
			if err != nil || got.Port != 5432 {
				t.Errorf("Load with prefix %q = %+v, %v", prefix, got.Port, err)
			}
		}()
	}
	wg.Wait()
}

func TestLoad_nilOptionIgnored(t *testing.T) {
	t.Parallel()
	if _, err := config.Load[db](nil, config.WithEnvironment(map[string]string{"PORT": "1"}), nil); err != nil {
		t.Errorf("Load with nil options: %v", err)
	}
}

// TestConfigDoesNotImportZap keeps config usable by programs that want no
// logger: DESIGN.md's import rule, checked against the build graph.
func TestConfigDoesNotImportZap(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "github.com/twelvekit/twelvekit/config").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, p := range deps {
		if strings.HasPrefix(p, "go.uber.org/") || strings.HasPrefix(p, "github.com/oklog/") {
			t.Errorf("config depends on %s", p)
		}
	}
	if !slices.Contains(deps, "github.com/caarlos0/env/v11") {
		t.Errorf("go list found no caarlos0/env among %d packages: the check itself is broken", len(deps))
	}
}
