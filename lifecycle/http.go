package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
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
	a.reqs = newInFlight()
	if a.kind == kindHTTP {
		probesHere := cfg.ManagementPort == 0
		if probesHere {
			handler = g.withProbes(handler)
		}
		handler = g.closeWhenStopping(handler, probesHere)
	}
	handler = a.reqs.track(handler)
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
	// Every request's context descends from the actor's, which the stop
	// cancels once the requests' grace has passed; a BaseContext set with
	// WithServer is kept as the parent.
	own := srv.BaseContext
	srv.BaseContext = func(l net.Listener) context.Context {
		parent := context.Background()
		if own != nil {
			parent = own(l)
		}
		ctx, cancel := context.WithCancel(parent)
		context.AfterFunc(a.reqs.ctx, cancel)
		return ctx
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

// inFlight keeps the requests an HTTP actor's handler is serving, so that
// the stop can wait for them (hijacked connections included, which
// http.Server.Shutdown does not see) and name those that ignore their
// context, and the context every request's context descends from.
type inFlight struct {
	ctx    context.Context
	cancel context.CancelFunc

	mu   sync.Mutex
	reqs map[*http.Request]struct{}
	idle chan struct{} // closed when reqs becomes empty; nil when nobody waits
}

func newInFlight() *inFlight {
	ctx, cancel := context.WithCancel(context.Background())
	return &inFlight{ctx: ctx, cancel: cancel, reqs: make(map[*http.Request]struct{})}
}

// track wraps h so that every request it serves is kept while it runs.
func (f *inFlight) track(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs[r] = struct{}{}
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			delete(f.reqs, r)
			if len(f.reqs) == 0 && f.idle != nil {
				close(f.idle)
				f.idle = nil
			}
			f.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

// errRequestsRunning is the result of a wait that gave up on requests still
// running.
var errRequestsRunning = errors.New("lifecycle: requests still running")

// wait returns nil once no request runs, or errRequestsRunning when until
// or abort is closed first.
func (f *inFlight) wait(until, abort <-chan struct{}) error {
	f.mu.Lock()
	if len(f.reqs) == 0 {
		f.mu.Unlock()
		return nil
	}
	if f.idle == nil {
		f.idle = make(chan struct{})
	}
	idle := f.idle
	f.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-until:
	case <-abort:
	}
	return errRequestsRunning
}

// names returns the method and path of every request still running,
// sorted, for the message of a timeout.
func (f *inFlight) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for r := range f.reqs {
		out = append(out, r.Method+" "+r.URL.Path)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// ShuttingDown returns a channel closed when the servers of the group stop
// accepting, once the drain has ended: from then on, the requests in flight
// should finish. Their contexts are cancelled when the requests' grace has
// passed (see [Group.Run]); a handler that holds a hijacked connection,
// which http.Server.Shutdown neither sees nor closes, uses ShuttingDown to
// close it cleanly and return, as http.Server.RegisterOnShutdown is used,
// but per connection. For a websocket:
//
//	select {
//	case <-g.ShuttingDown():
//		// 1001 "going away": the client reconnects, to another instance.
//		conn.Close(websocket.StatusGoingAway, "server restarting")
//		return
//	case <-r.Context().Done():
//		return
//	case msg := <-incoming:
//		// ...
//	}
//
// A handler that returns when its request's context is done needs nothing
// more; one that ignores both holds the stop until SHUTDOWN_TIMEOUT, and is
// named then. ShuttingDown may be called at any time, from any goroutine.
func (g *Group) ShuttingDown() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shutting == nil {
		g.shutting = make(chan struct{})
	}
	return g.shutting
}

// closeShutting closes the channel of ShuttingDown, once.
func (g *Group) closeShutting() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.shutting == nil {
		g.shutting = make(chan struct{})
	}
	select {
	case <-g.shutting:
	default:
		close(g.shutting)
	}
}
