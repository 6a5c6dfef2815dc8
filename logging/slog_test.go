package logging_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

func TestNewSlog_slogtest(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		keys                 logging.Keys
		time, level, message string
	}{
		{logging.KeysZap, "ts", "level", "msg"},
		{logging.KeysGCP, "time", "severity", "message"},
	} {
		t.Run(tt.keys.String(), func(t *testing.T) {
			t.Parallel()
			var buf *buffer
			slogtest.Run(t, func(*testing.T) slog.Handler {
				buf = newBuffer()
				log := logging.New(logging.Config{Keys: tt.keys}, logging.WithWriter(buf), logging.WithEnvironment(nil))
				return logging.NewSlog(log).Handler()
			}, func(t *testing.T) map[string]any {
				ev := only(t, buf)
				// slogtest expects slog's names for the fixed keys.
				for from, to := range map[string]string{tt.time: slog.TimeKey, tt.level: slog.LevelKey, tt.message: slog.MessageKey} {
					if v, ok := ev[from]; ok {
						delete(ev, from)
						ev[to] = v
					}
				}
				return ev
			})
		})
	}
}

func TestNewSlog_fields(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Service: "shop"})
	sl := logging.NewSlog(log.Named("orders").With(zap.String("zap_field", "z")))
	sl.With("user", "ann").WithGroup("req").Info("placed",
		slog.String("s", "v"),
		slog.Int("i", -3),
		slog.Uint64("u", 7),
		slog.Float64("f", 2.5),
		slog.Bool("b", true),
		slog.Duration("d", 250*time.Millisecond),
		slog.Time("t", time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)),
		slog.Any("err", errors.New("broken")),
		slog.Any("list", []int{1, 2}),
		slog.Group("g", slog.Int("x", 1), slog.Group("", slog.Int("inlined", 2))),
	)
	want := map[string]any{
		"level": "info", "ts": "2026-01-02T15:04:05.123456789Z", "msg": "placed", "logger": "orders",
		"service": "shop", "release": "v1.2.3", "instance": "web.1",
		"zap_field": "z", "user": "ann",
		"req": map[string]any{
			"s": "v", "i": num("-3"), "u": num("7"), "f": num("2.5"), "b": true, "d": num("0.25"),
			"t": "2026-05-06T07:08:09Z", "err": "broken", "list": []any{num("1"), num("2")},
			"g": map[string]any{"x": num("1"), "inlined": num("2")},
		},
	}
	if diff := cmp.Diff(want, only(t, buf)); diff != "" {
		t.Errorf("event (-want +got)\n%s", diff)
	}
}

func TestNewSlog_levels(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Level: logging.LevelDebug})
	sl := logging.NewSlog(log)
	ctx := context.Background()
	for _, l := range []slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelInfo - 1, slog.LevelInfo, slog.LevelWarn - 1, slog.LevelWarn, slog.LevelError - 1, slog.LevelError, slog.LevelError + 4} {
		sl.Log(ctx, l, "m")
	}
	var got []any
	for _, ev := range buf.events(t) {
		got = append(got, ev["level"])
	}
	want := []any{"debug", "debug", "debug", "info", "info", "warn", "warn", "error", "error"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("levels (-want +got)\n%s", diff)
	}
}

func TestNewSlog_sharesLevel(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Level: logging.LevelWarn})
	sl := logging.NewSlog(log)
	ctx := context.Background()
	if sl.Enabled(ctx, slog.LevelInfo) {
		t.Error("info enabled on a warn logger")
	}
	sl.Info("dropped")
	srvLevel(t, log, "debug")
	if !sl.Enabled(ctx, slog.LevelDebug) {
		t.Error("debug not enabled after the level was set to debug")
	}
	sl.Debug("kept")
	var msgs []string
	for _, ev := range buf.events(t) {
		msgs = append(msgs, ev["msg"].(string))
	}
	if diff := cmp.Diff([]string{"log level changed", "kept"}, msgs); diff != "" {
		t.Errorf("messages (-want +got)\n%s", diff)
	}
}

