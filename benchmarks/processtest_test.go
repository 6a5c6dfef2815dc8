package benchmarks

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/processtest"
)

// BenchmarkProcesstestLoad measures the rate the process kit's own load
// generator reaches on loopback, unthrottled, against processtest's stdlib
// test service, beside the fair peer: a bare loop of net/http clients with
// the same number of kept-alive connections, for as long, against the same
// service in its own process. Each pass of b.Loop runs both, kit first,
// then the peer, so a burst of load from another process weighs on both.
//
// Metrics: kit-req/s (the rate_per_s figure of the rolling-stop check, sent
// during its warmup), peer-req/s and x-PEER (kit over peer). The target is
// kit-req/s >= 2000: the kit must never be the bottleneck it measures.
//
//	go test -run '^$' -bench BenchmarkProcesstestLoad -benchtime 5x -count 3 .
func BenchmarkProcesstestLoad(b *testing.B) {
	const workers, window = 8, time.Second
	bin := staticBuild(b, "..", "processtest/testdata/svc")
	env := map[string]string{"MODE": "good", "DRAIN": "1500ms"}
	var kitSum, peerSum float64
	n := 0
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		rep, err := processtest.Check(ctx, processtest.Binary{Path: bin, Env: env},
			processtest.WithChecks(processtest.CheckRollingStop),
			processtest.WithLoadRate(0, workers), processtest.WithWarmup(window),
			processtest.WithBalancer(time.Second, 1))
		cancel()
		if err != nil {
			b.Fatal(err)
		}
		res, _ := rep.Result(processtest.CheckRollingStop)
		if res.Status != processtest.Pass {
			b.Fatalf("rolling-stop %s: %q\n%s", res.Status, res.Problems, rep)
		}
		kitSum += res.Figures["rate_per_s"]
		peerSum += peerRate(b, bin, env, workers, window)
		n++
	}
	kit, peer := kitSum/float64(n), peerSum/float64(n)
	b.ReportMetric(kit, "kit-req/s")
	b.ReportMetric(peer, "peer-req/s")
	b.ReportMetric(kit/peer, "x-PEER")
	b.ReportMetric(0, "ns/op")
	if kit < 2000 {
		b.Logf("target missed: the kit's load reached %.0f requests/s, want at least 2000", kit)
	}
}

// peerRate starts bin on a free port, sends GET / from workers plain
// net/http loops for window once it answers, and returns the rate.
func peerRate(b *testing.B, bin string, env map[string]string, workers int, window time.Duration) float64 {
	b.Helper()
	port := testkit.FreePort(b)
	cmd := exec.Command(bin)
	cmd.Dir = b.TempDir()
	cmd.Env = []string{"PORT=" + strconv.Itoa(port)}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := testkit.Start(b, cmd)
	defer func() { // stop it now, not when the benchmark ends
		_ = p.Signal(syscall.SIGTERM)
		_, _ = p.Wait(10 * time.Second) // past that, the end of the benchmark kills it
	}()
	url := "http://" + testkit.Addr(port) + "/"
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxIdleConns: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	testkit.Eventually(b, 10*time.Second, "the peer's service answers", func() bool {
		select {
		case <-p.Exited():
			b.Fatal("the peer's service exited")
		default:
		}
		resp, err := client.Get(url)
		if err != nil {
			return false
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return true
	})
	var sent atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	begin := time.Now()
	for range workers {
		wg.Go(func() {
			for !stop.Load() {
				resp, err := client.Get(url)
				sent.Add(1)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
	t := time.NewTimer(window)
	<-t.C
	stop.Store(true)
	wg.Wait()
	return float64(sent.Load()) / time.Since(begin).Seconds()
}
