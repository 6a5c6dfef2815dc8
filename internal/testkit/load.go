package testkit

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Load is a steady HTTP load started by [StartLoad]: GET requests to one
// URL from a few workers, each reusing its kept-alive connections as a
// balancer's pool does.
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

// StartLoad starts workers goroutines that send GET url, each at most one
// request every interval (0: back to back), each request bounded by 5 s,
// until [Load.Stop], which the end of the test calls too. A request cut
// short by Stop counts neither as answered nor as failed.
func StartLoad(t testing.TB, url string, workers int, every time.Duration) *Load {
	t.Helper()
	if _, err := http.NewRequest(http.MethodGet, url, nil); err != nil {
		t.Fatalf("testkit: load of %q: %v", url, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Load{cancel: cancel, tr: &http.Transport{MaxIdleConnsPerHost: workers}}
	client := &http.Client{Transport: l.tr, Timeout: 5 * time.Second}
	for range workers {
		l.wg.Go(func() { l.work(ctx, client, url, every) })
	}
	t.Cleanup(func() { l.Stop() })
	return l
}

func (l *Load) work(ctx context.Context, client *http.Client, url string, every time.Duration) {
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
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		switch {
		case err != nil && ctx.Err() != nil:
			return // the end of the run, not a failure
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

// Stop ends the load, waits for every worker to return and returns what
// was counted; calling it again returns the same counts.
func (l *Load) Stop() LoadResult {
	l.stopped.Do(func() {
		l.cancel()
		l.wg.Wait()
		l.tr.CloseIdleConnections()
	})
	return l.Result()
}
