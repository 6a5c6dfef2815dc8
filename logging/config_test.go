package logging_test

import (
	"encoding"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/logging"
)

type textValue interface {
	encoding.TextMarshaler
	encoding.TextUnmarshaler
}

func TestConfig_textForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		new   func() textValue
		in    string
		want  string // MarshalText after UnmarshalText; "" for an error
		error string
	}{
		{"level debug", func() textValue { return new(logging.Level) }, "debug", "debug", ""},
		{"level INFO", func() textValue { return new(logging.Level) }, "INFO", "info", ""},
		{"level warn", func() textValue { return new(logging.Level) }, "warn", "warn", ""},
		{"level warning", func() textValue { return new(logging.Level) }, "Warning", "warn", ""},
		{"level error", func() textValue { return new(logging.Level) }, " error ", "error", ""},
		{"level fatal", func() textValue { return new(logging.Level) }, "fatal", "", "not a log level; want one of debug, info, warn, error"},
		{"level empty", func() textValue { return new(logging.Level) }, "", "", "not a log level; want one of debug, info, warn, error"},
		{"format json", func() textValue { return new(logging.Format) }, "json", "json", ""},
		{"format console", func() textValue { return new(logging.Format) }, "Console", "console", ""},
		{"format text", func() textValue { return new(logging.Format) }, "text", "", "not a log format; want json or console"},
		{"keys zap", func() textValue { return new(logging.Keys) }, "zap", "zap", ""},
		{"keys gcp", func() textValue { return new(logging.Keys) }, "GCP", "gcp", ""},
		{"keys ecs", func() textValue { return new(logging.Keys) }, "ecs", "", "not a key preset; want zap or gcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.new()
			err := v.UnmarshalText([]byte(tt.in))
			if tt.error != "" {
				if err == nil || err.Error() != tt.error {
					t.Fatalf("UnmarshalText(%q) error = %v, want %q", tt.in, err, tt.error)
				}
				return
			}
			if err != nil {
				t.Fatalf("UnmarshalText(%q): %v", tt.in, err)
			}
			got, err := v.MarshalText()
			if err != nil || string(got) != tt.want {
				t.Fatalf("MarshalText() = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestLevel_String_clamps(t *testing.T) {
	t.Parallel()
	for l, want := range map[logging.Level]string{
		logging.LevelDebug - 3: "debug",
		logging.LevelDebug:     "debug",
		logging.LevelInfo:      "info",
		logging.LevelWarn:      "warn",
		logging.LevelError:     "error",
		logging.LevelError + 2: "error",
	} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q, want %q", int(l), got, want)
		}
	}
}

type app struct {
	Logging logging.Config
}

func TestConfig_load(t *testing.T) {
	t.Parallel()
	t.Run("defaults are the zero value", func(t *testing.T) {
		t.Parallel()
		got, err := config.Load[app](config.WithEnvironment(nil))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(app{}, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	t.Run("every variable", func(t *testing.T) {
		t.Parallel()
		got, err := config.Load[app](config.WithEnvironment(map[string]string{
			"LOG_LEVEL":    "debug",
			"LOG_FORMAT":   "console",
			"LOG_KEYS":     "gcp",
			"LOG_SAMPLING": "true",
			"SERVICE_NAME": "shop",
		}))
		if err != nil {
			t.Fatal(err)
		}
		want := app{logging.Config{
			Level:    logging.LevelDebug,
			Format:   logging.FormatConsole,
			Keys:     logging.KeysGCP,
			Sampling: true,
			Service:  "shop",
		}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got)\n%s", diff)
		}
	})
	t.Run("bad values name the variable, not the value", func(t *testing.T) {
		t.Parallel()
		_, err := config.Load[app](config.WithEnvironment(map[string]string{
			"LOG_LEVEL":  "verbose-ish",
			"LOG_FORMAT": "pretty-ish",
			"LOG_KEYS":   "elastic-ish",
		}))
		var cerr *config.Error
		if !errors.As(err, &cerr) {
			t.Fatalf("Load error = %v, want a *config.Error", err)
		}
		msg := err.Error()
		// Each variable is named with logging's own words for what it
		// wants, and no value is quoted.
		for _, want := range []string{
			"LOG_LEVEL: not a log level; want one of debug, info, warn, error",
			"LOG_FORMAT: not a log format; want json or console",
			"LOG_KEYS: not a key preset; want zap or gcp",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("error does not contain %q:\n%s", want, msg)
			}
		}
		if strings.Contains(msg, "-ish") {
			t.Errorf("error quotes a value:\n%s", msg)
		}
		if len(cerr.Problems) != 3 {
			t.Errorf("got %d problems, want 3:\n%s", len(cerr.Problems), msg)
		}
	})
}
