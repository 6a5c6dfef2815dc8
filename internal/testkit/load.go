package testkit

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Load is a steady HTTP load started by [StartLoad]: requests to one URL
// (GET unless [Post] says otherwise) from a few workers, each reusing its
// kept-alive connections as a balancer's pool does.
type Load struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	tr      *http.Transport
	stopped sync.Once
	ok      atomic.Int64
	failed  atomic.Int64
	mu      sync.Mutex
	first   string
}

// LoadResult counts the requests of a [Load].
type LoadResult struct {
	OK     int64  // answered with a status from 200 to 399
	Failed int64  // refused, reset, timed out or answered 400 or more
	First  string // why the first failed request failed ("" if none)
}

// Sent returns how many requests have had their answer or their failure.
func (r LoadResult) Sent() int64 { return r.OK + r.Failed }

// A LoadOption changes the requests of a [Load].
type LoadOption func(*loadRequest)

// loadRequest is what each request of a Load is.
type loadRequest struct {
	method      string
	contentType string
	body        func(worker int) string
}

// Post makes a [Load] send POST requests with a body of contentType, the
// one body(worker) returns for each worker (numbered from 0), such as an
// order a shop stores: then every answered request is one the server acted
// on, and a test can count what it stored.
func Post(contentType string, body func(worker int) string) LoadOption {
	return func(r *loadRequest) { r.method, r.contentType, r.body = http.MethodPost, contentType, body }
}

// StartLoad starts workers goroutines that send requests to url, each at
// most one request every interval (0: back to back), each request bounded
// by 5 s, until [Load.Stop], which the end of the test calls too.
func StartLoad(t testing.TB, url string, workers int, every time.Duration, opts ...LoadOption) *Load {
	t.Helper()
	r := loadRequest{method: http.MethodGet}
	for _, opt := range opts {
		opt(&r)
	}
	if _, err := http.NewRequest(r.method, url, nil); err != nil {
		t.Fatalf("testkit: load of %q: %v", url, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{cancel: cancel, tr: &http.Transport{MaxIdleConnsPerHost: workers}}
	client := &http.Client{Transport: l.tr, Timeout: 5 * time.Second}
	for i := range workers {
		l.wg.Go(func() { l.work(ctx, client, url, r.request(i), every) })
	}
	t.Cleanup(func() { l.Stop() })
	return l
}

// request returns the function that builds worker i's requests to url.
func (r loadRequest) request(i int) func(url string) *http.Request {
	var body string
	if r.body != nil {
		body = r.body(i)
	}
	return func(url string) *http.Request {
		// Not the load's context: Stop lets a request in flight finish.
		req, _ := http.NewRequest(r.method, url, strings.NewReader(body))
		if r.contentType != "" {
			req.Header.Set("Content-Type", r.contentType)
		}
		return req
	}
}

func (l *Load) work(ctx context.Context, client *http.Client, url string, request func(string) *http.Request, every time.Duration) {
	var tick <-chan time.Time
	if every > 0 {
		ticker := time.NewTicker(every)
		defer ticker.Stop()
		tick = ticker.C
	}
	for {
		if tick != nil {
			select {
			case <-ctx.Done():
				return
			case <-tick:
			}
		} else if ctx.Err() != nil {
			return
		}
		resp, err := client.Do(request(url))
		switch {
		case err != nil:
			l.fail(err.Error())
		default:
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode >= 400 {
				l.fail(resp.Status)
			} else {
				l.ok.Add(1)
			}
		}
	}
}

func (l *Load) fail(why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == "" {
		l.first = why
	}
	l.failed.Add(1)
}

// Result returns what the load has counted so far.
func (l *Load) Result() LoadResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LoadResult{OK: l.ok.Load(), Failed: l.failed.Load(), First: l.first}
}

// WaitSent waits at most timeout until n requests have been sent (answered
// or failed), and fails the test when they have not.
func (l *Load) WaitSent(t testing.TB, n int64, timeout time.Duration) {
	t.Helper()
	if !Within(timeout, func() bool { return l.Result().Sent() >= n }) {
		t.Fatalf("testkit: only %d requests sent within %v, want %d", l.Result().Sent(), timeout, n)
	}
}

// Stop ends the load as a balancer stops sending to an instance: no worker
// starts another request, each finishes the one in flight (answered or
// failed, within its 5 s), and Stop returns what was counted once every
// worker has returned, so that every request sent is counted. Calling it
// again, from any goroutine, returns the same counts.
func (l *Load) Stop() LoadResult {
	l.stopped.Do(func() {
		l.cancel()
		l.wg.Wait()
		l.tr.CloseIdleConnections()
	})
	return l.Result()
}
