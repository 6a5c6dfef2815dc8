package logging_test

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

func TestNew_json(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		keys logging.Keys
		want map[string]any
	}{
		{"zap keys", logging.KeysZap, map[string]any{
			"level": "warn", "ts": "2026-01-02T15:04:05.123456789Z", "msg": "disk low",
			"logger": "disk", "service": "shop", "release": "v1.2.3", "instance": "web.1",
			"free": num("0.5"), "after": num("1.5"),
		}},
		{"gcp keys", logging.KeysGCP, map[string]any{
			"severity": "WARNING", "time": "2026-01-02T15:04:05.123456789Z", "message": "disk low",
			"logger": "disk", "service": "shop", "release": "v1.2.3", "instance": "web.1",
			"free": num("0.5"), "after": num("1.5"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{Keys: tt.keys, Service: "shop"})
			log.Named("disk").Warn("disk low", zap.Float64("free", 0.5), zap.Duration("after", 1500*time.Millisecond))
			if diff := cmp.Diff(tt.want, only(t, buf)); diff != "" {
				t.Errorf("event (-want +got)\n%s", diff)
			}
		})
	}
}

func TestNew_gcpSeverities(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Keys: logging.KeysGCP, Level: logging.LevelDebug})
	log.Debug("d")
	log.Info("i")
	log.Warn("w")
	log.Error("e")
	log.DPanic("c") // a production logger does not panic on DPanic
	var got []any
	for _, ev := range buf.events(t) {
		got = append(got, ev["severity"])
	}
	want := []any{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("severities (-want +got)\n%s", diff)
	}
}

func TestNew_oneEventPerLine(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	log.Info("two\nlines", zap.String("field", "a\nb\r\nc"), zap.Error(errors.New("x\ny")))
	log.Info("second")
	if n := len(buf.lines()); n != 2 {
		t.Fatalf("got %d lines, want 2:\n%s", n, buf.String())
	}
	ev := buf.events(t)
	if ev[0]["msg"] != "two\nlines" || ev[0]["field"] != "a\nb\r\nc" || ev[0]["error"] != "x\ny" {
		t.Errorf("newlines not kept inside the event: %v", ev[0])
	}
}

func TestNew_timeIsRFC3339UTC(t *testing.T) {
	t.Parallel()
	buf := newBuffer()
	log := logging.New(logging.Config{}, logging.WithWriter(buf), logging.WithEnvironment(nil))
	before := time.Now()
	log.Info("now", zap.Time("at", time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))))
	after := time.Now()
	ev := only(t, buf)
	ts, _ := ev["ts"].(string)
	if !strings.HasSuffix(ts, "Z") {
		t.Errorf("ts = %q, want UTC (ending in Z)", ts)
	}
	got, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		t.Fatalf("ts = %q is not RFC 3339: %v", ts, err)
	}
	if got.Before(before.Truncate(time.Microsecond)) || got.After(after) {
		t.Errorf("ts = %v, want between %v and %v", got, before, after)
	}
	if ev["at"] != "2026-03-04T04:06:07Z" {
		t.Errorf("time field = %v, want 2026-03-04T04:06:07Z", ev["at"])
	}
}

func TestNew_level(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		level logging.Level
		want  []any
	}{
		{logging.LevelDebug, []any{"debug", "info", "warn", "error"}},
		{logging.LevelInfo, []any{"info", "warn", "error"}},
		{logging.LevelWarn, []any{"warn", "error"}},
		{logging.LevelError, []any{"error"}},
		{logging.LevelError + 3, []any{"error"}},
	} {
		t.Run(tt.level.String(), func(t *testing.T) {
			t.Parallel()
			log, buf := newLogger(logging.Config{Level: tt.level})
			log.Debug("m")
			log.Info("m")
			log.Warn("m")
			log.Error("m")
			var got []any
			for _, ev := range buf.events(t) {
				got = append(got, ev["level"])
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("levels written (-want +got)\n%s", diff)
			}
			if got, want := log.Level().String(), tt.level.String(); got != want {
				t.Errorf("Logger.Level() = %s, want %s", got, want)
			}
		})
	}
}

func TestNew_staticFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      map[string]string
		release  any
		instance any
	}{
		{"none", map[string]string{}, nil, nil},
		{"RELEASE first", map[string]string{"RELEASE": "r", "SOURCE_VERSION": "s", "HEROKU_SLUG_COMMIT": "h"}, "r", nil},
		{"SOURCE_VERSION", map[string]string{"SOURCE_VERSION": "s", "HEROKU_SLUG_COMMIT": "h"}, "s", nil},
		{"HEROKU_SLUG_COMMIT", map[string]string{"HEROKU_SLUG_COMMIT": "h", "RENDER_GIT_COMMIT": "x"}, "h", nil},
		{"RENDER_GIT_COMMIT", map[string]string{"RENDER_GIT_COMMIT": "x", "RAILWAY_GIT_COMMIT_SHA": "y"}, "x", nil},
		{"RAILWAY_GIT_COMMIT_SHA", map[string]string{"RAILWAY_GIT_COMMIT_SHA": "y", "FLY_IMAGE_REF": "z"}, "y", nil},
		{"FLY_IMAGE_REF", map[string]string{"FLY_IMAGE_REF": "z", "K_REVISION": "k"}, "z", nil},
		{"K_REVISION", map[string]string{"K_REVISION": "k"}, "k", nil},
		{"empty RELEASE falls through", map[string]string{"RELEASE": "", "SOURCE_VERSION": "s"}, "s", nil},
		{"DYNO first", map[string]string{"DYNO": "web.1", "POD_NAME": "p", "HOSTNAME": "h"}, nil, "web.1"},
		{"POD_NAME", map[string]string{"POD_NAME": "p", "FLY_ALLOC_ID": "f", "HOSTNAME": "h"}, nil, "p"},
		{"FLY_ALLOC_ID", map[string]string{"FLY_ALLOC_ID": "f", "RENDER_INSTANCE_ID": "r"}, nil, "f"},
		{"RENDER_INSTANCE_ID", map[string]string{"RENDER_INSTANCE_ID": "r", "RAILWAY_REPLICA_ID": "y"}, nil, "r"},
		{"RAILWAY_REPLICA_ID", map[string]string{"RAILWAY_REPLICA_ID": "y", "HOSTNAME": "h"}, nil, "y"},
		{"HOSTNAME", map[string]string{"HOSTNAME": "h"}, nil, "h"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			buf := newBuffer()
			log := logging.New(logging.Config{Service: "svc"}, logging.WithWriter(buf), logging.WithEnvironment(tt.env))
			log.Info("m")
			ev := only(t, buf)
			if ev["service"] != "svc" || ev["release"] != tt.release || ev["instance"] != tt.instance {
				t.Errorf("service, release, instance = %v, %v, %v; want svc, %v, %v",
					ev["service"], ev["release"], ev["instance"], tt.release, tt.instance)
			}
		})
	}
}

