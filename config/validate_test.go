package config_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

type server struct {
	Port    int `env:"PORT" envDefault:"8080"`
	MinPort int `env:"MIN_PORT" envDefault:"1024"`
}

func (s *server) Validate() error {
	if s.Port < s.MinPort {
		return &config.FieldError{Var: "PORT", Problem: "below MIN_PORT", Want: "a port of MIN_PORT or more"}
	}
	return nil
}

type limits struct {
	Min int `env:"MIN"`
	Max int `env:"MAX"`
}

var errInverted = errors.New("MIN is above MAX")

func (l limits) Validate() error {
	var errs []error
	if l.Min > l.Max {
		errs = append(errs, errInverted)
	}
	if l.Max > 100 {
		errs = append(errs, &config.FieldError{Var: "MAX", Problem: "above 100", Want: "100 or less"})
	}
	return errors.Join(errs...)
}

type service struct {
	HTTP   server `envPrefix:"HTTP_"`
	Limits limits `envPrefix:"LIMITS_"`
	Name   string `env:"NAME"`
	calls  *int
}

func (s *service) Validate() error {
	if s.calls != nil {
		*s.calls++
	}
	if s.Name == "forbidden" {
		return errors.New("NAME may not be forbidden")
	}
	return nil
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"all valid", map[string]string{"APP_LIMITS_MAX": "10"}, nil},
		{"nested names its variable with prefixes", map[string]string{"APP_HTTP_PORT": "80", "APP_LIMITS_MAX": "10"}, []string{
			"APP_HTTP_PORT: below MIN_PORT; want a port of MIN_PORT or more",
		}},
		{"joined errors, one line each, struct errors named by field", map[string]string{"APP_LIMITS_MIN": "200", "APP_LIMITS_MAX": "150"}, []string{
			"Limits: MIN is above MAX",
			"APP_LIMITS_MAX: above 100; want 100 or less",
		}},
		{"root and nested, in field order", map[string]string{"APP_NAME": "forbidden", "APP_HTTP_PORT": "1", "APP_LIMITS_MAX": "1"}, []string{
			"APP_HTTP_PORT: below MIN_PORT; want a port of MIN_PORT or more",
			"NAME may not be forbidden",
		}},
		{"skipped for a struct with a bad variable", map[string]string{"APP_HTTP_PORT": "x", "APP_LIMITS_MAX": "10"}, []string{
			"APP_HTTP_PORT: not an integer; want a whole number such as 42",
		}},
		{"a wrong nested variable does not skip the parent's Validate", map[string]string{"APP_HTTP_PORT": "x", "APP_NAME": "forbidden", "APP_LIMITS_MAX": "1"}, []string{
			"APP_HTTP_PORT: not an integer; want a whole number such as 42",
			"NAME may not be forbidden",
		}},
		{"joins the parse problems", map[string]string{"APP_HTTP_PORT": "x", "APP_LIMITS_MIN": "5", "APP_LIMITS_MAX": "1"}, []string{
			"APP_HTTP_PORT: not an integer; want a whole number such as 42",
			"Limits: MIN is above MAX",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := config.Load[service](config.WithPrefix("APP_"), config.WithEnvironment(tt.env))
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				return
			}
			if diff := cmp.Diff(tt.want, problems(t, err)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate_errorsIsReachesTheValidatorsError(t *testing.T) {
	t.Parallel()
	_, err := config.Load[service](config.WithEnvironment(map[string]string{"LIMITS_MIN": "2", "LIMITS_MAX": "1"}))
	if !errors.Is(err, errInverted) {
		t.Errorf("errors.Is(err, errInverted) = false for %v", err)
	}
	var fe *config.FieldError
	if !errors.As(err, &fe) || fe.Field != "Limits" {
		t.Errorf("FieldError = %+v, want Field Limits", fe)
	}
}

func TestValidate_calledOnce(t *testing.T) {
	t.Parallel()
	calls := 0
	s := service{calls: &calls}
	if err := config.Parse(&s, config.WithEnvironment(nil)); err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("root Validate called %d times, want 1", calls)
	}
}

type withPointer struct {
	Inner *server `env:",init" envPrefix:"INNER_"`
}

func TestValidate_throughPointer(t *testing.T) {
	t.Parallel()
	got, err := config.Load[withPointer](config.WithEnvironment(map[string]string{"INNER_PORT": "10"}))
	want := []string{"INNER_PORT: below MIN_PORT; want a port of MIN_PORT or more"}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if got.Inner == nil || got.Inner.Port != 10 {
		t.Errorf("Inner = %+v, want it allocated and read", got.Inner)
	}
}

type ownField struct {
	Port int    `env:"PORT"`
	Name string `env:"NAME"`
}

func (o ownField) Validate() error {
	return errors.New("Validate ran although PORT was wrong")
}

func TestValidate_skippedWhenOwnFieldIsWrong(t *testing.T) {
	t.Parallel()
	_, err := config.Load[ownField](config.WithEnvironment(map[string]string{"PORT": "x"}))
	want := []string{"PORT: not an integer; want a whole number such as 42"}
	if diff := cmp.Diff(want, problems(t, err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// describedErr words itself for the report the way a package that does not
// import config does: Problem and Want, and EnvVar for a Validate error.
type describedErr struct{ name string }

func (e *describedErr) Error() string   { return "other: " + e.name + ": too small" }
func (e *describedErr) EnvVar() string  { return e.name }
func (e *describedErr) Problem() string { return "too small" }
func (e *describedErr) Want() string    { return "a size of at least 2" }

type describedText struct{}

func (*describedText) UnmarshalText([]byte) error { return &describedErr{} }

type describedInner struct {
	Size int `env:"SIZE"`
}

func (describedInner) Validate() error { return &describedErr{name: "SIZE"} }

func TestValidate_describingErrors(t *testing.T) {
	t.Parallel()
	type app struct {
		Inner describedInner `envPrefix:"APP_"`
		Text  describedText  `env:"TEXT"`
	}
	_, err := config.Load[app](config.WithEnvironment(map[string]string{"APP_SIZE": "1", "TEXT": "x"}))
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load = %v, want a *config.Error", err)
	}
	got := map[string]string{}
	for _, p := range cerr.Problems {
		got[p.Var] = p.Problem + "; want " + p.Want
	}
	want := map[string]string{
		"APP_SIZE": "too small; want a size of at least 2",
		"TEXT":     "too small; want a size of at least 2",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got)\n%s", diff)
	}
}
