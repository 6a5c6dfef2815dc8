package lifecycle

import (
	"context"
	"strings"
	"syscall"
	"testing"
	"time"
)

// drainHarness starts a group with one HTTP actor on a loopback port and the
// drain settings of cfg; it returns the harness and the server's base URL.
func drainHarness(t *testing.T, cfg Config) (*harness, string) {
	t.Helper()
	cfg.ShutdownTimeout = 10 * time.Second
	h := newHarness(t, cfg)
	ln := localListener(t)
	h.g.HTTP("web", http404{}, WithListener(ln))
	h.start(t)
	h.waitLog(t, "ready")
	return h, "http://" + ln.Addr().String()
}

// drainTook returns how long the drain lasted and why it ended.
func drainTook(t *testing.T, h *harness) (time.Duration, string) {
	t.Helper()
	e := h.waitLog(t, "drain ended")
	m := e.ContextMap()
	return m["took"].(time.Duration), m["reason"].(string)
}

// TestDrain_trafficStops checks the drain of a service without a prober
// (Heroku's router): it ends once the traffic has been quiet for the window,
// after the minimum, long before the maximum.
func TestDrain_trafficStops(t *testing.T) {
	t.Parallel()
	h, url := drainHarness(t, Config{DrainDelay: 5 * time.Second, DrainMin: 300 * time.Millisecond, DrainQuiet: 100 * time.Millisecond})
	c := client(t)
	for range 20 {
		get(t, c, url+"/") // steady traffic, stopping with the signal
	}
	h.sigs <- syscall.SIGTERM
	took, why := drainTook(t, h)
	if why != "traffic stopped" || took < 300*time.Millisecond || took > 2*time.Second {
		t.Errorf("drain took %s (%s), want traffic stopped soon after the 300ms minimum", took, why)
	}
}

// TestDrain_waitsForProber checks that a prober probing at the stop holds
// the drain, however quiet the traffic, until it has been answered 503: a
// balancer that keeps its health check going sees the stop first.
func TestDrain_waitsForProber(t *testing.T) {
	t.Parallel()
	// The prober's interval: it counts as gone only after two of them.
	const interval = time.Second
	h, url := drainHarness(t, Config{DrainDelay: 8 * time.Second, DrainMin: 100 * time.Millisecond, DrainQuiet: 100 * time.Millisecond})
	c := client(t)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := range 3 {
		if i > 0 {
			<-tick.C
		}
		get(t, c, url+"/readyz")
	}
	for range 20 {
		get(t, c, url+"/")
	}
	h.sigs <- syscall.SIGTERM
	h.waitLog(t, "draining: readiness fails, servers still serve")
	<-time.After(interval / 2) // the rule needs real time to pass
	if n := h.count("drain ended"); n != 0 {
		t.Fatalf("drain ended before the prober saw the stop or missed its interval")
	}
	probed := time.Now()
	if code, _ := get(t, c, url+"/readyz"); code != 503 {
		t.Fatalf("readyz during the drain = %d, want 503", code)
	}
	took, why := drainTook(t, h)
	if why != "traffic stopped" || took < interval/2 || time.Since(probed) > interval {
		t.Errorf("drain took %s (%s), want it to end soon after the 503", took, why)
	}
}

// TestDrain_busyUntilMax checks that traffic that never stops holds the
// drain until DRAIN_DELAY.
func TestDrain_busyUntilMax(t *testing.T) {
	t.Parallel()
	// The quiet window (1 s) is long beside the traffic's pace (10 ms), so
	// that a client stalled by a loaded machine is not silence, and shorter
	// than the longest drain, so that ending there is the traffic's doing.
	const longest = 1500 * time.Millisecond
	h, url := drainHarness(t, Config{DrainDelay: longest, DrainMin: 100 * time.Millisecond, DrainQuiet: time.Second})
	c := client(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if resp, err := c.Get(url + "/"); err == nil {
					resp.Body.Close()
				}
			}
		}
	}()
	defer func() { cancel(); <-done }()
	<-time.After(100 * time.Millisecond) // some traffic before the stop
	h.sigs <- syscall.SIGTERM
	took, why := drainTook(t, h)
	if !strings.Contains(why, "longest") || took < longest {
		t.Errorf("drain took %s (%s), want the longest drain, %s", took, why, longest)
	}
}

