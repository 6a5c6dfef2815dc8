package logging_test

import (
	"bytes"
	stdlog "log"
	"os"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

// Not parallel: it changes the log package's standard logger.
func TestRedirectStdLog(t *testing.T) {
	var before bytes.Buffer
	stdlog.SetOutput(&before)
	stdlog.SetFlags(stdlog.LstdFlags)
	stdlog.SetPrefix("app: ")
	t.Cleanup(func() {
		stdlog.SetOutput(os.Stderr)
		stdlog.SetFlags(stdlog.LstdFlags)
		stdlog.SetPrefix("")
	})

	log, buf := newLogger(logging.Config{Level: logging.LevelDebug})
	restore := logging.RedirectStdLog(log.WithOptions(zap.AddCaller()), logging.LevelWarn)
	stdlog.Printf("disk %d%% full", 91)
	stdlog.Println("two\nlines")
	stdlog.Default().Print("through Default")
	restore()
	stdlog.Print("after restore")

	ev := buf.events(t)
	if len(ev) != 3 {
		t.Fatalf("got %d events, want 3:\n%s", len(ev), buf.String())
	}
	for i, want := range []string{"disk 91% full", "two\nlines", "through Default"} {
		if ev[i]["msg"] != want || ev[i]["level"] != "warn" {
			t.Errorf("event %d = %v, want warn %q", i, ev[i], want)
		}
		if c, _ := ev[i]["caller"].(string); !strings.HasPrefix(c, "logging/stdlog_test.go:") {
			t.Errorf("event %d caller = %q, want logging/stdlog_test.go:<line>, the log.Print call", i, c)
		}
	}
	if got := before.String(); !strings.HasPrefix(got, "app: ") || !strings.HasSuffix(got, "after restore\n") || strings.Contains(got, "disk") {
		t.Errorf("after restore, the log package wrote %q, want only its own line with prefix and flags back", got)
	}
}

// Not parallel: it changes the log package's standard logger.
func TestRedirectStdLog_levelFilters(t *testing.T) {
	t.Cleanup(func() { stdlog.SetOutput(os.Stderr); stdlog.SetFlags(stdlog.LstdFlags) })
	log, buf := newLogger(logging.Config{Level: logging.LevelWarn})
	restore := logging.RedirectStdLog(log, logging.LevelInfo)
	stdlog.Print("below the level")
	restore()
	if got := buf.String(); got != "" {
		t.Errorf("an info event reached a warn logger: %s", got)
	}
	restore = logging.RedirectStdLog(nil, logging.LevelError)
	stdlog.Print("discarded")
	restore()
}
