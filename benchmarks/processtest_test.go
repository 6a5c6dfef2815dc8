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
			processtest.WithTightBalancer())
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
	port, err := freePort()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Dir = b.TempDir()
	cmd.Env = []string{"PORT=" + strconv.Itoa(port)}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/"
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxIdleConns: workers}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if resp, err := client.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the peer's service never answered")
		}
		select {
		case <-exited:
			b.Fatal("the peer's service exited")
		case <-time.After(5 * time.Millisecond):
		}
	}
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
