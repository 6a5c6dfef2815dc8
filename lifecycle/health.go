package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"slices"
	"time"

	"go.uber.org/zap"
)

// Paths of the probes.
const (
	livezPath  = "/livez"
	readyzPath = "/readyz"
)

// probeMux returns a mux answering the probes, for the management server.
func (g *Group) probeMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc(livezPath, g.serveLive)
	mux.HandleFunc(readyzPath, g.serveReady)
	return mux
}

// withProbes answers the probes ahead of h.
func (g *Group) withProbes(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case livezPath:
			g.serveLive(w, r)
		case readyzPath:
			g.serveReady(w, r)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// serveLive answers 200 for as long as the process serves it.
func (g *Group) serveLive(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyBody is the JSON body of /readyz.
type readyBody struct {
	// Status is "ready", "starting", "stopping" or "failing".
	Status string `json:"status"`
	// Pending names the startup functions not yet done.
	Pending []string `json:"pending,omitempty"`
	// Failing names the checks that failed or timed out.
	Failing []string      `json:"failing,omitempty"`
	Checks  []checkResult `json:"checks,omitempty"`
}

// checkResult is one check's outcome in the body of /readyz.
type checkResult struct {
	Name string `json:"name"`
	// Status is "ok", "failed" or "timeout".
	Status     string  `json:"status"`
	Error      string  `json:"error,omitempty"`
	DurationMS float64 `json:"duration_ms"`
}

// serveReady answers 503 while starting and from the first moment of a stop,
// and otherwise runs every check concurrently.
func (g *Group) serveReady(w http.ResponseWriter, r *http.Request) {
	state := g.state.Load()
	g.traffic.probeRequest(r, state == stateStopping)
	switch state {
	case stateStopping:
		writeJSON(w, http.StatusServiceUnavailable, readyBody{Status: "stopping"})
		return
	case stateStarting:
		body := readyBody{Status: "starting"}
		if p := g.pending.Load(); p != nil {
			body.Pending = *p
		}
		writeJSON(w, http.StatusServiceUnavailable, body)
		return
	}
	g.mu.Lock()
	checks := g.checks
	g.mu.Unlock()
	results := g.runChecks(r.Context(), checks)
	body := readyBody{Status: "ready", Checks: results}
	code := http.StatusOK
	for _, res := range results {
		if res.Status != "ok" {
			body.Failing = append(body.Failing, res.Name)
		}
	}
	if len(body.Failing) > 0 {
		body.Status = "failing"
		code = http.StatusServiceUnavailable
	}
	if g.state.Load() == stateStopping {
		body.Status = "stopping"
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, body)
}

// runChecks runs every check concurrently, each bounded by its timeout. A
// check that ignores its context is reported as timed out when its timeout
// passes and abandoned: Run does not wait for it, and names it if the stop
// times out while it runs.
func (g *Group) runChecks(ctx context.Context, checks []*check) []checkResult {
	results := make([]checkResult, len(checks))
	done := make(chan struct{}, len(checks))
	for i, c := range checks {
		go func() {
			defer func() { done <- struct{}{} }()
			results[i] = g.runCheck(ctx, c)
		}()
	}
	for range checks {
		<-done
	}
	return results
}

func (g *Group) runCheck(ctx context.Context, c *check) checkResult {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	errc := make(chan error, 1)
	g.checkBusy(c.name, 1)
	go func() {
		defer g.checkBusy(c.name, -1)
		errc <- callCheck(ctx, c)
	}()
	res := checkResult{Name: c.name, Status: "ok"}
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		select {
		case err = <-errc: // it answered just in time
		default:
			err = fmt.Errorf("no answer within %s", c.timeout)
		}
	}
	var perr *PanicError
	if errors.As(err, &perr) {
		g.logger().Error("readiness check panicked", zap.String("check", c.name),
			zap.String("panic", fmt.Sprint(perr.Value)), zap.ByteString("stack", perr.Stack))
	}
	if err != nil {
		res.Status, res.Error = "failed", err.Error()
		if ctx.Err() != nil {
			res.Status = "timeout"
		}
	}
	res.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return res
}

// callCheck runs a check, turning a panic into an error.
func callCheck(ctx context.Context, c *check) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Actor: "check " + c.name, Value: r, Stack: debug.Stack()}
		}
	}()
	return c.fn(ctx)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		code = http.StatusInternalServerError
		b = []byte(`{"status":"error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_, _ = w.Write(append(b, '\n'))
}

// checkBusy counts the runs of the check name still going on.
func (g *Group) checkBusy(name string, delta int) {
	g.checksMu.Lock()
	defer g.checksMu.Unlock()
	if g.checksBusy == nil {
		g.checksBusy = make(map[string]int)
	}
	g.checksBusy[name] += delta
	if g.checksBusy[name] <= 0 {
		delete(g.checksBusy, name)
	}
	if len(g.checksBusy) == 0 && g.checkIdle != nil {
		select {
		case g.checkIdle <- struct{}{}:
		default:
		}
	}
}

// busyChecks returns the names of the checks still running, sorted.
func (g *Group) busyChecks() []string {
	g.checksMu.Lock()
	defer g.checksMu.Unlock()
	names := make([]string, 0, len(g.checksBusy))
	for n := range g.checksBusy {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
