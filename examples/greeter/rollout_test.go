//go:build unix

package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/examples/helloworld/helloworld"
)

// checkTiming is one way HAProxy checks its servers.
type checkTiming struct {
	name  string
	check string // the server line's check options
}

// TestRollout replaces three greeter instances behind HAProxy, which
// speaks HTTP/2 to the clients and to the servers (proto h2), one by one
// under steady gRPC load, with HAProxy's default check timings (inter 2s,
// fall 3, rise 2) and tight ones (inter 1s, fall 1), no retries and no
// redispatch, and greeter's default configuration but MANAGEMENT_PORT:
// HAProxy checks each instance's HTTP /readyz there, as a balancer that
// cannot ask grpc.health.v1 does. No call may fail, and every old instance
// must exit 0.
func TestRollout(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Fatalf("haproxy is not on PATH (%v): install the distribution's haproxy package (apt-get install haproxy)", err)
	}
	bin := build(t)
	for _, tm := range []checkTiming{
		{name: "default checks", check: "check"},
		{name: "tight checks", check: "check inter 1s fall 1"},
	} {
		t.Run(tm.name, func(t *testing.T) {
			t.Parallel()
			rollout(t, haproxy, bin, tm)
		})
	}
}

func rollout(t *testing.T, haproxyBin, bin string, tm checkTiming) {
	const slots = 6 // three instances, and a slot for each replacement
	ports, mports := make([]int, slots), make([]int, slots)
	for i := range ports {
		ports[i], mports[i] = testkit.FreePort(t), testkit.FreePort(t)
	}
	start := func(slot int) *instance {
		return startAt(t, ports[slot], "MANAGEMENT_PORT="+strconv.Itoa(mports[slot]),
			"HOSTNAME=greeter-"+strconv.Itoa(slot))
	}
	var olds []*instance
	for i := range 3 {
		olds = append(olds, start(i))
	}
	// The servers speak HTTP/2 (gRPC) on PORT and are checked with GET
	// /readyz over HTTP/1.1 on MANAGEMENT_PORT.
	servers := make([]string, slots)
	for i, p := range ports {
		servers[i] = fmt.Sprintf("127.0.0.1:%d proto h2 %s port %d check-proto h1", p, tm.check, mports[i])
		if i >= 3 {
			servers[i] += " disabled"
		}
	}
	lb := testkit.StartHAProxy(t, haproxyBin, testkit.Backend{Name: "greeter", H2: true, Check: "option httpchk GET /readyz", Servers: servers})
	for i := range 3 {
		lb.WaitUp(i)
	}

	loadBegan := time.Now()
	load := startGRPCLoad(t, lb.Addr)
	load.waitSent(t, 200)
	for i, old := range olds {
		slot := 3 + i
		start(slot).waitLogged(t, "ready", 1)
		lb.Enable(slot)
		lb.WaitUp(slot)
		signalled := time.Now()
		code := old.stop(t)
		drain := old.logged("drain ended")
		t.Logf("%s: old instance %d exited %d after %s (drain %v); sent so far %d, failed %d",
			tm.name, i+1, code, time.Since(signalled).Round(time.Millisecond), drain, load.sent.Load(), load.failed.Load())
		if code != 0 {
			t.Errorf("old instance %d exited %d, want 0", i+1, code)
		}
	}
	load.waitSent(t, load.sent.Load()+100) // the new instances serve
	sent, failed := load.stop()
	t.Logf("%s: sent %d calls, %d failed", tm.name, sent, failed)
	if failed > 0 {
		t.Errorf("%s: %d of %d calls failed; first: %s", tm.name, failed, sent, load.firstFailure())
	}
	// Steady: at least a quarter of what the callers would send at their
	// pace (a loaded machine slows each call).
	if steady := int64(time.Since(loadBegan)/loadEvery) * loadCallers / 4; sent < steady {
		t.Errorf("%s: only %d calls sent, want steady load (%d or more)", tm.name, sent, steady)
	}
}

// grpcLoad calls SayHello through the balancer at a steady pace from a
// few callers, on one HTTP/2 connection, until stopped.
type grpcLoad struct {
	sent, failed atomic.Int64
	mu           sync.Mutex
	first        string
	cancel       context.CancelFunc
	wg           sync.WaitGroup
	conn         *grpc.ClientConn
}

const (
	loadCallers = 4
	loadEvery   = 20 * time.Millisecond // per caller: about 200 calls a second in all
)

func startGRPCLoad(t *testing.T, addr string) *grpcLoad {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &grpcLoad{cancel: cancel, conn: conn}
	client := helloworld.NewGreeterClient(conn)
	for c := range loadCallers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tick := time.NewTicker(loadEvery)
			defer tick.Stop()
			name := "caller-" + strconv.Itoa(c)
			for {
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
				l.sent.Add(1)
				cctx, ccancel := context.WithTimeout(context.Background(), 10*time.Second)
				r, err := client.SayHello(cctx, &helloworld.HelloRequest{Name: name})
				ccancel()
				switch {
				case err != nil:
					l.fail(err.Error())
				case r.GetMessage() != "Hello "+name:
					l.fail("answer " + r.GetMessage())
				}
			}
		}()
	}
	t.Cleanup(func() { l.stop() })
	return l
}

func (l *grpcLoad) fail(why string) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.first == "" {
		l.first = why
	}
}

func (l *grpcLoad) firstFailure() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.first
}

// waitSent waits until n calls have been sent.
func (l *grpcLoad) waitSent(t *testing.T, n int64) {
	t.Helper()
	if !testkit.Within(patience, func() bool { return l.sent.Load() >= n }) {
		t.Fatalf("only %d calls sent within %s, want %d", l.sent.Load(), patience, n)
	}
}

// stop stops the callers, waits for them and closes the connection; it
// returns the counts.
func (l *grpcLoad) stop() (sent, failed int64) {
	l.cancel()
	l.wg.Wait()
	l.conn.Close()
	return l.sent.Load(), l.failed.Load()
}
