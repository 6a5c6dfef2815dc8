package logging_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/logging"
)

// The value of the secret in these tests; it must never reach a stream.
const secretValue = "s3cr3t-v4lu3"

// TestSecret_redactedOnEveryPath logs a config.Secret through every path a
// service has and checks that the stream shows its redaction and never its
// value.
func TestSecret_redactedOnEveryPath(t *testing.T) {
	t.Parallel()
	secret := config.NewSecret(secretValue)
	type withSecret struct {
		Name string
		Key  config.Secret
	}
	tests := []struct {
		name      string
		log       func(*zap.Logger)
		redaction string // what must show instead; "" when nothing shows
	}{
		{"zap.Any", func(l *zap.Logger) { l.Info("m", zap.Any("key", secret)) }, config.Redacted},
		{"zap.Any pointer", func(l *zap.Logger) { l.Info("m", zap.Any("key", &secret)) }, config.Redacted},
		{"zap.Stringer", func(l *zap.Logger) { l.Info("m", zap.Stringer("key", secret)) }, config.Redacted},
		{"zap.Reflect", func(l *zap.Logger) { l.Info("m", zap.Reflect("key", secret)) }, config.Redacted},
		{"zap.Any struct", func(l *zap.Logger) { l.Info("m", zap.Any("cfg", withSecret{"n", secret})) }, config.Redacted},
		{"zap.Any unset", func(l *zap.Logger) { l.Info("m", zap.Any("key", config.Secret{})) }, config.Unset},
		{"zap With", func(l *zap.Logger) { l.With(zap.Any("key", secret)).Info("m") }, config.Redacted},
		{"Sugar Infow", func(l *zap.Logger) { l.Sugar().Infow("m", "key", secret) }, config.Redacted},
		{"Sugar Infof every verb", func(l *zap.Logger) {
			l.Sugar().Infof("%v %s %q %+v %#v %d %x %T", secret, secret, secret, secret, secret, secret, secret, secret)
		}, config.Redacted},
		{"Sugar Info", func(l *zap.Logger) { l.Sugar().Info("key ", secret) }, config.Redacted},
		{"Sugar Infoln", func(l *zap.Logger) { l.Sugar().Infoln("key", secret) }, config.Redacted},
		{"Sugar With", func(l *zap.Logger) { l.Sugar().With("key", secret).Info("m") }, config.Redacted},
		{"slog key-value", func(l *zap.Logger) { logging.NewSlog(l).Info("m", "key", secret) }, config.Redacted},
		{"slog.Any", func(l *zap.Logger) { logging.NewSlog(l).Info("m", slog.Any("key", secret)) }, config.Redacted},
		{"slog LogAttrs", func(l *zap.Logger) {
			logging.NewSlog(l).LogAttrs(context.Background(), slog.LevelInfo, "m", slog.Any("key", secret))
		}, config.Redacted},
		{"slog group", func(l *zap.Logger) { logging.NewSlog(l).Info("m", slog.Group("g", "key", secret)) }, config.Redacted},
		{"slog With", func(l *zap.Logger) { logging.NewSlog(l).With("key", secret).Info("m") }, config.Redacted},
		{"slog With group", func(l *zap.Logger) {
			logging.NewSlog(l).WithGroup("g").With(slog.Group("h", "key", secret)).Info("m")
		}, config.Redacted},
		{"slog struct", func(l *zap.Logger) { logging.NewSlog(l).Info("m", "cfg", withSecret{"n", secret}) }, config.Redacted},
		{"slog message", func(l *zap.Logger) { logging.NewSlog(l).Info(fmt.Sprint("key ", secret)) }, config.Redacted},
		{"middleware Authorization and Cookie", func(l *zap.Logger) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+secret.Reveal())
			r.Header.Set("Cookie", "session="+secret.Reveal())
			r.Header.Set("Proxy-Authorization", "Basic "+secret.Reveal())
			logging.Middleware(l)(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
		}, ""},
		{"middleware WithHeaders asking for them", func(l *zap.Logger) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+secret.Reveal())
			r.Header.Set("Cookie", "session="+secret.Reveal())
			logging.Middleware(l, logging.WithHeaders("Authorization", "Cookie"))(http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), r)
		}, config.Redacted},
	}
	for _, tt := range tests {
		for _, format := range []logging.Format{logging.FormatJSON, logging.FormatConsole} {
			t.Run(tt.name+"/"+format.String(), func(t *testing.T) {
				t.Parallel()
				log, buf := newLogger(logging.Config{Format: format})
				tt.log(log)
				out := buf.String()
				if out == "" {
					t.Fatal("nothing logged")
				}
				if strings.Contains(out, secretValue) {
					t.Errorf("the secret's value reached the stream:\n%s", out)
				}
				if tt.redaction != "" && !strings.Contains(out, tt.redaction) {
					t.Errorf("the stream does not show %s:\n%s", tt.redaction, out)
				}
			})
		}
	}
}
