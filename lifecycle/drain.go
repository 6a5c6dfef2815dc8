package lifecycle

import (
	"sync/atomic"
	"time"
)

const (
	// sparseFactor is how many mean gaps between requests the quiet window
	// lasts at least: with requests arriving at random at the rate seen
	// before the stop, a balancer still sending leaves such a silence once
	// in e^8 (about 3000) windows.
	sparseFactor = 8
	// proberRecent is how recent a probe must be, at the stop, for the
	// group to count on a prober.
	proberRecent = 30 * time.Second
	// drainTick is how often the drain looks at the traffic.
	drainTick = 20 * time.Millisecond
)

// traffic is what the HTTP actors and the probes record for the drain. Every
// field is a time in Unix nanoseconds (0: never), written with atomics from
// the handlers.
type traffic struct {
	last     atomic.Int64 // arrival of the last request that is not a probe
	gap      atomic.Int64 // moving average of the gaps between those arrivals
	probe    atomic.Int64 // the last request to /readyz
	probe503 atomic.Int64 // the first /readyz answered 503 during the stop
}

// request records the arrival of a request that is not a probe.
func (t *traffic) request(now int64) {
	prev := t.last.Swap(now)
	if prev == 0 || now <= prev {
		return
	}
	gap := now - prev
	if old := t.gap.Load(); old == 0 {
		t.gap.Store(gap)
	} else {
		// A lost update under contention only makes the average a little
		// less precise.
		t.gap.Store(old + (gap-old)/8)
	}
}

// probed records a request to /readyz and whether it was answered 503
// because the group is stopping.
func (t *traffic) probed(now int64, stopping bool) {
	t.probe.Store(now)
	if stopping {
		t.probe503.CompareAndSwap(0, now)
	}
}

// stallGap is a gap between two looks at the traffic long enough to say the
// process was not running (starved of CPU, stopped): time it did not see
// does not count as quiet, since requests may be waiting in the backlog.
const stallGap = 100 * time.Millisecond

// drainPlan is the drain rule for one stop, fixed at its start.
type drainPlan struct {
	cfg        Config
	start      time.Time
	window     time.Duration // quiet window
	proberSeen bool

	looked time.Time // the previous look
	woke   time.Time // the end of the last stall
}

// plan fixes the quiet window and whether a prober is counted on, from the
// traffic seen until the stop began.
func (t *traffic) plan(cfg Config, runBegin, stop time.Time) drainPlan {
	last := t.last.Load()
	since := stop.Sub(runBegin)
	if last != 0 {
		since = stop.Sub(time.Unix(0, last))
	}
	gap := max(time.Duration(t.gap.Load()), since)
	window := min(max(sparseFactor*gap, cfg.DrainQuiet), cfg.DrainDelay)
	probe := t.probe.Load()
	return drainPlan{
		cfg:        cfg,
		start:      stop,
		window:     window,
		proberSeen: probe != 0 && stop.Sub(time.Unix(0, probe)) < proberRecent,
	}
}

// over returns why the drain is over at now, or "" while it goes on.
func (d *drainPlan) over(t *traffic, now time.Time) string {
	if !d.looked.IsZero() && now.Sub(d.looked) > stallGap {
		d.woke = now
	}
	d.looked = now
	took := now.Sub(d.start)
	switch {
	case took >= d.cfg.DrainDelay && d.cfg.DrainMin >= d.cfg.DrainDelay:
		return "fixed drain"
	case took >= d.cfg.DrainDelay:
		return "longest drain (DRAIN_DELAY) reached"
	case took < d.cfg.DrainMin:
		return ""
	case d.proberSeen && t.probe503.Load() == 0:
		return "" // the prober has not yet seen the stop
	}
	last := d.start
	if l := t.last.Load(); l != 0 {
		last = time.Unix(0, l)
	}
	if d.woke.After(last) {
		last = d.woke
	}
	if now.Sub(last) >= d.window {
		return "traffic stopped"
	}
	return ""
}
