package logging

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// request is everything Middleware keeps about one request, in one
// allocation: the response writer it hands to the handler and the request's
// context.
type request struct {
	ctx      reqCtx
	w        http.ResponseWriter
	status   int
	bytes    int64
	wrote    bool // a final status was sent
	hijacked bool
	idSlot   [1]string // the X-Request-ID response header's value slice
	idBuf    [36]byte  // a new request ID
	header   http.Header
	names    []string // request headers to log
	public   []string // of those, the ones declared with WithPublicHeaders
}

// newRecorder returns the request and the response writer to give the
// handler, which has exactly the optional interfaces (http.Flusher,
// http.Hijacker, io.ReaderFrom) that w has: none is hidden, none is faked.
// http.ResponseController reaches the rest through Unwrap.
func newRecorder(w http.ResponseWriter) (*request, http.ResponseWriter) {
	_, f := w.(http.Flusher)
	_, h := w.(http.Hijacker)
	_, r := w.(io.ReaderFrom)
	switch {
	case f && h && r:
		x := &rwFHR{}
		return &x.request, x
	case f && h:
		x := &rwFH{}
		return &x.request, x
	case f && r:
		x := &rwFR{}
		return &x.request, x
	case h && r:
		x := &rwHR{}
		return &x.request, x
	case f:
		x := &rwF{}
		return &x.request, x
	case h:
		x := &rwH{}
		return &x.request, x
	case r:
		x := &rwR{}
		return &x.request, x
	}
	x := &rw{}
	return &x.request, x
}

func (q *request) Header() http.Header { return q.w.Header() }

func (q *request) WriteHeader(code int) {
	if !q.wrote && !q.hijacked {
		if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
			q.w.WriteHeader(code) // informational: a final status follows
			return
		}
		q.status = code
		q.wrote = true
	}
	q.w.WriteHeader(code)
}

func (q *request) Write(p []byte) (int, error) {
	q.implicitOK()
	n, err := q.w.Write(p)
	q.bytes += int64(n)
	return n, err
}

// Unwrap returns the wrapped writer, for http.ResponseController.
func (q *request) Unwrap() http.ResponseWriter { return q.w }

// implicitOK records the 200 that net/http sends when a body is written or
// flushed before any status.
func (q *request) implicitOK() {
	if !q.wrote && !q.hijacked {
		q.status = http.StatusOK
		q.wrote = true
	}
}

func (q *request) flush() {
	q.implicitOK()
	q.w.(http.Flusher).Flush()
}

func (q *request) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := q.w.(http.Hijacker).Hijack()
	if err == nil {
		q.hijacked = true
	}
	return c, brw, err
}

func (q *request) readFrom(src io.Reader) (int64, error) {
	q.implicitOK()
	n, err := q.w.(io.ReaderFrom).ReadFrom(src)
	q.bytes += n
	return n, err
}

// finalStatus is the status to log: 101 for a connection hijacked before a
// status was sent, 200 when nothing at all was written (net/http sends 200).
func (q *request) finalStatus() int {
	switch {
	case q.wrote:
		return q.status
	case q.hijacked:
		return http.StatusSwitchingProtocols
	}
	return http.StatusOK
}

// The response writers, one per combination of optional interfaces.
type (
	rw    struct{ request }
	rwF   struct{ request }
	rwH   struct{ request }
	rwR   struct{ request }
	rwFH  struct{ request }
	rwFR  struct{ request }
	rwHR  struct{ request }
	rwFHR struct{ request }
)

func (w *rwF) Flush()   { w.flush() }
func (w *rwFH) Flush()  { w.flush() }
func (w *rwFR) Flush()  { w.flush() }
func (w *rwFHR) Flush() { w.flush() }

func (w *rwH) Hijack() (net.Conn, *bufio.ReadWriter, error)   { return w.hijack() }
func (w *rwFH) Hijack() (net.Conn, *bufio.ReadWriter, error)  { return w.hijack() }
func (w *rwHR) Hijack() (net.Conn, *bufio.ReadWriter, error)  { return w.hijack() }
func (w *rwFHR) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

func (w *rwR) ReadFrom(src io.Reader) (int64, error)   { return w.readFrom(src) }
func (w *rwFR) ReadFrom(src io.Reader) (int64, error)  { return w.readFrom(src) }
func (w *rwHR) ReadFrom(src io.Reader) (int64, error)  { return w.readFrom(src) }
func (w *rwFHR) ReadFrom(src io.Reader) (int64, error) { return w.readFrom(src) }
