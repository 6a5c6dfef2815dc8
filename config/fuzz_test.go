package config_test

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
	"github.com/twelvekit/twelvekit/config"
)

// fuzzed holds one field of each kind config parses.
type fuzzed struct {
	I    int               `env:"I"`
	I8   int8              `env:"I8"`
	U    uint64            `env:"U"`
	F    float32           `env:"F"`
	B    bool              `env:"B"`
	D    time.Duration     `env:"D"`
	URL  url.URL           `env:"URL"`
	List []int             `env:"LIST"`
	Map  map[string]uint16 `env:"MAP"`
	T    time.Time         `env:"T"`
	Lvl  level             `env:"LVL"`
	S    string            `env:"S,required"`
	Key  config.Secret     `env:"KEY,required"`
}

var fuzzedKeys = []string{"I", "I8", "U", "F", "B", "D", "URL", "LIST", "MAP", "T", "LVL", "S"}

// vocabulary is every word config can say about fuzzed, so that a value that
// happens to be one of those words is not taken for a leak.
func vocabulary(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, env := range []map[string]string{{}, allSet("\x00")} {
		_, err := config.Load[fuzzed](config.WithEnvironment(env))
		if err != nil {
			b.WriteString(err.Error())
		}
	}
	return b.String()
}

func allSet(v string) map[string]string {
	env := map[string]string{}
	for _, k := range fuzzedKeys {
		env[k] = v
	}
	return env
}

func leaks(msg, value, vocab string) bool {
	return len(value) >= 4 && strings.Contains(msg, value) && !strings.Contains(vocab, value)
}

// FuzzLoad sets every variable to the same value: loading never panics, every
// problem is one of the documented kinds, no message quotes the value, and a
// secret's value changes nothing in the report.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{"", "42", "-1", "300", "1e400", "true", "30s", "http://[::1", "a:1,b:2", "1,2,x", "2026-01-02T15:04:05Z", "debug", "verbose", "\x00", "%zz", "💥", strings.Repeat("9", 400)} {
		f.Add(seed, "hunter2")
	}
	vocab := vocabulary(f)
	f.Fuzz(func(t *testing.T, value, secret string) {
		env := allSet(value)
		env["KEY"] = secret
		_, err := config.Load[fuzzed](config.WithEnvironment(env))
		if err == nil {
			return
		}
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("error %T is not a *config.Error", err)
		}
		for _, p := range cerr.Problems {
			if !errors.Is(p, config.ErrInvalid) && !errors.Is(p, config.ErrMissing) {
				t.Errorf("problem %q is neither ErrInvalid nor ErrMissing", p)
			}
			if p.Var == "" {
				t.Errorf("problem %q names no variable", p)
			}
		}
		msg := err.Error()
		if leaks(msg, value, vocab) {
			t.Errorf("report quotes the value %q:\n%s", value, msg)
		}
		if secret != "" {
			env["KEY"] = "another-secret"
			_, err2 := config.Load[fuzzed](config.WithEnvironment(env))
			if err2 == nil || err2.Error() != msg {
				t.Errorf("the secret's value changed the report:\n%s\nvs\n%v", msg, err2)
			}
		}
	})
}

// FuzzDotEnv reads arbitrary bytes as a .env file: never a panic; a file that
// godotenv refuses gives exactly the one ErrFile line, which quotes nothing of
// the file; a file it reads gives problems that quote none of its values.
func FuzzDotEnv(f *testing.F) {
	for _, seed := range []string{
		"", "I=1\nS=x\nKEY=k\n", "export I=2\n# c\nS='q'\nKEY=\"a\\nb\"\n", "I=${S}\nS=1\n", "=\n", "A B\n", "S=\"unterminated\n",
		"KEY=`x`\n", "I: 5\n", "D=3 parsecs # comment\n", "\xff\xfe", "LIST=1,2,nope\nKEY=s3cret-in-file\n",
	} {
		f.Add([]byte(seed))
	}
	vocab := vocabulary(f)
	f.Fuzz(func(t *testing.T, content []byte) {
		// godotenv expands ${VAR} references to earlier lines, so lines that
		// each reference the previous one twice grow exponentially: a
		// 100-byte file can expand to gigabytes. .env files are trusted
		// local input (see WithDotEnv), so the fuzzer is kept to files with
		// few references, which cannot blow up, instead of hanging on them.
		if bytes.Count(content, []byte("$")) > 8 {
			t.Skip("more than 8 ${VAR} references")
		}
		path := filepath.Join(t.TempDir(), "fuzz.env")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load[fuzzed](config.WithEnvironment(nil), config.WithDotEnv(path))
		parsed, perr := godotenv.UnmarshalBytes(content)
		if perr != nil {
			var cerr *config.Error
			if !errors.As(err, &cerr) || !errors.Is(cerr.Problems[0], config.ErrFile) {
				t.Fatalf("godotenv refuses the file but Load says %v", err)
			}
			if got, want := cerr.Problems[0].Error(), ".env file "+path+" does not parse; want one NAME=value per line, values with spaces or # in quotes"; got != want {
				t.Errorf("problem = %q, want %q", got, want)
			}
			return
		}
		if err == nil {
			return
		}
		msg := strings.ReplaceAll(err.Error(), path, "")
		for _, v := range parsed {
			if leaks(msg, v, vocab) {
				t.Errorf("report quotes the value %q:\n%s", v, msg)
			}
		}
	})
}