// TestDrain_sparseTraffic checks that when requests were sparse before the
// stop, silence is not taken for proof: the quiet window is several gaps.
func TestDrain_sparseTraffic(t *testing.T) {
	t.Parallel()
	h, url := drainHarness(t, Config{DrainDelay: 5 * time.Second, DrainMin: 50 * time.Millisecond, DrainQuiet: 50 * time.Millisecond})
	c := client(t)
	for range 5 {
		<-time.After(100 * time.Millisecond) // pacing: at least 100ms between requests
		get(t, c, url+"/")
	}
	h.sigs <- syscall.SIGTERM
	e := h.waitLog(t, "draining: readiness fails, servers still serve")
	if w := e.ContextMap()["quiet_window"].(time.Duration); w < 600*time.Millisecond {
		t.Errorf("quiet window %s, want several 100ms gaps", w)
	}
	if took, why := drainTook(t, h); took < 600*time.Millisecond || why != "traffic stopped" {
		t.Errorf("drain took %s (%s), want at least several gaps", took, why)
	}
}

// TestDrain_fixed checks that DrainMin equal to DrainDelay is a fixed drain.
func TestDrain_fixed(t *testing.T) {
	t.Parallel()
	h, _ := drainHarness(t, Config{DrainDelay: 400 * time.Millisecond, DrainMin: 400 * time.Millisecond})
	h.sigs <- syscall.SIGTERM
	if took, why := drainTook(t, h); why != "fixed drain" || took < 400*time.Millisecond {
		t.Errorf("drain took %s (%s), want a fixed 400ms", took, why)
	}
}

// TestDrain_proberGone checks that a prober that stops probing at the stop,
// as a balancer does once the instance is removed from its config, ends the
// wait for its 503 once it has missed its interval, and the drain ends on
// quiet traffic long before DRAIN_DELAY.
func TestDrain_proberGone(t *testing.T) {
	t.Parallel()
	const longest = 8 * time.Second
	h, url := drainHarness(t, Config{DrainDelay: longest, DrainMin: 100 * time.Millisecond, DrainQuiet: 100 * time.Millisecond})
	c := client(t)
	// The balancer checks every 250 ms, and its last check comes right
	// before the stop: a loaded machine slowing the requests between checks
	// does not make it look gone (it is gone after two intervals' silence).
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for range 6 {
		<-tick.C
		for range 5 {
			get(t, c, url+"/")
		}
		if code, _ := get(t, c, url+"/readyz"); code != 200 {
			t.Fatalf("readyz = %d, want 200", code)
		}
	}
	h.sigs <- syscall.SIGTERM // removed: no probe and no request from now on
	e := h.waitLog(t, "draining: readiness fails, servers still serve")
	if !e.ContextMap()["prober_seen"].(bool) {
		t.Errorf("prober_seen false, want the balancer probing until the stop counted")
	}
	took, why := drainTook(t, h)
	if why != "traffic stopped" || took > longest/2 {
		t.Errorf("drain took %s (%s), want traffic stopped soon after the prober missed its 250ms interval", took, why)
	}
}

// TestDrain_startupPollerGone checks that a deploy script that polled
// /readyz until the instance was ready, and then stopped, is no prober the
// drain waits for.
func TestDrain_startupPollerGone(t *testing.T) {
	t.Parallel()
	const longest = 8 * time.Second
	h, url := drainHarness(t, Config{DrainDelay: longest, DrainMin: 100 * time.Millisecond, DrainQuiet: 100 * time.Millisecond})
	c := client(t)
	tick := time.NewTicker(20 * time.Millisecond) // the script's polling
	defer tick.Stop()
	for range 5 {
		<-tick.C
		get(t, c, url+"/readyz")
	}
	tick.Stop()
	for range 30 { // traffic long enough for the poller to have gone
		get(t, c, url+"/")
		<-time.After(10 * time.Millisecond) // pacing, not synchronisation
	}
	h.sigs <- syscall.SIGTERM
	e := h.waitLog(t, "draining: readiness fails, servers still serve")
	if e.ContextMap()["prober_seen"].(bool) {
		t.Errorf("prober_seen true, want the startup poller gone")
	}
	took, why := drainTook(t, h)
	if why != "traffic stopped" || took > longest/2 {
		t.Errorf("drain took %s (%s), want traffic stopped soon after the minimum", took, why)
	}
}
