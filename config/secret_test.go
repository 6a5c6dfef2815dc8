package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/config"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

const secretValue = "hunter2-do-not-print"

type holder struct {
	Exported config.Secret
	hidden   config.Secret
	Ptr      *config.Secret
	List     []config.Secret
}

func newHolder() holder {
	s := config.NewSecret(secretValue)
	return holder{Exported: s, hidden: s, Ptr: &s, List: []config.Secret{s}}
}

func TestSecret_fmt(t *testing.T) {
	t.Parallel()
	s := config.NewSecret(secretValue)
	h := newHolder()
	for _, format := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10s", "%-8v", "%T %v"} {
		for _, arg := range []any{s, &s, h, &h} {
			out := fmt.Sprintf(format, arg)
			if strings.Contains(out, secretValue) || strings.Contains(out, fmt.Sprintf("%x", secretValue)) {
				t.Errorf("Sprintf(%q, %T) = %q shows the value", format, arg, out)
			}
		}
	}
	if got := fmt.Sprintf("%v|%q|%#v", s, s, s); got != `[REDACTED]|"[REDACTED]"|[REDACTED]` {
		t.Errorf("verbs = %s", got)
	}
	if got := fmt.Sprint(config.Secret{}); got != "[UNSET]" {
		t.Errorf("unset Secret prints %q, want [UNSET]", got)
	}
	if got := fmt.Sprintf("%+v", h); !strings.Contains(got, "Exported:[REDACTED]") {
		t.Errorf("%%+v of a struct = %q, want Exported:[REDACTED]", got)
	}
}

func TestSecret_marshal(t *testing.T) {
	t.Parallel()
	h := newHolder()
	b, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"Exported":"[REDACTED]","Ptr":"[REDACTED]","List":["[REDACTED]"]}`; got != want {
		t.Errorf("json = %s, want %s", got, want)
	}
	b, _ = json.Marshal(struct{ S config.Secret }{})
	if string(b) != `{"S":"[UNSET]"}` {
		t.Errorf("json of unset = %s", b)
	}
	text, err := config.NewSecret(secretValue).MarshalText()
	if err != nil || string(text) != config.Redacted {
		t.Errorf("MarshalText = %q, %v", text, err)
	}
}

func TestSecret_slog(t *testing.T) {
	t.Parallel()
	s := config.NewSecret(secretValue)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		"text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var buf bytes.Buffer
		log := slog.New(h(&buf))
		log.Info("msg", "key", s, slog.Any("any", s), slog.Any("holder", newHolder()), "ptr", &s)
		log.With("with", s).WithGroup("g").Info("msg", "key", s)
		out := buf.String()
		if strings.Contains(out, secretValue) {
			t.Errorf("slog %s handler shows the value: %s", name, out)
		}
		if !strings.Contains(out, config.Redacted) {
			t.Errorf("slog %s handler shows no redaction: %s", name, out)
		}
	}
}

func TestSecret_zap(t *testing.T) {
	t.Parallel()
	s := config.NewSecret(secretValue)
	for _, enc := range []zapcore.Encoder{
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()),
	} {
		var buf bytes.Buffer
		log := zap.New(zapcore.NewCore(enc, zapcore.AddSync(&buf), zap.DebugLevel))
		log.Info("fields",
			zap.Any("any", s), zap.Any("anyptr", &s), zap.Stringer("stringer", s),
			zap.Reflect("reflect", s), zap.Reflect("holder", newHolder()), zap.Any("holderany", newHolder()))
		log.Sugar().Infow("sugar", "key", s, "holder", newHolder())
		log.Sugar().Infof("sugar %v %s %+v", s, s, newHolder())
		log.With(zap.Any("with", s)).Info("with")
		out := buf.String()
		if strings.Contains(out, secretValue) {
			t.Errorf("zap shows the value:\n%s", out)
		}
		if got := strings.Count(out, config.Redacted); got < 12 {
			t.Errorf("zap output has %d redactions, want at least 12:\n%s", got, out)
		}
	}
}

func TestSecret_valueAndEqual(t *testing.T) {
	t.Parallel()
	a, b, c := config.NewSecret("x"), config.NewSecret("x"), config.NewSecret("y")
	if !a.Equal(b) || a.Equal(c) || a.Equal(config.Secret{}) || !(config.Secret{}).Equal(config.NewSecret("")) {
		t.Error("Equal compares values wrongly")
	}
	if !a.IsSet() || (config.Secret{}).IsSet() || config.NewSecret("").IsSet() {
		t.Error("IsSet wrong")
	}
	var u config.Secret
	if err := u.UnmarshalText([]byte("v")); err != nil || u.Reveal() != "v" {
		t.Errorf("UnmarshalText: %q, %v", u.Reveal(), err)
	}
	if err := u.UnmarshalText(nil); err != nil || u.IsSet() {
		t.Errorf("UnmarshalText(nil) left it set")
	}
}
