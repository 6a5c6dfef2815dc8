package loggingtest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
	"github.com/twelvekit/twelvekit/logging/loggingtest"
)

// exampleT stands in for the *testing.T a test passes to New, since an
// Example has none: it runs the cleanups New registers and reports no
// failure.
type exampleT struct {
	testing.TB
	cleanups []func()
}

func (t *exampleT) Helper()          {}
func (t *exampleT) Failed() bool     { return false }
func (t *exampleT) Cleanup(f func()) { t.cleanups = append(t.cleanups, f) }

// Example checks what a handler logs: the request's event with its fields,
// and an event the handler logged through the request's logger, found with
// the observer's filters. In a test, pass the test's t to New.
func Example() {
	t := &exampleT{}
	defer func() {
		for _, f := range t.cleanups {
			f()
		}
	}()

	log, logs := loggingtest.New(t)
	h := logging.Middleware(log)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging.FromContext(r.Context()).Info("order shipped")
		w.WriteHeader(http.StatusAccepted)
	}))
	r := httptest.NewRequest(http.MethodPost, "/orders/7/ship", nil)
	r.Header.Set("X-Request-ID", "req-1")
	h.ServeHTTP(httptest.NewRecorder(), r)

	for _, e := range logs.FilterMessage("request").All() {
		f := e.ContextMap()
		fmt.Println(e.Level, e.Message, f["method"], f["path"], f["status"], f["request_id"])
	}
	shipped := logs.FilterMessage("order shipped").FilterField(zap.String("request_id", "req-1"))
	fmt.Println(shipped.Len(), "event logged with the request's ID")
	// Output:
	// info request POST /orders/7/ship 202 req-1
	// 1 event logged with the request's ID
}