func TestNew_defaultServiceAndInstance(t *testing.T) {
	t.Parallel()
	buf := newBuffer()
	// The process environment is read; only variables this test does not
	// control could change the instance, so it is compared with the
	// documented fallbacks.
	log := logging.New(logging.Config{}, logging.WithWriter(buf))
	log.Info("m")
	ev := only(t, buf)
	if ev["service"] != "logging.test" {
		t.Errorf("service = %v, want the test binary's name logging.test", ev["service"])
	}
	want := ""
	for _, v := range []string{"DYNO", "POD_NAME", "FLY_ALLOC_ID", "RENDER_INSTANCE_ID", "RAILWAY_REPLICA_ID", "HOSTNAME"} {
		if want = os.Getenv(v); want != "" {
			break
		}
	}
	if want == "" {
		want, _ = os.Hostname()
	}
	if got, _ := ev["instance"].(string); got != want {
		t.Errorf("instance = %q, want %q", got, want)
	}
}

func TestNew_console(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Format: logging.FormatConsole, Service: "shop"})
	log.Info("order placed", zap.Int("order", 42))
	lines := buf.lines()
	if len(lines) != 1 {
		t.Fatalf("got %d lines, want 1:\n%s", len(lines), buf.String())
	}
	re := regexp.MustCompile(`^15:04:05\.123\tINFO\torder placed\t\{"service": "shop", "release": "v1.2.3", "instance": "web.1", "order": 42\}$`)
	if !re.MatchString(lines[0]) {
		t.Errorf("console line = %q, want it to match %s", lines[0], re)
	}
}

func TestNew_consoleNoColorOffTerminal(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	log := logging.New(logging.Config{Format: logging.FormatConsole}, logging.WithWriter(w), logging.WithEnvironment(nil))
	log.Warn("careful")
	w.Close()
	got := make([]byte, 4096)
	n, _ := r.Read(got)
	if s := string(got[:n]); strings.Contains(s, "\x1b[") || !strings.Contains(s, "\tWARN\tcareful") {
		t.Errorf("console line to a pipe = %q, want WARN without colour codes", s)
	}
}

func TestNew_sampling(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		sampling bool
		want     int
	}{
		{false, 250},
		{true, 101}, // the first 100, then the 100th of the next 150
	} {
		t.Run(map[bool]string{false: "off", true: "on"}[tt.sampling], func(t *testing.T) {
			t.Parallel()
			// The sampler counts per second of event time: with a fixed
			// clock every event falls in the same second.
			log, buf := newLogger(logging.Config{Sampling: tt.sampling})
			for range 250 {
				log.Info("same message")
			}
			if got := len(buf.lines()); got != tt.want {
				t.Errorf("got %d events, want %d", got, tt.want)
			}
		})
	}
}

func TestNew_syncReachesWriter(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	log.Info("m")
	if err := log.Sync(); err != nil {
		t.Fatalf("Sync: %v", err)
	}
	buf.mu.Lock()
	syncs := buf.syncs
	buf.mu.Unlock()
	if syncs != 1 {
		t.Errorf("writer synced %d times, want 1", syncs)
	}
}

func TestNew_syncPipeIsNotAnError(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := w.Sync(); err == nil {
		t.Skip("this system syncs pipes; nothing to hide")
	}
	log := logging.New(logging.Config{}, logging.WithWriter(w), logging.WithEnvironment(nil))
	if err := log.Sync(); err != nil {
		t.Errorf("Sync on a pipe = %v, want nil", err)
	}
}

func TestNew_syncFileErrorIsReported(t *testing.T) {
	t.Parallel()
	f, err := os.Create(t.TempDir() + "/log")
	if err != nil {
		t.Fatal(err)
	}
	f.Close() // Sync on a closed file fails
	log := logging.New(logging.Config{}, logging.WithWriter(f), logging.WithEnvironment(nil))
	if err := log.Sync(); err == nil {
		t.Error("Sync on a closed file = nil, want its error")
	}
}

func TestNew_clockKeepsDerivedLoggers(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	log.With(zap.String("a", "b")).Named("n").WithOptions(zap.AddCaller()).Info("m")
	ev := only(t, buf)
	if ev["ts"] != "2026-01-02T15:04:05.123456789Z" || ev["a"] != "b" || ev["logger"] != "n" {
		t.Errorf("event = %v, want the fixed time, a=b and logger n", ev)
	}
	if c, _ := ev["caller"].(string); !strings.HasPrefix(c, "logging/logger_test.go:") {
		t.Errorf("caller = %q, want logging/logger_test.go:<line>", c)
	}
}
