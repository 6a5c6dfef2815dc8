package logging_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twelvekit/twelvekit/logging"
)

func TestWithRoute(t *testing.T) {
	t.Parallel()
	type routeKey struct{}
	// A router of its own kind: it names the route in a value the
	// function finds through the request it was given, as chi does.
	router := func(w http.ResponseWriter, r *http.Request) {
		if slot, ok := r.Context().Value(routeKey{}).(*string); ok && r.URL.Path == "/orders/7" {
			*slot = "/orders/{id}"
		}
		w.WriteHeader(http.StatusNoContent)
	}
	var calledAfter bool
	tests := []struct {
		name  string
		path  string
		opts  []logging.MiddlewareOption
		route any // nil: no route field
	}{
		{"matched", "/orders/7", nil, "/orders/{id}"},
		{"no route", "/elsewhere", nil, ""},
		{"nil function: ServeMux pattern only", "/orders/7", []logging.MiddlewareOption{logging.WithRoute(nil)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, buf := newLogger(logging.Config{})
			opts := append([]logging.MiddlewareOption{logging.WithRoute(func(r *http.Request) string {
				slot, _ := r.Context().Value(routeKey{}).(*string)
				calledAfter = *slot != "" || r.URL.Path != "/orders/7"
				return *slot
			})}, tt.opts...)
			h := logging.Middleware(log, opts...)(http.HandlerFunc(router))
			var slot string
			r := httptest.NewRequest(http.MethodGet, tt.path, nil)
			r = r.WithContext(contextWith(r, routeKey{}, &slot))
			h.ServeHTTP(httptest.NewRecorder(), r)
			ev := only(t, buf)
			got, has := ev["route"]
			if tt.route == nil {
				if has {
					t.Errorf("route = %v, want none", got)
				}
				return
			}
			if !has || got != tt.route {
				t.Errorf("route = %v (present %v), want %q", got, has, tt.route)
			}
			if !calledAfter {
				t.Error("the route function ran before the handler named the route")
			}
		})
	}
}

// A route function that panics (chi's recipe without its nil check, with
// Middleware wrapped around the router instead of mounted in it) costs the
// route field, not the request: the handler's answer stands and one event
// is logged with an empty route and a route_error.
func TestWithRoute_panickingFunction(t *testing.T) {
	t.Parallel()
	log, buf := newLogger(logging.Config{})
	type rc struct{ pattern string }
	h := logging.Middleware(log, logging.WithRoute(func(r *http.Request) string {
		var c *rc // what a router's lookup gives outside the router
		return c.pattern
	}))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/orders/7", nil))
	if rec.Code != http.StatusAccepted {
		t.Errorf("status = %d, want the handler's 202", rec.Code)
	}
	ev := only(t, buf)
	if ev["route"] != "" || ev["route_error"] == nil {
		t.Errorf("route = %v, route_error = %v; want \"\" and a route_error", ev["route"], ev["route_error"])
	}
	if fmt.Sprint(ev["status"]) != "202" {
		t.Errorf("status field = %v, want 202", ev["status"])
	}
}
