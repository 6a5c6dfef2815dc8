package testkit

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// LoadResult counts the requests of [Load].
type LoadResult struct {
	OK     int64 // answered with a status below 500
	Failed int64 // refused, reset, timed out or answered 5xx
}

// Load sends GET requests to url from workers goroutines, each reusing its
// kept-alive connections as a balancer's pool does, until ctx ends or max
// requests have been sent (0: no limit), pausing every between a worker's
// requests; each request is bounded by 5 s. It returns when every worker
// has stopped, with nothing left running.
func Load(ctx context.Context, url string, workers, max int, every time.Duration) LoadResult {
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	var sent, ok, failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil && (max == 0 || sent.Add(1) <= int64(max)) {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
				resp, err := client.Do(req)
				switch {
				case err != nil && ctx.Err() != nil:
					return // the end of the run, not a failure
				case err != nil:
					failed.Add(1)
				default:
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						failed.Add(1)
					} else {
						ok.Add(1)
					}
				}
				if every > 0 {
					t := time.NewTimer(every)
					select {
					case <-ctx.Done():
					case <-t.C:
					}
					t.Stop()
				}
			}
		})
	}
	wg.Wait()
	return LoadResult{OK: ok.Load(), Failed: failed.Load()}
}
