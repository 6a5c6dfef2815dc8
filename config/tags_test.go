package config_test

import (
	"errors"
	"net/mail"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type innerDB struct {
	Host string `env:"HOST"`
	Port int    `env:"PORT" envDefault:"5432"`
}

// namedNested is the struct caarlos0/env users write: nested structs that
// also carry a variable name of their own.
type namedNested struct {
	Primary innerDB  `env:"PRIMARY" envPrefix:"PRIMARY_"`
	Replica *innerDB `env:"REPLICA,init" envPrefix:"REPLICA_"`
	Name    string   `env:"NAME"`
}

// TestLoad_namedNested reads a nested struct with its own env name as
// caarlos0/env does (the fields, with the prefix), documents only the
// fields, and reports the struct's own name when it is set.
func TestLoad_namedNested(t *testing.T) {
	t.Parallel()
	got, err := config.Load[namedNested](config.WithEnvironment(map[string]string{
		"PRIMARY_HOST": "p", "REPLICA_HOST": "r", "REPLICA_PORT": "6432", "NAME": "n",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Primary.Host != "p" || got.Primary.Port != 5432 || got.Replica == nil || got.Replica.Port != 6432 || got.Name != "n" {
		t.Errorf("Load = %+v, replica %+v", got, got.Replica)
	}
	d, err := config.Describe(namedNested{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range d.Vars {
		names = append(names, v.Name)
	}
	if diff := cmp.Diff([]string{"PRIMARY_HOST", "PRIMARY_PORT", "REPLICA_HOST", "REPLICA_PORT", "NAME"}, names); diff != "" {
		t.Errorf("Describe (-want +got):\n%s", diff)
	}

	got, err = config.Load[namedNested](config.WithEnvironment(map[string]string{"PRIMARY": "x", "PRIMARY_HOST": "p", "NAME": "n"}))
	want := []string{"PRIMARY: set, but it names a struct (config_test.innerDB), whose fields have variables of their own; want unset PRIMARY and set the variables of the struct's fields"}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	// As in caarlos0/env, the struct whose own variable is wrong is not
	// read; every other field is.
	if got.Name != "n" || got.Replica == nil {
		t.Errorf("on error Load = %+v, want every other field read", got)
	}
}

// TestLoad_partialOnError: a struct with a misspelt tag option, a field of a
// type config cannot read and a wrong value still has every other field
// loaded, and the report lists each problem.
func TestLoad_partialOnError(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Typo  string   `env:"TYPO,requird"`
		Ch    chan int `env:"CH"`
		Port  int      `env:"PORT"`
		Name  string   `env:"NAME"`
		Level string   `env:"LEVEL" envDefault:"info"`
	}
	got, err := config.Load[cfg](config.WithEnvironment(map[string]string{"TYPO": "t", "PORT": "x", "NAME": "n"}))
	if got.Name != "n" || got.Level != "info" {
		t.Errorf("Load = %+v, want NAME and the default read", got)
	}
	want := []string{
		`TYPO: unknown option "requird" in the env tag; use one of required, notEmpty, file, expand, unset, init`,
		"CH: config cannot read a field of type chan int; want a string, number, bool, time.Duration, url.URL, a type with an UnmarshalText method, a slice or map of those, or a parser registered with config.WithParser",
		"PORT: not an integer; want a whole number such as 42",
	}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestLoad_notEmptyUnset: an unset notEmpty variable is reported as not set,
// one set to "" as empty.
func TestLoad_notEmptyUnset(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Full string `env:"FULL,notEmpty"`
	}
	_, err := config.Load[cfg](config.WithEnvironment(nil))
	if diff := cmp.Diff([]string{"FULL: required but not set; want a string value"}, problems(t, err)); diff != "" {
		t.Errorf("unset (-want +got):\n%s", diff)
	}
	_, err = config.Load[cfg](config.WithEnvironment(map[string]string{"FULL": ""}))
	if diff := cmp.Diff([]string{"FULL: set but empty; want a string value"}, problems(t, err)); diff != "" {
		t.Errorf("empty (-want +got):\n%s", diff)
	}
}

// TestWithParser: a registered parser makes a type config cannot read
// loadable and documented, its failures join the same report with the want
// given, and its error is reachable with errors.Unwrap.
func TestWithParser(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Admin  mail.Address   `env:"ADMIN"`
		Others []mail.Address `env:"OTHERS"`
		Port   int            `env:"PORT"`
	}
	errBad := errors.New("bad address")
	parse := func(s string) (mail.Address, error) {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return mail.Address{}, errors.Join(errBad, err)
		}
		return *a, nil
	}
	if _, err := config.Describe(cfg{}); !errors.Is(err, config.ErrStruct) {
		t.Errorf("Describe without the parser = %v, want ErrStruct", err)
	}
	opt := config.WithParser(parse, "an address such as ops@example.com")
	d, err := config.Describe(cfg{}, opt)
	if err != nil || len(d.Vars) != 3 || d.Vars[0].Type != "net/mail.Address" && d.Vars[0].Type != "mail.Address" {
		t.Errorf("Describe = %+v, %v", d.Vars, err)
	}
	got, err := config.Load[cfg](opt, config.WithEnvironment(map[string]string{"ADMIN": "Ops <ops@example.com>", "OTHERS": "a@example.com,b@example.com"}))
	if err != nil || got.Admin.Address != "ops@example.com" || len(got.Others) != 2 {
		t.Fatalf("Load = %+v, %v", got, err)
	}
	_, err = config.Load[cfg](opt, config.WithEnvironment(map[string]string{"ADMIN": "not-an-address-canary", "OTHERS": "x", "PORT": "p"}))
	want := []string{
		"ADMIN: not a valid mail.Address; want an address such as ops@example.com",
		`OTHERS: not a valid list of mail.Address values; want one or more items separated by ",", each an address such as ops@example.com`,
		"PORT: not an integer; want a whole number such as 42",
	}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !errors.Is(err, errBad) {
		t.Error("the parser's error is not reachable with errors.Is")
	}
}
