package logging

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// LevelHandler returns an http.Handler that shows and changes at run time
// the level of log and of every logger that shares it (see [New]):
//
//   - GET (or HEAD) answers 200 and {"level":"info"}.
//   - PUT sets the level from a body that is {"level":"debug"} (JSON, as zap's
//     own handler takes), level=debug (a form), or just debug (as text, or
//     as the form curl sends for curl -X PUT -d debug), whatever the
//     Content-Type says; the level is debug, info, warn or error in any case. It answers 200 and the new
//     level, or 400 and {"error":"..."} saying what to send. A change is
//     logged as the event "log level changed" with the fields from and to,
//     written whatever the level, so the stream shows why it got louder or
//     quieter.
//   - Other methods get 405.
//
// When log was not built by [New], or its core was wrapped since (for
// example with zap.WrapCore or zap.IncreaseLevel), GET shows the lowest level
// the logger writes and PUT answers 501: its level cannot be changed.
//
// The handler does no authentication: mount it on an internal port or behind
// your own access control. It is safe for concurrent use.
func LevelHandler(log *zap.Logger) http.Handler {
	if log == nil {
		log = zap.NewNop()
	}
	return &levelHandler{log: log, root: rootOf(log)}
}

type levelHandler struct {
	log  *zap.Logger
	root *core
}

func (h *levelHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		writeLevel(w, http.StatusOK, h.current())
	case http.MethodPut:
		h.put(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{
			"error": "logging: method not allowed; GET shows the level, PUT sets it",
		})
	}
}

func (h *levelHandler) current() zapcore.Level {
	if h.root != nil {
		return h.root.level.Level()
	}
	return zapcore.LevelOf(h.log.Core())
}

func (h *levelHandler) put(w http.ResponseWriter, r *http.Request) {
	if h.root == nil {
		writeJSON(w, http.StatusNotImplemented, map[string]string{"error": ErrFixedLevel.Error()})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<10))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error": "logging: unreadable body; send {\"level\":\"debug\"} of at most 1 KiB",
		})
		return
	}
	lv, ok := parseLevel(levelText(body))
	if !ok {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error": "logging: no valid level in the body; want " + errLevel.want + `, as {"level":"debug"}`,
		})
		return
	}
	setLevel(h.log, h.root, lv)
	writeLevel(w, http.StatusOK, lv.zap())
}

// ErrFixedLevel is returned by [SetLevel] for a logger whose level cannot be
// changed: one not built by [New], or whose core was wrapped since.
var ErrFixedLevel = errors.New("logging: this logger's level is fixed; build it with logging.New to change its level at run time")

// SetLevel sets the level of log, and of every logger that shares it (see
// [New]), to l, as a PUT to [LevelHandler] does: levels below LevelDebug act
// as LevelDebug and above LevelError as LevelError, and the change is logged
// as the event "log level changed" with the fields from and to, whatever the
// new level. It returns ErrFixedLevel, and changes nothing, when log was not
// built by New or its core was wrapped since (zap.WrapCore,
// zap.IncreaseLevel). It is safe for concurrent use.
func SetLevel(log *zap.Logger, l Level) error {
	root := rootOf(log)
	if root == nil {
		return ErrFixedLevel
	}
	setLevel(log, root, l)
	return nil
}

// setLevel sets root's level and writes the change with the core's Write,
// which does not check the level, so that it is in the stream whatever the
// new level is.
func setLevel(log *zap.Logger, root *core, l Level) {
	to := l.zap()
	from := root.level.Level()
	root.level.SetLevel(to)
	ent := zapcore.Entry{
		Level:      zapcore.InfoLevel,
		Time:       time.Now(),
		LoggerName: log.Name(),
		Message:    "log level changed",
	}
	if root.now != nil {
		ent.Time = root.now()
	}
	_ = log.Core().Write(ent, []zapcore.Field{
		zap.Stringer("from", from),
		zap.Stringer("to", to),
	})
}

// levelText finds the level in a PUT body: a JSON object, a form or a word.
func levelText(body []byte) string {
	body = bytes.TrimSpace(body)
	switch {
	case bytes.HasPrefix(body, []byte("{")):
		var p struct {
			Level string `json:"level"`
		}
		if json.Unmarshal(body, &p) != nil {
			return ""
		}
		return p.Level
	case bytes.ContainsRune(body, '='):
		// A form, as curl -d level=debug sends, whatever its type says.
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return ""
		}
		return q.Get("level")
	}
	// A word: text/plain, or the form of curl -d debug, whose only key is
	// the level itself.
	return string(body)
}

func writeLevel(w http.ResponseWriter, code int, l zapcore.Level) {
	writeJSON(w, code, map[string]string{"level": l.String()})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
