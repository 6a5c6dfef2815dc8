package compat_test

import (
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

	"github.com/caarlos0/env/v11"
	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

// A differential suite: each case reads one caarlos0/env-style struct from
// one environment with caarlos0/env v11.4.2 (env.ParseWithOptions) and with
// config.Parse, and compares what each loaded and whether each failed. A case
// may differ only when it names a row of the compatibility table in config's
// package documentation (differences below); a listed case that no longer
// differs fails too, so the table stays true.

// differences maps the id a case names to the first cell of its row in the
// table of config/doc.go.
var differences = map[string]string{
	"required-empty": "`required`, variable set to \"\"",
	"name-file":      "`NAME_FILE` set, `NAME` unset",
	"file-limit":     "`file` on a file over the limit",
	"unsupported":    "a field of a type neither",
	"validate":       "a `Validate() error` method",
}

type scalars struct {
	S    string        `env:"S"`
	I    int           `env:"I"`
	I8   int8          `env:"I8"`
	I16  int16         `env:"I16"`
	I32  int32         `env:"I32"`
	I64  int64         `env:"I64"`
	U    uint          `env:"U"`
	U8   uint8         `env:"U8"`
	U16  uint16        `env:"U16"`
	U32  uint32        `env:"U32"`
	U64  uint64        `env:"U64"`
	F32  float32       `env:"F32"`
	F64  float64       `env:"F64"`
	B    bool          `env:"B"`
	D    time.Duration `env:"D"`
	URL  url.URL       `env:"URL"`
	PS   *string       `env:"PS"`
	PI   *int          `env:"PI"`
	PD   *time.Duration
	PURL *url.URL `env:"PURL"`
}

type lists struct {
	Strings   []string        `env:"STRINGS"`
	Ints      []int           `env:"INTS"`
	Bools     []bool          `env:"BOOLS"`
	Durations []time.Duration `env:"DURATIONS"`
	Semi      []string        `env:"SEMI" envSeparator:";"`
	Ptrs      []*int          `env:"PTRS"`
	URLs      []url.URL       `env:"URLS"`
	Map       map[string]int  `env:"MAP"`
	MapEq     map[string]bool `env:"MAP_EQ" envSeparator:";" envKeyValSeparator:"="`
}

// level is a user type read through UnmarshalText.
type level int

func (l *level) UnmarshalText(b []byte) error {
	switch string(b) {
	case "debug":
		*l = -4
	case "info":
		*l = 0
	default:
		return fmt.Errorf("unknown level %q", b)
	}
	return nil
}

type texts struct {
	Level   level     `env:"LEVEL"`
	PLevel  *level    `env:"PLEVEL"`
	Levels  []level   `env:"LEVELS"`
	PLevels []*level  `env:"PLEVELS"`
	Time    time.Time `env:"TIME"`
}

type defaults struct {
	Port    int           `env:"PORT" envDefault:"8080"`
	Host    string        `env:"HOST" envDefault:"localhost"`
	Timeout time.Duration `env:"TIMEOUT" envDefault:"30s"`
	Tags    []string      `env:"TAGS" envDefault:"a,b"`
	NoName  int           `envDefault:"7"`
}

type flags struct {
	Need     string `env:"NEED,required"`
	Full     string `env:"FULL,notEmpty"`
	Defaults string `env:"DEFAULTS,required" envDefault:"d"`
	NoName   string `env:",required"`
	Skipped  string `env:"-"`
	Other    int    `env:"OTHER"`
}

type files struct {
	Cert    string `env:"CERT,file"`
	Key     string `env:"KEY,file" envDefault:"default-key"`
	Plain   string `env:"PLAIN"`
	APIKey  string `env:"API_KEY"`
	Unrated int    `env:"UNRATED"`
}

type unsetting struct {
	Token string `env:"COMPAT_ONE_SHOT,unset"`
	Other string `env:"OTHER"`
}

type expanding struct {
	Host string `env:"HOST"`
	URL  string `env:"URL,expand"`
	Dflt string `env:"DFLT,expand" envDefault:"http://${HOST}:${PORT}"`
	Port int    `env:"PORT" envDefault:"80"`
}

type inner struct {
	Host string `env:"HOST"`
	Port int    `env:"PORT" envDefault:"5432"`
}

type nesting struct {
	DB       inner  `envPrefix:"DB_"`
	Named    inner  `env:"NAMED" envPrefix:"NAMED_"`
	Init     *inner `env:"INIT,init" envPrefix:"INIT_"`
	InitOnly *inner `env:",init" envPrefix:"IO_"`
	NilPtr   *inner `envPrefix:"NIL_"`
	Anon     struct {
		Name string `env:"NAME"`
	} `envPrefix:"ANON_"`
	inner
	Deep struct {
		Inner inner `envPrefix:"IN_"`
	} `envPrefix:"DEEP_"`
}

type items struct {
	Items []inner `envPrefix:"ITEMS"`
	Name  string  `env:"NAME"`
}

type badTag struct {
	A string `env:"A,requird"`
	B string `env:"B"`
}

type unsupported struct {
	C chan int `env:"C"`
	B string   `env:"B"`
}

type invalid struct {
	Port  int            `env:"PORT"`
	Wait  time.Duration  `env:"WAIT"`
	Name  string         `env:"NAME"`
	Ratio float64        `env:"RATIO" envDefault:"0.5"`
	Big   int8           `env:"BIG"`
	Map   map[string]int `env:"MAP"`
}

type validated struct {
	Min int `env:"MIN"`
	Max int `env:"MAX"`
}

func (v *validated) Validate() error {
	if v.Min > v.Max {
		return errors.New("MIN above MAX")
	}
	return nil
}

// point is a type the program does not own, read by caarlos0/env's FuncMap
// and config.WithParser with the same function.
type point struct{ X, Y int }

func parsePoint(s string) (point, error) {
	var p point
	_, err := fmt.Sscanf(s, "%d/%d", &p.X, &p.Y)
	return p, err
}

type points struct {
	Origin point   `env:"ORIGIN"`
	Path   []point `env:"PATH_POINTS"`
}

type secrets struct {
	Key  config.Secret  `env:"KEY"`
	PKey *config.Secret `env:"PKEY"`
}

type tcase struct {
	name    string
	target  func() any
	env     map[string]string
	files   map[string]string // created in a temporary directory, $DIR in env
	prefix  string
	parsers []parserPair // registered with both
	diff    string       // a key of differences, when the two differ by design
}

// parserPair is one parser as caarlos0/env's FuncMap and config.WithParser
// take it.
type parserPair struct {
	t   reflect.Type
	fn  env.ParserFunc
	opt config.Option
}

func both[T any](parse func(string) (T, error)) parserPair {
	return parserPair{
		t:   reflect.TypeFor[T](),
		fn:  func(s string) (any, error) { return parse(s) },
		opt: config.WithParser(parse, ""),
	}
}

type flagSet map[string]bool

type customKey string

type constT int32

type byteSlices struct {
	Inner struct {
		Abc []byte `env:"ABC" envDefault:"asdasd"`
		Def []byte `env:"DEF" envDefault:"a"`
	}
	Hij []byte `env:"HIJ"`
	Lmn []byte `env:"LMN"`
}

type customs struct {
	Flags  flagSet            `env:"FLAGS"`
	Keys   map[customKey]bool `env:"KEYS"`
	Const  constT             `env:"CONST_"`
	NoName constT             `env:"" envDefault:"12"`
}

type pointerLists struct {
	Foo   *[]inner          `envPrefix:"FOO_"`
	Bar   []inner           `envPrefix:"BAR"`
	Baz   []inner           `env:",init"`
	U1    *url.URL          `env:"U1"`
	U2    *url.URL          `env:"U2,init"`
	Bool  *bool             `env:"BOOL"`
	Str   *string           `env:"STR"`
	Pairs map[string]string `env:"PAIRS"`
}

type cyclic struct {
	A string `env:"A,expand"`
	B string `env:"B,expand"`
}

func newOf[T any](init ...func(*T)) func() any {
	return func() any {
		v := new(T)
		for _, f := range init {
			f(v)
		}
		return v
	}
}

var cases = []tcase{
	{name: "scalars set", target: newOf[scalars](), env: map[string]string{
		"S": "text", "I": "-42", "I8": "127", "I16": "-300", "I32": "70000", "I64": "9000000000",
		"U": "42", "U8": "255", "U16": "65535", "U32": "4000000000", "U64": "18000000000000000000",
		"F32": "0.5", "F64": "-1e10", "B": "true", "D": "1h30m", "URL": "https://u:p@example.com/x?q=1#f",
		"PS": "p", "PI": "3", "PURL": "postgres://db/x",
	}},
	{name: "scalars unset", target: newOf[scalars]()},
	{name: "scalars empty", target: newOf[scalars](), env: map[string]string{"S": "", "I": "", "B": "", "PS": ""}},
	{name: "bool forms", target: newOf[scalars](), env: map[string]string{"B": "1"}},
	{name: "bool word", target: newOf[scalars](), env: map[string]string{"B": "yes"}},
	{name: "int out of range", target: newOf[scalars](), env: map[string]string{"I8": "128", "S": "kept"}},
	{name: "negative uint", target: newOf[scalars](), env: map[string]string{"U": "-1"}},
	{name: "float forms", target: newOf[scalars](), env: map[string]string{"F64": "0x1p-2", "F32": "Inf"}},
	{name: "lists", target: newOf[lists](), env: map[string]string{
		"STRINGS": "a,b,,c", "INTS": "1,2,3", "BOOLS": "true,false", "DURATIONS": "1s,2m",
		"SEMI": "a,b;c", "PTRS": "4,5", "URLS": "http://a,http://b", "MAP": "a:1,b:2", "MAP_EQ": "x=true;y=false",
	}},
	{name: "list item invalid", target: newOf[lists](), env: map[string]string{"INTS": "1,x,3", "STRINGS": "kept"}},
	{name: "map pair invalid", target: newOf[lists](), env: map[string]string{"MAP": "a:1,b", "STRINGS": "kept"}},
	{name: "map value invalid", target: newOf[lists](), env: map[string]string{"MAP": "a:one"}},
	{name: "text unmarshalers", target: newOf[texts](), env: map[string]string{
		"LEVEL": "debug", "PLEVEL": "info", "LEVELS": "info,debug", "PLEVELS": "debug", "TIME": "2026-01-02T15:04:05Z",
	}},
	{name: "text unmarshaler invalid", target: newOf[texts](), env: map[string]string{"LEVEL": "loud", "TIME": "2026-01-02T15:04:05Z"}},
	{name: "time invalid", target: newOf[texts](), env: map[string]string{"TIME": "yesterday"}},
	{name: "defaults", target: newOf[defaults]()},
	{name: "defaults overridden", target: newOf[defaults](), env: map[string]string{"PORT": "9", "TAGS": "x"}},
	{name: "empty takes default", target: newOf[defaults](), env: map[string]string{"PORT": "", "HOST": ""}},
	{name: "preset kept when unset", target: newOf(func(d *defaults) { d.Port = 1; d.Host = "pre" }), env: map[string]string{"HOST": "env"}},
	{name: "required set", target: newOf[flags](), env: map[string]string{"NEED": "n", "FULL": "f"}},
	{name: "required unset", target: newOf[flags](), env: map[string]string{"FULL": "f", "OTHER": "3"}},
	{name: "required empty", target: newOf[flags](), env: map[string]string{"NEED": "", "FULL": "f", "OTHER": "3"}, diff: "required-empty"},
	{name: "notEmpty unset", target: newOf[flags](), env: map[string]string{"NEED": "n", "OTHER": "3"}},
	{name: "notEmpty empty", target: newOf[flags](), env: map[string]string{"NEED": "n", "FULL": ""}},
	{name: "ignored field", target: newOf[flags](), env: map[string]string{"NEED": "n", "FULL": "f", "-": "x", "SKIPPED": "x"}},
	{name: "file option", target: newOf[files](), files: map[string]string{"cert.pem": "PEM\n", "default-key": "DK"},
		env: map[string]string{"CERT": "$DIR/cert.pem"}},
	{name: "file option missing", target: newOf[files](), files: map[string]string{"default-key": "DK"},
		env: map[string]string{"CERT": "$DIR/nope", "PLAIN": "kept"}},
	{name: "file option default missing", target: newOf[files](), env: map[string]string{"PLAIN": "kept"}},
	{name: "file option on a directory", target: newOf[files](), files: map[string]string{"default-key": "DK"},
		env: map[string]string{"CERT": "$DIR", "PLAIN": "kept"}},
	{name: "file option over the limit", target: newOf[files](), files: map[string]string{"default-key": "DK", "big": strings.Repeat("x", config.DefaultFileLimit+1)},
		env: map[string]string{"CERT": "$DIR/big"}, diff: "file-limit"},
	{name: "NAME_FILE", target: newOf[files](), files: map[string]string{"default-key": "DK", "api": "k\n"},
		env: map[string]string{"API_KEY_FILE": "$DIR/api"}, diff: "name-file"},
	{name: "unset option", target: newOf[unsetting](), env: map[string]string{"COMPAT_ONE_SHOT": "t", "OTHER": "o"}},
	{name: "expand", target: newOf[expanding](), env: map[string]string{"HOST": "h", "URL": "http://${HOST}:$PORT/x", "PORT": "81"}},
	{name: "expand default", target: newOf[expanding](), env: map[string]string{"HOST": "h"}},
	{name: "expand undefined", target: newOf[expanding](), env: map[string]string{"URL": "${NOPE}/x"}},
	{name: "nested", target: newOf[nesting](), env: map[string]string{
		"DB_HOST": "db", "NAMED_HOST": "n", "INIT_HOST": "i", "IO_PORT": "2", "NIL_HOST": "no",
		"ANON_NAME": "a", "HOST": "embedded", "DEEP_IN_HOST": "deep",
	}},
	{name: "nested defaults only", target: newOf[nesting]()},
	{name: "nested struct's own variable set", target: newOf[nesting](), env: map[string]string{"NAMED": "x", "NAMED_HOST": "n", "DB_HOST": "db"}},
	{name: "init pointer's own variable set", target: newOf[nesting](), env: map[string]string{"INIT": "x", "DB_HOST": "db"}},
	{name: "preset pointer read", target: newOf(func(n *nesting) { n.NilPtr = &inner{Host: "pre"} }), env: map[string]string{"NIL_PORT": "7"}},
	{name: "list of structs", target: newOf[items](), env: map[string]string{"ITEMS_0_HOST": "a", "ITEMS_1_HOST": "b", "ITEMS_1_PORT": "1", "NAME": "n"}},
	{name: "list of structs invalid item", target: newOf[items](), env: map[string]string{"ITEMS_0_PORT": "x", "NAME": "n"}},
	{name: "unknown tag option", target: newOf[badTag](), env: map[string]string{"A": "a", "B": "b"}},
	{name: "unsupported type set", target: newOf[unsupported](), env: map[string]string{"C": "x", "B": "b"}},
	{name: "unsupported type unset", target: newOf[unsupported](), env: map[string]string{"B": "b"}, diff: "unsupported"},
	{name: "invalid values keep the rest", target: newOf[invalid](), env: map[string]string{"PORT": "eighty", "WAIT": "3", "NAME": "n", "BIG": "300"}},
	{name: "all valid", target: newOf[invalid](), env: map[string]string{"PORT": "80", "WAIT": "3s", "NAME": "n", "BIG": "-3", "MAP": "a:1"}},
	{name: "prefix", target: newOf[defaults](), prefix: "APP_", env: map[string]string{"APP_PORT": "1", "PORT": "2", "APP_TAGS": "z"}},
	{name: "prefix nested", target: newOf[nesting](), prefix: "APP_", env: map[string]string{"APP_DB_HOST": "p", "DB_HOST": "no"}},
	{name: "validate passes", target: newOf[validated](), env: map[string]string{"MIN": "1", "MAX": "2"}},
	{name: "validate fails", target: newOf[validated](), env: map[string]string{"MIN": "3", "MAX": "2"}, diff: "validate"},
	{name: "parser", target: newOf[points](), parsers: []parserPair{both(parsePoint)}, env: map[string]string{"ORIGIN": "1/2", "PATH_POINTS": "0/0,3/4"}},
	{name: "parser fails", target: newOf[points](), parsers: []parserPair{both(parsePoint)}, env: map[string]string{"ORIGIN": "1-2", "PATH_POINTS": "0/0"}},
	{name: "parser for a map type, a map key and a basic type", target: newOf[customs](),
		parsers: []parserPair{
			both(func(string) (flagSet, error) { return flagSet{"parsed": true}, nil }),
			both(func(s string) (customKey, error) { return customKey("k-" + s), nil }),
			both(func(s string) (constT, error) { n, err := strconv.Atoi(s); return constT(n * 2), err }),
		},
		env: map[string]string{"FLAGS": "x:1", "KEYS": "a:true", "CONST_": "21"}},
	{name: "parser for a basic type fails", target: newOf[customs](),
		parsers: []parserPair{both(func(s string) (constT, error) { n, err := strconv.Atoi(s); return constT(n), err })},
		env:     map[string]string{"CONST_": "x"}},
	{name: "parser for byte slices", target: newOf[byteSlices](),
		parsers: []parserPair{both(func(s string) ([]byte, error) {
			if s == "a" {
				return []byte("nope"), nil
			}
			return []byte(s), nil
		})},
		env: map[string]string{"HIJ": "a", "LMN": "b"}},
	{name: "pointer and list forms", target: newOf(func(p *pointerLists) {
		t, s := true, "one"
		p.Bool, p.Str = &t, &s
		p.Bar = []inner{{Host: "preset", Port: 99}}
	}), env: map[string]string{
		"FOO_0_HOST": "f0", "FOO_1_PORT": "11", "BAR_0_HOST": "b0", "BAR_1_PORT": "12",
		"0_HOST": "bz", "U1": "https://example.com/", "STR": "two", "PAIRS": "url:https://foo.bar:2030",
	}},
	{name: "pointer and list forms unset", target: newOf[pointerLists]()},
	{name: "expand cycle", target: newOf[cyclic](), env: map[string]string{"A": "${B}x", "B": "${A}y"}},
	{name: "secrets", target: newOf[secrets](), env: map[string]string{"KEY": "k", "PKEY": "p"}},
	{name: "secrets unset", target: newOf[secrets]()},
}

type outcome struct {
	value any
	err   error
}

func runCaarlos(tc tcase, environ map[string]string) outcome {
	v := tc.target()
	opts := env.Options{Environment: environ, Prefix: tc.prefix}
	if len(tc.parsers) > 0 {
		opts.FuncMap = map[reflect.Type]env.ParserFunc{}
		for _, p := range tc.parsers {
			opts.FuncMap[p.t] = p.fn
		}
	}
	return outcome{v, env.ParseWithOptions(v, opts)}
}

func runConfig(tc tcase, environ map[string]string) outcome {
	v := tc.target()
	opts := []config.Option{config.WithEnvironment(environ), config.WithPrefix(tc.prefix)}
	for _, p := range tc.parsers {
		opts = append(opts, p.opt)
	}
	return outcome{v, config.Parse(v, opts...)}
}

// exportAll lets go-cmp compare unexported fields (of url.URL's
// Userinfo, time.Time's location), as the two loaders fill them alike.
var exportAll = cmp.Exporter(func(reflect.Type) bool { return true })

func TestCompat(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "config", "doc.go"))
	if err != nil {
		t.Fatal(err)
	}
	for id, cell := range differences {
		if !strings.Contains(string(doc), cell) {
			t.Errorf("difference %s: config/doc.go has no table row %q", id, cell)
		}
	}
	names := map[string]bool{}
	for _, tc := range cases {
		if names[tc.name] {
			t.Fatalf("two cases named %q", tc.name)
		}
		names[tc.name] = true
		if tc.diff != "" && differences[tc.diff] == "" {
			t.Fatalf("case %q names an unknown difference %q", tc.name, tc.diff)
		}
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: caarlos0/env's unset option and its reading
			// of the process environment for defaults touch the process.
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			environ := map[string]string{}
			for k, v := range tc.env {
				environ[k] = strings.ReplaceAll(v, "$DIR", dir)
			}
			withDir(t, dir)
			want, got := runCaarlos(tc, environ), runConfig(tc, environ)
			valueDiff := cmp.Diff(want.value, got.value, exportAll)
			errDiff := (want.err == nil) != (got.err == nil)
			if !errDiff && want.err != nil {
				if missing := unreported(want.err, got.err); len(missing) > 0 {
					t.Errorf("config's report leaves out what caarlos0/env reports for %v\ncaarlos0/env: %v\nconfig: %v", missing, want.err, got.err)
				}
			}
			differs := valueDiff != "" || errDiff
			switch {
			case differs && tc.diff == "":
				t.Errorf("config differs from caarlos0/env, and config/doc.go lists no such difference\nvalues (-caarlos0 +config):\n%s\ncaarlos0/env error: %v\nconfig error: %v",
					valueDiff, want.err, got.err)
			case !differs && tc.diff != "":
				t.Errorf("listed as the difference %q, but config now reads it as caarlos0/env does: remove the listing", tc.diff)
			}
		})
	}
}

