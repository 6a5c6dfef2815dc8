package logging_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
	"github.com/twelvekit/twelvekit/logging/loggingtest"
)

// srvLevel sets log's level through LevelHandler, failing the test unless it
// answers 200.
func srvLevel(t testing.TB, log *zap.Logger, level string) {
	t.Helper()
	code, body := do(logging.LevelHandler(log), http.MethodPut, "", `{"level":"`+level+`"}`)
	if code != http.StatusOK {
		t.Fatalf("PUT level %s: %d %s", level, code, body)
	}
}

func do(h http.Handler, method, contentType, body string) (int, string) {
	r := httptest.NewRequest(method, "/log/level", strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestLevelHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		contentType string
		body        string
		code        int
		response    string
		level       string // after the request
	}{
		{"GET", http.MethodGet, "", "", 200, `{"level":"info"}`, "info"},
		{"HEAD", http.MethodHead, "", "", 200, `{"level":"info"}`, "info"},
		{"PUT JSON", http.MethodPut, "application/json", `{"level":"debug"}`, 200, `{"level":"debug"}`, "debug"},
		{"PUT JSON any case", http.MethodPut, "", ` {"level":"WARN"} `, 200, `{"level":"warn"}`, "warn"},
		{"PUT form", http.MethodPut, "application/x-www-form-urlencoded", "level=error", 200, `{"level":"error"}`, "error"},
		{"PUT form without type", http.MethodPut, "", "level=debug", 200, `{"level":"debug"}`, "debug"},
		{"PUT curl -d debug", http.MethodPut, "application/x-www-form-urlencoded", "debug", 200, `{"level":"debug"}`, "debug"},
		{"PUT text/plain", http.MethodPut, "text/plain; charset=utf-8", "WARN\n", 200, `{"level":"warn"}`, "warn"},
		{"PUT JSON with type", http.MethodPut, "application/json", `{"level":"error"}`, 200, `{"level":"error"}`, "error"},
		{"PUT form, other keys", http.MethodPut, "application/x-www-form-urlencoded", "x=1&level=warn", 200, `{"level":"warn"}`, "warn"},
		{"PUT form without level", http.MethodPut, "application/x-www-form-urlencoded", "lvl=debug", 400, "", "info"},
		{"PUT word", http.MethodPut, "text/plain", "warn\n", 200, `{"level":"warn"}`, "warn"},
		{"PUT unknown", http.MethodPut, "", `{"level":"fatal"}`, 400,
			`{"error":"logging: no valid level in the body; want one of debug, info, warn, error, as {\"level\":\"debug\"}"}`, "info"},
		{"PUT bad JSON", http.MethodPut, "", `{"level":`, 400, "", "info"},
		{"PUT empty", http.MethodPut, "", "", 400, "", "info"},
		{"PUT too big", http.MethodPut, "", strings.Repeat(" ", 2000) + "debug", 400, "", "info"},
		{"POST", http.MethodPost, "", "debug", 405, "", "info"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, _ := newLogger(logging.Config{})
			code, body := do(logging.LevelHandler(log), tt.method, tt.contentType, tt.body)
			if code != tt.code {
				t.Errorf("status = %d, want %d (%s)", code, tt.code, body)
			}
			if tt.response != "" && strings.TrimSpace(body) != tt.response {
				t.Errorf("body = %s, want %s", body, tt.response)
			}
			if got := log.Level().String(); got != tt.level {
				t.Errorf("level after = %s, want %s", got, tt.level)
			}
		})
	}
}

func TestLevelHandler_changeIsLoggedAndShared(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Level: logging.LevelInfo})
	derived := log.With(zap.String("a", "b")).Named("sub")
	srvLevel(t, derived, "error") // through a derived logger: the level is the process's
	log.Warn("dropped")
	derived.Info("dropped")
	logging.NewSlog(log).Warn("dropped")
	log.Error("kept")
	srvLevel(t, log, "debug")
	derived.Debug("kept too")
	var got []string
	for _, ev := range buf.events(t) {
		got = append(got, ev["level"].(string)+" "+ev["msg"].(string))
	}
	want := []string{
		"info log level changed", // written although the level is now error
		"error kept",
		"info log level changed",
		"debug kept too",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got)\n%s", diff)
	}
	ev := buf.events(t)[0]
	if ev["from"] != "info" || ev["to"] != "error" || ev["logger"] != "sub" || ev["a"] != "b" {
		t.Errorf("change event = %v, want from info to error, logger sub, a=b", ev)
	}
}

func TestLevelHandler_foreignLogger(t *testing.T) {
	t.Parallel()
	log, _ := loggingtest.New(t)
	h := logging.LevelHandler(log.WithOptions(zap.IncreaseLevel(zap.WarnLevel)))
	if code, body := do(h, http.MethodGet, "", ""); code != 200 || strings.TrimSpace(body) != `{"level":"warn"}` {
		t.Errorf("GET = %d %s, want 200 {\"level\":\"warn\"}", code, body)
	}
	code, body := do(h, http.MethodPut, "", "debug")
	if code != http.StatusNotImplemented || !strings.Contains(body, "build it with logging.New") {
		t.Errorf("PUT = %d %s, want 501 saying to build it with logging.New", code, body)
	}
	if code, _ := do(logging.LevelHandler(nil), http.MethodPut, "", "debug"); code != http.StatusNotImplemented {
		t.Errorf("PUT on a nil logger = %d, want 501", code)
	}
}

func TestLevelHandler_sampledLogger(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Sampling: true})
	srvLevel(t, log.With(zap.String("a", "b")), "debug")
	log.Debug("now written")
	var got []string
	for _, ev := range buf.events(t) {
		got = append(got, ev["msg"].(string))
	}
	if diff := cmp.Diff([]string{"log level changed", "now written"}, got); diff != "" {
		t.Errorf("events (-want +got)\n%s", diff)
	}
}

func TestSetLevel(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Level: logging.LevelInfo})
	sl := logging.NewSlog(log.Named("lib"))
	if err := logging.SetLevel(log.With(zap.String("k", "v")), logging.LevelDebug); err != nil {
		t.Fatalf("SetLevel = %v, want nil", err)
	}
	if !log.Core().Enabled(zap.DebugLevel) || !sl.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("debug is not enabled on the logger and its slog front end after SetLevel(debug)")
	}
	if err := logging.SetLevel(log, logging.LevelError+3); err != nil {
		t.Fatal(err)
	}
	if got := log.Level(); got != zap.ErrorLevel {
		t.Errorf("level = %v after SetLevel(above error), want error", got)
	}
	ev := buf.events(t)
	if len(ev) != 2 || ev[0]["msg"] != "log level changed" || ev[0]["from"] != "info" || ev[0]["to"] != "debug" || ev[1]["to"] != "error" {
		t.Errorf("events = %v, want two level changes info->debug, debug->error", ev)
	}
	if err := logging.SetLevel(zap.NewNop(), logging.LevelDebug); !errors.Is(err, logging.ErrFixedLevel) {
		t.Errorf("SetLevel on a zap.NewNop logger = %v, want ErrFixedLevel", err)
	}
	if err := logging.SetLevel(nil, logging.LevelDebug); !errors.Is(err, logging.ErrFixedLevel) {
		t.Errorf("SetLevel(nil) = %v, want ErrFixedLevel", err)
	}
}
