package config_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/twelvekit/twelvekit/config"
)

// withSecret is a config whose only difference between two loads is a
// secret.
type withSecret struct {
	Port   int
	APIKey config.Secret
	DB     struct{ Password *config.Secret }
}

func twoConfigs() (a, b withSecret) {
	s1, s2 := config.NewSecret("sk_live_first-canary"), config.NewSecret("sk_live_second-canary")
	a = withSecret{Port: 1, APIKey: s1}
	a.DB.Password = &s1
	b = withSecret{Port: 1, APIKey: s2}
	b.DB.Password = &s2
	return a, b
}

// everyString walks v by reflection as a printer that reads unexported
// fields and follows every pointer does, and returns every string and byte
// slice it can read. What it cannot reach, no such printer can.
func everyString(v reflect.Value, seen map[uintptr]bool, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Kind() == reflect.Pointer {
			if seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
		}
		everyString(v.Elem(), seen, out)
	case reflect.Struct:
		for i := range v.NumField() {
			everyString(v.Field(i), seen, out)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			*out = append(*out, string(v.Bytes()))
			return
		}
		for i := range v.Len() {
			everyString(v.Index(i), seen, out)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			everyString(it.Key(), seen, out)
			everyString(it.Value(), seen, out)
		}
	case reflect.Func:
		// A function's captured variables are out of reflection's reach;
		// only its code address is visible.
		*out = append(*out, fmt.Sprint(v.Pointer()))
	}
}

func TestSecret_reflection(t *testing.T) {
	t.Parallel()
	a, b := twoConfigs()
	var all []string
	everyString(reflect.ValueOf(&a), map[uintptr]bool{}, &all)
	if joined := strings.Join(all, "\n"); strings.Contains(joined, "canary") {
		t.Errorf("reflection reaches the value:\n%s", joined)
	}

	diff := cmp.Diff(a, b)
	if diff == "" {
		t.Error("cmp.Diff of configs that differ in a secret is empty")
	}
	if strings.Contains(diff, "canary") {
		t.Errorf("cmp.Diff shows the value:\n%s", diff)
	}
	if !cmp.Equal(a, a) || cmp.Equal(a, b) {
		t.Error("cmp.Equal does not compare the secrets' values")
	}
	c := a
	s := config.NewSecret(a.APIKey.Reveal())
	c.APIKey, c.DB.Password = s, &s
	if !cmp.Equal(a, c) {
		t.Error("cmp.Equal of two secrets holding the same value is false")
	}

	for _, format := range []string{"%p", "%v", "%+v", "%#v", "%x"} {
		for _, arg := range []any{a, &a, a.APIKey, &a.APIKey, a.DB.Password} {
			if out := fmt.Sprintf(format, arg); strings.Contains(out, "canary") || strings.Contains(out, fmt.Sprintf("%x", "canary")) {
				t.Errorf("Sprintf(%q, %T) = %q shows the value", format, arg, out)
			}
		}
	}
	if a.APIKey.Reveal() != "sk_live_first-canary" || !a.APIKey.Equal(*a.DB.Password) {
		t.Error("Reveal or Equal lost the value")
	}
}