// withDir makes dir the working directory for one case, where the relative
// file path of an envDefault (files.Key) is found.
func withDir(t *testing.T, dir string) {
	t.Helper()
	t.Chdir(dir)
}

// unreported returns what caarlos0/env's error names (a variable, or a field
// for a value that did not parse) that no problem of config's report names.
func unreported(upstream, ours error) []string {
	var agg env.AggregateError
	var cerr *config.Error
	if !errors.As(upstream, &agg) || !errors.As(ours, &cerr) {
		return []string{fmt.Sprintf("(%T vs %T)", upstream, ours)}
	}
	named := func(key, field string) bool {
		for _, p := range cerr.Problems {
			last := p.Field[strings.LastIndex(p.Field, ".")+1:]
			if (key != "" && p.Var == key) || (field != "" && last == field) {
				return true
			}
		}
		return false
	}
	var missing []string
	for _, e := range agg.Errors {
		var key, field string
		switch e := e.(type) {
		case env.VarIsNotSetError:
			key = e.Key
		case env.EmptyVarError:
			key = e.Key
		case env.LoadFileContentError:
			key = e.Key
		case env.ParseError:
			field = e.Name
		case env.NoParserError:
			field = e.Name
		case env.NoSupportedTagOptionError:
			if !errors.Is(ours, config.ErrStruct) {
				missing = append(missing, "tag option "+e.Tag)
			}
			continue
		default:
			missing = append(missing, fmt.Sprintf("%T", e))
			continue
		}
		if !named(key, field) {
			missing = append(missing, key+field)
		}
	}
	return missing
}
