package lifecycle

import (
	"testing"
	"time"
)

// TestDrainPlan checks the drain rule on made-up times: the minimum, the
// maximum, the prober, the quiet window and its growth with sparse traffic,
// and time the process did not run.
func TestDrainPlan(t *testing.T) {
	t.Parallel()
	cfg := Config{DrainDelay: 15 * time.Second, DrainMin: time.Second, DrainQuiet: 500 * time.Millisecond}
	begin := time.Unix(1000, 0)
	stop := begin.Add(time.Minute)
	at := func(d time.Duration) time.Time { return stop.Add(d) }
	ns := func(d time.Duration) int64 { return at(d).UnixNano() }

	// steady returns traffic of a request every gap until the stop, and a
	// prober if probed.
	steady := func(gap time.Duration, probed bool) *traffic {
		tr := &traffic{}
		for d := -10 * time.Second; d <= 0; d += gap {
			tr.request(ns(d))
		}
		if probed {
			tr.probed(ns(-time.Second), false)
		}
		return tr
	}
	// look walks the rule from the stop every 20ms up to until, calling
	// during(d) first at each step, and returns when and why it ended.
	look := func(tr *traffic, until time.Duration, during func(time.Duration)) (time.Duration, string) {
		d := tr.plan(cfg, begin, stop)
		for now := time.Duration(0); now <= until; now += 20 * time.Millisecond {
			if during != nil {
				during(now)
			}
			if why := d.over(tr, at(now)); why != "" {
				return now, why
			}
		}
		return -1, ""
	}

	t.Run("no prober, traffic stops with the signal", func(t *testing.T) {
		got, why := look(steady(10*time.Millisecond, false), 20*time.Second, nil)
		if got != time.Second || why != "traffic stopped" {
			t.Errorf("ended at %s (%s), want at the 1s minimum, traffic stopped", got, why)
		}
	})
	t.Run("traffic goes on until the balancer notices at 5s", func(t *testing.T) {
		tr := steady(10*time.Millisecond, true)
		got, why := look(tr, 20*time.Second, func(now time.Duration) {
			if now == 2*time.Second {
				tr.probed(ns(now), true)
			}
			if now <= 5*time.Second {
				tr.request(ns(now))
			}
		})
		if got < 5500*time.Millisecond || got > 5600*time.Millisecond || why != "traffic stopped" {
			t.Errorf("ended at %s (%s), want 500ms after the traffic stopped at 5s", got, why)
		}
	})
	t.Run("a prober seen waits for its 503", func(t *testing.T) {
		tr := steady(10*time.Millisecond, true)
		got, _ := look(tr, 20*time.Second, func(now time.Duration) {
			if now == 3*time.Second {
				tr.probed(ns(now), true)
			}
		})
		if got != 3*time.Second {
			t.Errorf("ended at %s, want at the prober's 503, 3s", got)
		}
	})
	t.Run("a prober long gone is not waited for", func(t *testing.T) {
		tr := steady(10*time.Millisecond, false)
		tr.probed(ns(-time.Minute), false)
		if got, _ := look(tr, 20*time.Second, nil); got != time.Second {
			t.Errorf("ended at %s, want at the minimum", got)
		}
	})
	t.Run("sparse traffic needs a long silence", func(t *testing.T) {
		got, why := look(steady(time.Second, false), 20*time.Second, nil)
		if got < 7*time.Second || why != "traffic stopped" {
			t.Errorf("ended at %s (%s), want 8 gaps of 1s after the last request", got, why)
		}
	})
	t.Run("no traffic at all lasts the longest drain", func(t *testing.T) {
		got, why := look(&traffic{}, 20*time.Second, nil)
		if got != 15*time.Second || why != "longest drain (DRAIN_DELAY) reached" {
			t.Errorf("ended at %s (%s), want the 15s longest drain", got, why)
		}
	})
	t.Run("traffic that never stops", func(t *testing.T) {
		tr := steady(10*time.Millisecond, false)
		got, why := look(tr, 20*time.Second, func(now time.Duration) { tr.request(ns(now)) })
		if got != 15*time.Second || why != "longest drain (DRAIN_DELAY) reached" {
			t.Errorf("ended at %s (%s), want the 15s longest drain", got, why)
		}
	})
	t.Run("a stall is not quiet", func(t *testing.T) {
		tr := steady(10*time.Millisecond, false)
		d := tr.plan(cfg, begin, stop)
		if why := d.over(tr, at(900*time.Millisecond)); why != "" {
			t.Fatalf("over at 900ms = %q, want not yet", why)
		}
		// The process did not run from 900ms to 2s: requests may be waiting.
		if why := d.over(tr, at(2*time.Second)); why != "" {
			t.Errorf("over right after a stall = %q, want not yet", why)
		}
		for now := 2 * time.Second; ; now += 20 * time.Millisecond {
			if why := d.over(tr, at(now)); why != "" {
				if now < 2500*time.Millisecond {
					t.Errorf("ended %s after the stall, want a whole quiet window", now-2*time.Second)
				}
				break
			}
		}
	})
	t.Run("fixed drain", func(t *testing.T) {
		fixed := Config{DrainDelay: 10 * time.Second, DrainMin: 10 * time.Second, DrainQuiet: 500 * time.Millisecond}
		tr := steady(10*time.Millisecond, false)
		d := tr.plan(fixed, begin, stop)
		if why := d.over(tr, at(9*time.Second)); why != "" {
			t.Errorf("over at 9s = %q, want not yet", why)
		}
		if why := d.over(tr, at(10*time.Second)); why != "fixed drain" {
			t.Errorf("over at 10s = %q, want fixed drain", why)
		}
	})
}
