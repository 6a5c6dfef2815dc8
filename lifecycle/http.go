package lifecycle

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// listen binds the listener of an HTTP or management actor and builds its
// server. The error names the actor and the address.
func (g *Group) listen(a *actor, cfg Config, log *zap.Logger) error {
	ln := a.http.ln
	if ln == nil {
		addr := a.http.addr
		if !a.http.addrSet {
			port := cfg.Port
			if a.kind == kindManagement {
				port = cfg.ManagementPort
			}
			addr = ":" + strconv.Itoa(port)
		}
		var err error
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("lifecycle: http %q cannot listen: %w; stop what holds the address or choose another port", a.name, err)
		}
	}
	a.ln = &closeNotifier{Listener: ln, closed: make(chan struct{})}

	handler := a.handler
	if a.kind == kindHTTP {
		probesHere := cfg.ManagementPort == 0
		if probesHere {
			handler = g.withProbes(handler)
		}
		handler = g.closeWhenStopping(handler, probesHere)
	}
	errLog, err := zap.NewStdLogAt(log.With(zap.String("actor", a.name)), zapcore.WarnLevel)
	if err != nil {
		errLog = zap.NewStdLog(log)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: defaultReadHeaderTimeout,
		IdleTimeout:       defaultIdleTimeout,
		ErrorLog:          errLog,
	}
	for _, f := range a.http.configure {
		f(srv)
	}
	a.conns = &connTracker{next: srv.ConnState, fresh: make(map[net.Conn]struct{})}
	srv.ConnState = a.conns.track
	a.srv = srv
	return nil
}

// connTracker keeps the connections of a server that have not yet sent a
// request (http.StateNew). http.Server.Shutdown closes idle connections at
// once, but waits 5 s before it treats a new one as idle; the group closes
// them itself when the drain ends, since the load balancer no longer sends on
// them, so that a client that connected and sent nothing (a browser's
// preconnect, a TCP check) does not hold the stop.
type connTracker struct {
	next  func(net.Conn, http.ConnState)
	mu    sync.Mutex
	fresh map[net.Conn]struct{}
	shut  bool
}

func (t *connTracker) track(c net.Conn, s http.ConnState) {
	t.mu.Lock()
	switch {
	case s == http.StateNew && t.shut:
		_ = c.Close()
	case s == http.StateNew:
		t.fresh[c] = struct{}{}
	default:
		delete(t.fresh, c)
	}
	t.mu.Unlock()
	if t.next != nil {
		t.next(c, s)
	}
}

// closeNew closes every connection that has sent no request yet, and any
// accepted from now on, and returns how many it closed.
func (t *connTracker) closeNew() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.shut = true
	n := len(t.fresh)
	for c := range t.fresh {
		_ = c.Close()
		delete(t.fresh, c)
	}
	return n
}

// serve runs the server of a on its listener until Shutdown or Close.
func serve(a *actor) error {
	err := a.srv.Serve(a.ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// closeWhenStopping records the arrival of every request but the probes for
// the drain, and asks, from the first moment of a stop, that each
// connection close after its response. Idle connections stay open until
// Shutdown closes them, after the drain, when the load balancer no longer
// uses them, so no request races a closing connection.
func (g *Group) closeWhenStopping(h http.Handler, probesHere bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !probesHere || (r.URL.Path != livezPath && r.URL.Path != readyzPath) {
			g.traffic.request()
		}
		if g.state.Load() == stateStopping {
			w.Header().Set("Connection", "close")
		}
		h.ServeHTTP(w, r)
	})
}

// closeNotifier tells when its listener has been closed, so that the group
// logs "servers stop accepting" only once they really have.
type closeNotifier struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *closeNotifier) Close() error {
	err := l.Listener.Close()
	l.once.Do(func() { close(l.closed) })
	return err
}