func TestNewSlog_source(t *testing.T) {
	t.Parallel()
	for _, withSource := range []bool{false, true} {
		log, buf := newLogger(logging.Config{})
		var opts []logging.Option
		if withSource {
			opts = append(opts, logging.WithSource())
		}
		logging.NewSlog(log, opts...).Info("here")
		caller, ok := only(t, buf)["caller"].(string)
		switch {
		case withSource && !strings.HasPrefix(caller, "logging/slog_test.go:"):
			t.Errorf("with WithSource, caller = %q, want logging/slog_test.go:<line>", caller)
		case !withSource && ok:
			t.Errorf("without WithSource, caller = %q, want none", caller)
		}
	}
}

func TestNewSlog_nil(t *testing.T) {
	t.Parallel()
	sl := logging.NewSlog(nil, nil)
	if sl.Enabled(context.Background(), slog.LevelError) {
		t.Error("a slog logger of a nil zap logger is enabled")
	}
	sl.Error("nothing happens")
}

func TestNewSlog_withoutAttrsKeepsHandler(t *testing.T) {
	t.Parallel()
	log, _ := newLogger(logging.Config{})
	h := logging.NewSlog(log).Handler()
	if h.WithAttrs(nil) != h || h.WithGroup("") != h {
		t.Error("WithAttrs(nil) or WithGroup(\"\") returned a new handler, want the receiver")
	}
	if h.WithAttrs([]slog.Attr{{}, slog.Group("empty")}) != h {
		t.Error("WithAttrs of attributes slog ignores returned a new handler")
	}
}

// failingWriter fails every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestNewSlog_writeError(t *testing.T) {
	t.Parallel()
	log := logging.New(logging.Config{}, logging.WithWriter(failingWriter{}), logging.WithEnvironment(nil))
	h := logging.NewSlog(log).Handler()
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "m", 0)
	r.AddAttrs(slog.Int("n", 1))
	if err := h.Handle(context.Background(), r); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Handle error = %v, want the writer's", err)
	}
}

// TestWithSource_new: WithSource given to New adds the caller to the
// logger's zap calls and to the slog calls of NewSlog made from it; a logger
// built without it has none on either.
func TestWithSource_new(t *testing.T) {
	t.Parallel()
	for _, withSource := range []bool{false, true} {
		var opts []logging.Option
		if withSource {
			opts = append(opts, logging.WithSource())
		}
		log, buf := newLogger(logging.Config{}, opts...)
		log.Info("zap")
		logging.NewSlog(log).Info("slog")
		evs := buf.events(t)
		if len(evs) != 2 {
			t.Fatalf("%d events, want 2", len(evs))
		}
		for _, ev := range evs {
			caller, ok := ev["caller"].(string)
			switch {
			case withSource && !strings.HasPrefix(caller, "logging/slog_test.go:"):
				t.Errorf("%v with WithSource given to New: caller = %q, want logging/slog_test.go:<line>", ev["msg"], caller)
			case !withSource && ok:
				t.Errorf("%v without WithSource: caller = %q, want none", ev["msg"], caller)
			}
		}
	}
}

func TestNewSlog_sampledLogger(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{Sampling: true})
	sl := logging.NewSlog(log, logging.WithSource()).With("a", "b")
	for range 250 {
		sl.Info("same", "n", 1)
	}
	ev := buf.events(t)
	if len(ev) != 101 {
		t.Fatalf("got %d events, want 101 (100, then the 200th)", len(ev))
	}
	if c, _ := ev[0]["caller"].(string); ev[0]["a"] != "b" || !strings.HasPrefix(c, "logging/slog_test.go:") {
		t.Errorf("event = %v, want a=b and the caller", ev[0])
	}
}

func TestNewSlog_groupsAndDerivedFieldsOnManyAttrs(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	sl := logging.NewSlog(log).WithGroup("g")
	args := []any{slog.Attr{}} // ignored: the group opens at the first real attribute
	for i := range 20 {        // more than a pooled slice holds
		args = append(args, fmt.Sprintf("k%02d", i), i)
	}
	sl.Info("many", args...)
	sl.Info("none")
	ev := buf.events(t)
	g, _ := ev[0]["g"].(map[string]any)
	if len(g) != 20 || g["k19"] != num("19") {
		t.Errorf("group g = %v, want k00..k19", g)
	}
	if _, ok := ev[1]["g"]; ok {
		t.Errorf("an event without attributes has the group: %v", ev[1])
	}
}
