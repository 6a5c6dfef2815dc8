package lifecycle

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The drain rule on a fake clock: the times below are readings of the
// traffic's monotonic clock, the stop at 100 s, the run's start a minute
// before it.
const (
	ruleBegin = 40 * time.Second
	ruleStop  = 100 * time.Second
)

var ruleCfg = Config{DrainDelay: 15 * time.Second, DrainMin: time.Second, DrainQuiet: 500 * time.Millisecond}

// steady records a request every gap from 10 s before the stop until stop+until.
func steady(tr *traffic, gap, until time.Duration) {
	for d := -10 * time.Second; d <= until; d += gap {
		tr.requestAt(ruleStop + d)
	}
}

// probes records the probes of key every interval from from to until
// (relative to the stop); those after the stop are answered 503.
func probes(tr *traffic, key string, interval, from, until time.Duration) {
	for d := from; d <= until; d += interval {
		tr.probedAt(key, ruleStop+d, d > 0)
	}
}

// walk runs the rule from the stop, looking every 20 ms up to 20 s, calling
// during(d) first at each look, and returns when and why the drain ended
// (-1 and "" if it did not).
func walk(tr *traffic, cfg Config, during func(d time.Duration)) (time.Duration, string) {
	d := tr.planAt(cfg, ruleBegin, ruleStop)
	for now := time.Duration(0); now <= 20*time.Second; now += drainTick {
		if during != nil {
			during(now)
		}
		if why := d.overAt(tr, ruleStop+now); why != "" {
			return now, why
		}
	}
	return -1, ""
}

// within checks that the drain ended between lo and hi for the reason want.
func within(t *testing.T, got time.Duration, why string, lo, hi time.Duration, want string) {
	t.Helper()
	if got < lo || got > hi || why != want {
		t.Errorf("drain ended at %s (%q), want between %s and %s (%q)", got, why, lo, hi, want)
	}
}

// TestDrainRule_bounds checks the minimum, the maximum and the fixed drain.
func TestDrainRule_bounds(t *testing.T) {
	t.Parallel()
	t.Run("no prober, traffic stops with the signal", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, time.Second, time.Second, "traffic stopped")
	})
	t.Run("no traffic at all lasts the longest drain", func(t *testing.T) {
		got, why := walk(&traffic{}, ruleCfg, nil)
		within(t, got, why, 15*time.Second, 15*time.Second, "longest drain (DRAIN_DELAY) reached")
	})
	t.Run("traffic that never stops", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		got, why := walk(tr, ruleCfg, func(now time.Duration) { tr.requestAt(ruleStop + now) })
		within(t, got, why, 15*time.Second, 15*time.Second, "longest drain (DRAIN_DELAY) reached")
	})
	t.Run("fixed drain", func(t *testing.T) {
		fixed := Config{DrainDelay: 10 * time.Second, DrainMin: 10 * time.Second, DrainQuiet: 500 * time.Millisecond}
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		got, why := walk(tr, fixed, nil)
		within(t, got, why, 10*time.Second, 10*time.Second, "fixed drain")
	})
}

// TestDrainRule_quietWindow checks the window: learned from the gaps while
// traffic flowed, not stretched by a silence before the stop.
func TestDrainRule_quietWindow(t *testing.T) {
	t.Parallel()
	t.Run("sparse traffic needs a long silence", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, time.Second, 0)
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, 8*time.Second, 8*time.Second, "traffic stopped")
	})
	t.Run("traffic goes on until the balancer notices at 5s", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		got, why := walk(tr, ruleCfg, func(now time.Duration) {
			if now <= 5*time.Second {
				tr.requestAt(ruleStop + now)
			}
		})
		within(t, got, why, 5500*time.Millisecond, 5520*time.Millisecond, "traffic stopped")
	})
	for _, before := range []time.Duration{400 * time.Millisecond, 2 * time.Second, 5 * time.Second} {
		t.Run(fmt.Sprintf("removal %s before the stop", before), func(t *testing.T) {
			tr := &traffic{}
			steady(tr, 3*time.Millisecond, -before)
			d := tr.planAt(ruleCfg, ruleBegin, ruleStop)
			if d.window != ruleCfg.DrainQuiet {
				t.Errorf("quiet window %s, want DRAIN_QUIET (%s): the silence before the stop is no gap of the traffic", d.window, ruleCfg.DrainQuiet)
			}
			got, why := walk(tr, ruleCfg, nil)
			within(t, got, why, time.Second, time.Second, "traffic stopped")
		})
	}
	t.Run("one request stands for a gap from the start", func(t *testing.T) {
		tr := &traffic{}
		tr.requestAt(ruleBegin + 100*time.Millisecond)
		if d := tr.planAt(ruleCfg, ruleBegin, ruleStop); d.window != 800*time.Millisecond {
			t.Errorf("quiet window %s, want 8 x 100ms", d.window)
		}
	})
	t.Run("a stall is not quiet", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		d := tr.planAt(ruleCfg, ruleBegin, ruleStop)
		if why := d.overAt(tr, ruleStop+900*time.Millisecond); why != "" {
			t.Fatalf("over at 900ms = %q, want not yet", why)
		}
		// The process did not run from 900ms to 2s: requests may be waiting.
		for now := 2 * time.Second; ; now += drainTick {
			if why := d.overAt(tr, ruleStop+now); why != "" {
				within(t, now, why, 2500*time.Millisecond, 2500*time.Millisecond, "traffic stopped")
				break
			}
		}
	})
}

