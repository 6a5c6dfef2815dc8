package admin_test

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/internal/redact/redacttest"
)

// TestBuiltins_corpus plants the canary in every credential place of the
// corpus, in variables named as a team might name them, in *_URL variables,
// in backing.URL fields, in defaults and pasted into NAME_FILE: config,
// config -doc (three formats) and backing print none of it, on stdout or
// stderr.
func TestBuiltins_corpus(t *testing.T) {
	t.Parallel()
	vals := redacttest.Values()
	env := map[string]string{}
	var fields []reflect.StructField
	add := func(typ reflect.Type, tag string) {
		fields = append(fields, reflect.StructField{Name: fmt.Sprintf("F%d", len(fields)), Type: typ, Tag: reflect.StructTag(tag)})
	}
	str, url := reflect.TypeFor[string](), reflect.TypeFor[backing.URL]()
	for i, v := range vals {
		if strings.ContainsRune(v, 0) {
			continue
		}
		name := fmt.Sprintf("PLAIN_%d", i)
		if i < len(redacttest.Names) {
			name = redacttest.Names[i]
		}
		env[name] = v
		add(str, `env:"`+name+`"`)
		add(str, fmt.Sprintf(`env:"DEFAULTED_%d" envDefault:%s`, i, strconv.Quote(v)))
		env[fmt.Sprintf("ATTACHED_%d_URL", i)] = v
		if _, err := backing.Parse(v); err == nil {
			env[fmt.Sprintf("TYPED_%d", i)] = v
			add(url, fmt.Sprintf(`env:"TYPED_%d"`, i))
		}
		env[fmt.Sprintf("PASTED_%d_FILE", i)] = v
		add(str, fmt.Sprintf(`env:"PASTED_%d"`, i))
	}
	cfg := reflect.New(reflect.StructOf(fields)).Interface()
	for _, args := range [][]string{
		{"config"}, {"config", "-doc"}, {"config", "-doc", "-format", "markdown"},
		{"config", "-doc", "-format", "dotenv"}, {"backing"},
	} {
		var out, errOut bytes.Buffer
		code := admin.New("shop", cfg).Run(context.Background(), args,
			admin.WithEnvironment(env), admin.WithLogger(zap.NewNop()), admin.WithOutput(&out, &errOut))
		if out.Len() == 0 {
			t.Fatalf("%v printed nothing (exit %d): %s", args, code, errOut.String())
		}
		if redacttest.Leaks(out.String()) || redacttest.Leaks(errOut.String()) {
			for _, line := range strings.Split(out.String()+errOut.String(), "\n") {
				if redacttest.Leaks(line) {
					t.Errorf("%v prints the canary: %s", args, line)
				}
			}
		}
	}
}

// TestBuiltins_showWhatIsNoCredential: config and backing keep showing
// ports, durations, levels, booleans, hosts and database names.
func TestBuiltins_showWhatIsNoCredential(t *testing.T) {
	t.Parallel()
	type cfg struct {
		Port  int         `env:"PORT" envDefault:"8080"`
		Debug bool        `env:"DEBUG"`
		DB    backing.URL `env:"DATABASE_URL"`
		Host  string      `env:"CACHE_HOST"`
	}
	env := map[string]string{"DEBUG": "true", "DATABASE_URL": "postgres://app:pw@db.internal:5433/shop?sslmode=require",
		"CACHE_HOST": "cache.internal", "LOG_LEVEL": "warn", "REDIS_URL": "redis://:pw@cache.internal:6380/2"}
	for args, wants := range map[string][]string{
		"config":  {"8080", "true", "postgres://app:[REDACTED]@db.internal:5433/shop?sslmode=require", "cache.internal", "warn", "json"},
		"backing": {"postgres://app:[REDACTED]@db.internal:5433/shop?sslmode=require", "redis://:[REDACTED]@cache.internal:6380/2"},
	} {
		var c cfg
		var out bytes.Buffer
		admin.New("shop", &c).Run(context.Background(), []string{args},
			admin.WithEnvironment(env), admin.WithLogger(zap.NewNop()), admin.WithOutput(&out, &out))
		for _, w := range wants {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%s does not show %q:\n%s", args, w, out.String())
			}
		}
		if strings.Contains(out.String(), ":pw@") {
			t.Errorf("%s shows a password:\n%s", args, out.String())
		}
	}
}
