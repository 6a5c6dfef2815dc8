package processtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// response scans a response's header and its whole body, streamed, and
// returns the body's error. A stream of the scanner is per response.
func (s *scanner) response(where string, resp *http.Response) error {
	if !s.active() {
		_, err := io.Copy(io.Discard, resp.Body)
		return err
	}
	cs := s.stream(where)
	_ = resp.Header.Write(cs)
	cs = s.stream(where)
	_, err := io.Copy(cs, resp.Body)
	return err
}

// get sends one GET on a fresh connection, as a health checker does, and
// returns the status (0 and the error when there was no answer).
func get(ctx context.Context, sc *scanner, url string, timeout time.Duration) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Close = true
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_ = sc.response("the response of GET "+req.URL.Path, resp)
	return resp.StatusCode, nil
}

// body returns the body of GET url on a fresh connection, "" on an error.
func body(ctx context.Context, url string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return ""
	}
	tr := &http.Transport{DisableKeepAlives: true, Proxy: nil}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return string(b)
}

// failKind names what a platform's client saw when a request failed.
func failKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "reset"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case http2Only(err):
		return "HTTP/2 frames, not HTTP/1.1"
	}
	return "other"
}

// http2Only reports whether err is net/http's reading of an answer made of
// HTTP/2 frames (a frame header: a 3-byte length, a type, flags) where an
// HTTP/1.1 status line was due: a server that speaks only HTTP/2 with prior
// knowledge on the port, as a gRPC server does.
func http2Only(err error) bool {
	return err != nil && strings.Contains(err.Error(), `malformed HTTP response "\x00\x00`)
}

// answersHTTP2 reports whether the server at addr answers an HTTP/1.1
// request with an HTTP/2 frame (a SETTINGS frame, as an HTTP/2-only server
// such as grpc-go's sends first) rather than an HTTP/1.x status line.
func answersHTTP2(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+addr+"\r\n\r\n"); err != nil {
		return false
	}
	var head [9]byte // an HTTP/2 frame header: length (3), type (1), flags, stream
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return false
	}
	return string(head[:5]) != "HTTP/" && head[3] == 0x4 // SETTINGS
}

// connLife is how long the load keeps one connection alive before it opens
// a new one, as a balancer's pool does: HAProxy purges idle connections and
// opens new ones for bursts, nginx closes one after keepalive_requests or
// keepalive_timeout. With it, new connections arrive all through a drain, so
// a server that stops accepting while it serves its kept-alive connections
// is seen refusing them.
const connLife = 250 * time.Millisecond

// load is the kit's load generator: workers sending one request after the
// other on kept-alive connections, each renewed after connLife, paced to a
// steady rate, until stopped.
type load struct {
	url     string
	method  string
	body    []byte
	ctype   string
	header  http.Header
	rate    int
	workers int
	timeout time.Duration
	sc      *scanner

	stopped   atomic.Bool // no new request from now on
	sent      atomic.Int64
	ok        atomic.Int64
	inflight  atomic.Int64
	afterTerm atomic.Int64
	term      atomic.Bool

	mu    sync.Mutex
	next  time.Time
	fails map[string]int64
	first []string

	tr *http.Transport
	wg sync.WaitGroup
}

func newLoad(s *settings, base string, env map[string]string, sc *scanner) *load {
	l := &load{
		url: base + s.path, method: s.method, body: s.body, rate: s.rate,
		workers: s.workers, timeout: min(10*time.Second, s.grace), sc: sc,
		fails: map[string]int64{}, header: http.Header{},
	}
	for _, h := range s.headers {
		l.header.Add(h[0], os.Expand(h[1], func(name string) string { return env[name] }))
	}
	if l.body != nil {
		l.ctype = "text/plain; charset=utf-8"
		if json.Valid(l.body) {
			l.ctype = "application/json"
		}
	}
	l.tr = newTransport()
	return l
}

// newTransport is one worker's pool of one kept-alive connection.
func newTransport() *http.Transport {
	return &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1, MaxIdleConns: 1}
}

// start starts the workers, each with its own connection; stop ends them.
func (l *load) start(ctx context.Context) {
	for range l.workers {
		tr := newTransport()
		client := &http.Client{Transport: tr, Timeout: l.timeout}
		l.wg.Go(func() {
			defer tr.CloseIdleConnections()
			l.work(ctx, client, tr)
		})
	}
}

// stop makes the workers send no new request and waits, bounded by the
// request timeout, for those in flight.
func (l *load) stop() {
	l.stopped.Store(true)
	l.wg.Wait()
	l.tr.CloseIdleConnections()
}