// TestDrainRule_probers checks the wait for the probers: until one has seen
// the 503 or every one there at the stop has stopped probing.
func TestDrainRule_probers(t *testing.T) {
	t.Parallel()
	t.Run("a balancer that keeps probing gets its 503 first", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "lb", time.Second, -10*time.Second-300*time.Millisecond, -300*time.Millisecond)
		got, why := walk(tr, ruleCfg, func(now time.Duration) {
			if now == 1400*time.Millisecond { // a late probe: the balancer is slow
				tr.probedAt("lb", ruleStop+now, true)
			}
		})
		within(t, got, why, 1400*time.Millisecond, 1400*time.Millisecond, "traffic stopped")
	})
	t.Run("a balancer that removed the instance is gone after two intervals", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "lb", time.Second, -10*time.Second-300*time.Millisecond, -300*time.Millisecond)
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, 1700*time.Millisecond, 1700*time.Millisecond, "traffic stopped")
	})
	t.Run("the kubelet keeps probing and gets its 503", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "kubelet", 10*time.Second, -35*time.Second, -5*time.Second)
		got, why := walk(tr, ruleCfg, func(now time.Duration) {
			if now == 5*time.Second {
				tr.probedAt("kubelet", ruleStop+now, true)
			}
		})
		within(t, got, why, 5*time.Second, 5*time.Second, "traffic stopped")
	})
	t.Run("a prober seen once is no balancer", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		tr.probedAt("deploy", ruleStop-time.Second, false)
		if d := tr.planAt(ruleCfg, ruleBegin, ruleStop); d.proberSeen {
			t.Errorf("one probe a second before the stop counts as a prober")
		}
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, time.Second, time.Second, "traffic stopped")
	})
	t.Run("a prober long gone is not waited for", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "lb", 2*time.Second, -80*time.Second, -60*time.Second)
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, time.Second, time.Second, "traffic stopped")
	})
	t.Run("a startup poller is not waited for", func(t *testing.T) {
		tr := &traffic{}
		probes(tr, "deploy", 200*time.Millisecond, -60*time.Second, -58*time.Second)
		steady(tr, 10*time.Millisecond, 0)
		d := tr.planAt(ruleCfg, ruleBegin, ruleStop)
		if d.proberSeen {
			t.Errorf("a poller silent for 58 s after probing every 200ms counts as a prober")
		}
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, time.Second, time.Second, "traffic stopped")
	})
	t.Run("a poller counts while it keeps polling", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "monitor", 2*time.Second, -10*time.Second-500*time.Millisecond, -500*time.Millisecond)
		if d := tr.planAt(ruleCfg, ruleBegin, ruleStop); !d.proberSeen {
			t.Fatal("a poller polling until the stop does not count as a prober")
		}
		got, why := walk(tr, ruleCfg, nil)
		within(t, got, why, 3500*time.Millisecond, 3500*time.Millisecond, "traffic stopped")
	})
	t.Run("a gone poller does not stand in for a balancer still there", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "deploy", 100*time.Millisecond, -1*time.Second, -100*time.Millisecond)
		probes(tr, "lb", 2*time.Second, -21*time.Second, -time.Second)
		got, why := walk(tr, ruleCfg, func(now time.Duration) {
			if now == 900*time.Millisecond+2*time.Second {
				tr.probedAt("lb", ruleStop+now, true)
			}
		})
		within(t, got, why, 2900*time.Millisecond, 2900*time.Millisecond, "traffic stopped")
	})
	t.Run("a balancer after startup polls from the same address", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "127.0.0.1 Go-http-client/1.1", 100*time.Millisecond, -6010*time.Millisecond, -4010*time.Millisecond)
		probes(tr, "127.0.0.1 Go-http-client/1.1", 2*time.Second, -2010*time.Millisecond, -10*time.Millisecond)
		got, why := walk(tr, ruleCfg, func(now time.Duration) {
			if now == 2*time.Second {
				tr.probedAt("127.0.0.1 Go-http-client/1.1", ruleStop+now, true)
			}
		})
		within(t, got, why, 2*time.Second, 2*time.Second, "traffic stopped")
	})
	t.Run("silence while the process stalled is no absence", func(t *testing.T) {
		tr := &traffic{}
		steady(tr, 10*time.Millisecond, 0)
		probes(tr, "lb", time.Second, -10*time.Second-300*time.Millisecond, -300*time.Millisecond)
		d := tr.planAt(ruleCfg, ruleBegin, ruleStop)
		if why := d.overAt(tr, ruleStop+time.Second); why != "" {
			t.Fatalf("over at 1s = %q, want not yet", why)
		}
		// Stalled from 1s to 3s: the balancer's probes may be in the backlog.
		for now := 3 * time.Second; ; now += drainTick {
			if why := d.overAt(tr, ruleStop+now); why != "" {
				within(t, now, why, 5*time.Second, 5*time.Second, "traffic stopped")
				break
			}
		}
	})
}

