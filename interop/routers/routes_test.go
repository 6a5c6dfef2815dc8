package routers_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/gorilla/mux"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// chiRoute is the recipe of logging.WithRoute for chi: the pattern chi
// matched, read once the handler has returned, while the router's context
// is still the request's.
func chiRoute(r *http.Request) string {
	if rc := chi.RouteContext(r.Context()); rc != nil {
		return rc.RoutePattern()
	}
	return ""
}

// muxRoute is the recipe for gorilla/mux: the path template of the route
// that matched; "" when none did (the router's NotFoundHandler).
func muxRoute(r *http.Request) string {
	if route := mux.CurrentRoute(r); route != nil {
		t, _ := route.GetPathTemplate()
		return t
	}
	return ""
}

func TestWithRoute_chi(t *testing.T) {
	log, buf := newLogger(nil, logging.Config{})
	r := chi.NewRouter()
	r.Use(logging.Middleware(log, logging.WithRoute(chiRoute)))
	ok := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }
	r.Get("/orders/{id}", ok)
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/users/{user}/carts/{cart}", ok)
		r.Mount("/admin", func() http.Handler {
			sub := chi.NewRouter()
			sub.Get("/jobs/{job}", ok)
			return sub
		}())
	})
	srv := serve(t, r)
	defer srv.Client().CloseIdleConnections()

	checkRoutes(t, srv, buf, []routeCase{
		{"/orders/6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b", 204, "/orders/{id}"},
		{"/api/v1/users/ann/carts/42", 204, "/api/v1/users/{user}/carts/{cart}"},
		{"/api/v1/admin/jobs/7", 204, "/api/v1/admin/jobs/{job}"},
		{"/nothing/here", 404, ""},
	})
}

// Middleware wrapped around the chi router, instead of mounted with Use,
// runs outside chi's route context: the recipe's nil check gives "", and
// the unchecked form (what the doc once showed) costs only the route field.
func TestWithRoute_chiWrapped(t *testing.T) {
	unchecked := func(r *http.Request) string { return chi.RouteContext(r.Context()).RoutePattern() }
	for name, f := range map[string]func(*http.Request) string{"recipe": chiRoute, "unchecked": unchecked} {
		t.Run(name, func(t *testing.T) {
			log, buf := newLogger(nil, logging.Config{})
			r := chi.NewRouter()
			r.Get("/orders/{id}", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
			srv := serve(t, logging.Middleware(log, logging.WithRoute(f))(r))
			defer srv.Client().CloseIdleConnections()
			if got := get(t, srv.Client(), srv.URL+"/orders/7", nil); got != http.StatusNoContent {
				t.Fatalf("GET /orders/7 = %d, want 204", got)
			}
			ev := requestEvents(t, buf)
			if len(ev) != 1 || ev[0]["route"] != "" || fmt.Sprint(ev[0]["status"]) != "204" {
				t.Fatalf("events = %v, want one with route \"\" and status 204", ev)
			}
		})
	}
}

func TestWithRoute_gorillaMux(t *testing.T) {
	log, buf := newLogger(nil, logging.Config{})
	mw := logging.Middleware(log, logging.WithRoute(muxRoute))
	r := mux.NewRouter()
	r.Use(mw)
	ok := func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }
	r.HandleFunc("/orders/{id}", ok).Methods(http.MethodGet)
	r.HandleFunc("/orders/{id:[0-9]+}/items/{item}", ok).Methods(http.MethodGet)
	api := r.PathPrefix("/api").Subrouter()
	api.HandleFunc("/users/{user}", ok)
	r.NotFoundHandler = mw(http.NotFoundHandler())
	srv := serve(t, r)
	defer srv.Client().CloseIdleConnections()

	checkRoutes(t, srv, buf, []routeCase{
		{"/orders/6f0f5c9e-3b8e-4f0a-9d2c-1b7e6a5d4c3b", 204, "/orders/{id}"},
		{"/orders/42/items/x9", 204, "/orders/{id:[0-9]+}/items/{item}"},
		{"/api/users/ann", 204, "/api/users/{user}"},
		{"/nothing/here", 404, ""},
	})
}

// routeCase is a request and the status and route its event must carry.
type routeCase struct {
	path   string
	status int
	route  string
}

// checkRoutes sends GET for each case to srv, in order, and checks that
// each was answered with its status and logged to buf as one request event
// with its path and route.
func checkRoutes(t *testing.T, srv *httptest.Server, buf *testkit.Buffer, tests []routeCase) {
	t.Helper()
	for _, tt := range tests {
		if got := get(t, srv.Client(), srv.URL+tt.path, nil); got != tt.status {
			t.Fatalf("GET %s = %d, want %d", tt.path, got, tt.status)
		}
	}
	ev := requestEvents(t, buf)
	if len(ev) != len(tests) {
		t.Fatalf("got %d request events, want %d", len(ev), len(tests))
	}
	for i, tt := range tests {
		route, has := ev[i]["route"]
		if !has || route != tt.route {
			t.Errorf("GET %s: route = %v (present %v), want %q", tt.path, route, has, tt.route)
		}
		if ev[i]["path"] != tt.path {
			t.Errorf("GET %s: path = %v", tt.path, ev[i]["path"])
		}
	}
}