// slot returns when the next request may be sent, for a steady rate.
func (l *load) slot() time.Time {
	if l.rate <= 0 {
		return time.Time{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if l.next.Before(now) {
		l.next = now
	}
	t := l.next
	l.next = l.next.Add(time.Second / time.Duration(l.rate))
	return t
}

func (l *load) work(ctx context.Context, client *http.Client, tr *http.Transport) {
	// A connection the transport dialled but never used is a new one to
	// the server, which Shutdown waits up to 5 s for: close them as soon as
	// the load stops, as a balancer drops an instance it removed.
	defer tr.CloseIdleConnections()
	var dialed time.Time
	trace := &httptrace.ClientTrace{GotConn: func(ci httptrace.GotConnInfo) {
		if !ci.Reused {
			dialed = time.Now()
		}
	}}
	ctx = httptrace.WithClientTrace(ctx, trace)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	for !l.stopped.Load() && ctx.Err() == nil {
		if at := l.slot(); !at.IsZero() {
			if d := time.Until(at); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
				if l.stopped.Load() {
					return
				}
			}
		}
		l.one(ctx, client)
		if !dialed.IsZero() && time.Since(dialed) >= connLife {
			tr.CloseIdleConnections()
			dialed = time.Time{}
		}
	}
}

// one sends one request and counts its outcome.
func (l *load) one(ctx context.Context, client *http.Client) {
	var body io.Reader
	if l.body != nil {
		body = bytes.NewReader(l.body)
	}
	req, err := http.NewRequestWithContext(ctx, l.method, l.url, body)
	if err != nil {
		l.fail("other", err.Error())
		return
	}
	for k, v := range l.header {
		req.Header[k] = v
	}
	if l.ctype != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", l.ctype)
	}
	l.sent.Add(1)
	if l.term.Load() {
		l.afterTerm.Add(1)
	}
	l.inflight.Add(1)
	defer l.inflight.Add(-1)
	resp, err := client.Do(req)
	if err != nil {
		l.fail(failKind(err), err.Error())
		return
	}
	rerr := l.sc.response("the response of "+l.method+" "+req.URL.Path, resp)
	_ = resp.Body.Close()
	switch {
	case rerr != nil:
		l.fail(failKind(rerr), "reading the body: "+rerr.Error())
	case resp.StatusCode >= 400 || resp.StatusCode < 200:
		l.fail(fmt.Sprintf("status %d", resp.StatusCode), resp.Status)
	default:
		l.ok.Add(1)
	}
}

func (l *load) fail(kind, what string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[kind]++
	if len(l.first) < 3 && !slices.Contains(l.first, what) {
		l.first = append(l.first, what)
	}
}

// failures returns the failures by kind, as "12 refused, 3 reset".
func (l *load) failures() (int64, string, map[string]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var total int64
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l.fails)) {
		total += l.fails[k]
		parts = append(parts, fmt.Sprintf("%d %s", l.fails[k], k))
	}
	return total, strings.Join(parts, ", "), maps.Clone(l.fails)
}

// balancer models a load balancer's health checks: readiness polled every
// interval, the instance removed after fall failures in a row. Its first
// poll is after first, so that the caller chooses the phase. The first poll
// that starts termAfter or later after the start calls onTerm with its
// answer, before the next poll is scheduled, which counts from then: the
// caller sends SIGTERM there, so the removal takes fall x interval from
// then, every time.
type balancer struct {
	url       string
	interval  time.Duration
	first     time.Duration
	fall      int
	sc        *scanner
	onRemove  func()
	termAfter time.Duration
	onTerm    func(code int, err error)

	removedAt atomic.Pointer[time.Time]
	checks    atomic.Int64
}

// run polls until ctx is done; begin is the start termAfter counts from.
func (b *balancer) run(ctx context.Context, begin time.Time) {
	next := time.NewTimer(b.first)
	defer next.Stop()
	failed := 0
	termed := b.onTerm == nil
	for {
		select {
		case <-ctx.Done():
			return
		case <-next.C:
		}
		polled := time.Now()
		due := polled.Add(b.interval)
		b.checks.Add(1)
		code, err := get(ctx, b.sc, b.url, b.interval)
		if ctx.Err() != nil {
			return
		}
		if !termed && polled.Sub(begin) >= b.termAfter {
			termed = true
			b.onTerm(code, err)
			// The next polls count from SIGTERM, not from when this poll
			// began: however long its answer took on a loaded machine,
			// the removal takes at least fall x interval after SIGTERM.
			due = time.Now().Add(b.interval)
		}
		next.Reset(time.Until(due))
		if err == nil && code >= 200 && code < 400 {
			failed = 0
			continue
		}
		failed++
		if failed == b.fall && b.removedAt.Load() == nil {
			now := time.Now()
			b.removedAt.Store(&now)
			b.onRemove()
		}
	}
}