// TestDrainRule_probersBounded checks that no more than maxProbers are
// remembered, the one silent longest forgotten first.
func TestDrainRule_probersBounded(t *testing.T) {
	t.Parallel()
	tr := &traffic{}
	for i := range maxProbers + 3 {
		tr.probedAt(fmt.Sprint("p", i), ruleStop+time.Duration(i)*time.Second, false)
	}
	if n := len(tr.probers); n != maxProbers {
		t.Fatalf("%d probers remembered, want %d", n, maxProbers)
	}
	for _, p := range tr.probers {
		if p.key == "p0" || p.key == "p1" || p.key == "p2" {
			t.Errorf("prober %s, the first to fall silent, is still remembered", p.key)
		}
	}
}

// TestTraffic_probed checks that probers are told apart by address and user
// agent, and that the clock readings are positive and monotonic.
func TestTraffic_probed(t *testing.T) {
	t.Parallel()
	tr := &traffic{}
	ask := func(addr, agent string) {
		r, err := http.NewRequest(http.MethodGet, "http://x/readyz", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.RemoteAddr = addr
		r.Header.Set("User-Agent", agent)
		tr.probeRequest(r, false)
	}
	ask("10.0.0.1:4000", "kube-probe/1.31")
	ask("10.0.0.1:4001", "kube-probe/1.31")
	ask("10.0.0.1:4002", "curl/8.5")
	ask("10.0.0.2:4000", "kube-probe/1.31")
	ask("[::1]:80", "")
	if n := len(tr.probers); n != 4 {
		t.Errorf("%d probers, want 4 (address and user agent, port aside)", n)
	}
	ask("10.0.0.3:1", strings.Repeat("x", 10000))
	if k := tr.probers[4].key; len(k) > 120 {
		t.Errorf("a 10,000-byte user agent made a %d-byte prober key, want it cut short", len(k))
	}
	if tr.probers[0].probes != 2 {
		t.Errorf("the kubelet on 10.0.0.1 probed %d times, want 2", tr.probers[0].probes)
	}
	a := tr.now()
	b := tr.now()
	if a <= 0 || b < a {
		t.Errorf("clock readings %s then %s, want positive and not going back", a, b)
	}
}

// TestTraffic_probedAnonymous checks that probes with nothing to tell their
// prober apart (Group.Ready's) count as one prober's, on the monotonic clock.
func TestTraffic_probedAnonymous(t *testing.T) {
	t.Parallel()
	tr := &traffic{}
	tr.probed(0, false)
	tr.probed(-1, true) // the wall-clock time given is not used
	if len(tr.probers) != 1 || tr.probers[0].probes != 2 {
		t.Fatalf("probers %+v, want one prober with two probes", tr.probers)
	}
	if tr.probe503.Load() <= 0 {
		t.Errorf("the 503 was not recorded at a clock reading")
	}
}
