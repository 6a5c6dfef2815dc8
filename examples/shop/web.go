package main

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// web is the web process type: the HTTP API on $PORT, with request logs,
// /livez, and /readyz checking the database and the schema.
func (s *service) web(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
	st, err := s.open(ctx, c)
	if err != nil {
		return err
	}
	api := &api{store: st, key: []byte(s.cfg.APIKey.Reveal())}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /orders", api.placeOrder)
	mux.HandleFunc("GET /orders/{id}", api.getOrder)
	mux.HandleFunc("GET /jobs", api.jobs)

	if err := g.Startup("schema", func(ctx context.Context) error { return waitForSchema(ctx, st, c.Log) }); err != nil {
		return err
	}
	if err := g.Check("database", 800*time.Millisecond, st.Ping); err != nil {
		return err
	}
	return g.HTTP("http", logging.Middleware(c.Log, logging.WithSkipPaths("/livez", "/readyz"))(mux))
}

// waitForSchema holds readiness until `shop migrate` has brought the schema
// up to date, so that a process started beside the release phase (a
// Kubernetes Job) waits for it instead of failing.
func waitForSchema(ctx context.Context, st *store, log *zap.Logger) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	warned := false
	for {
		err := st.SchemaCurrent(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !warned {
			log.Warn("waiting for the schema: run `shop migrate`", zap.Int("want_version", latestVersion()))
			warned = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// api serves the HTTP API.
type api struct {
	store *store
	key   []byte // API_KEY; empty for none
}

// placeOrder is POST /orders: {"sku": "A-1", "quantity": 2}. The order and
// its shipping job are stored together; the answer is 201 with the order.
func (a *api) placeOrder(w http.ResponseWriter, r *http.Request) {
	if len(a.key) > 0 {
		got := []byte(r.Header.Get("Authorization"))
		want := append([]byte("Bearer "), a.key...)
		if subtle.ConstantTimeCompare(got, want) != 1 {
			w.Header().Set("WWW-Authenticate", "Bearer")
			writeError(w, http.StatusUnauthorized, "send the header Authorization: Bearer <API_KEY>")
			return
		}
	}
	var in struct {
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, `send a JSON object such as {"sku": "A-1", "quantity": 2}`)
		return
	}
	if in.SKU == "" || len(in.SKU) > 64 || in.Quantity < 1 || in.Quantity > 1000 {
		writeError(w, http.StatusUnprocessableEntity, "sku must be 1 to 64 characters and quantity 1 to 1000")
		return
	}
	o, err := a.store.PlaceOrder(r.Context(), in.SKU, in.Quantity)
	if err != nil {
		logging.FromContext(r.Context()).Error("place order", zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "the order could not be stored; retry")
		return
	}
	w.Header().Set("Location", "/orders/"+strconv.FormatInt(o.ID, 10))
	writeJSON(w, http.StatusCreated, o)
}

// getOrder is GET /orders/{id}.
func (a *api) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	o, err := a.store.Order(r.Context(), id)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		writeError(w, http.StatusNotFound, "no such order")
	case err != nil:
		logging.FromContext(r.Context()).Error("read order", zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "the order could not be read; retry")
	default:
		writeJSON(w, http.StatusOK, o)
	}
}

// jobs is GET /jobs: how many jobs are queued, running, done and failed.
func (a *api) jobs(w http.ResponseWriter, r *http.Request) {
	counts, err := a.store.JobCounts(r.Context())
	if err != nil {
		logging.FromContext(r.Context()).Error("count jobs", zap.Error(err))
		writeError(w, http.StatusServiceUnavailable, "the queue could not be read; retry")
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
