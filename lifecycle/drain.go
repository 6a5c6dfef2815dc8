package lifecycle

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// sparseFactor is how many mean gaps between requests the quiet window
	// lasts at least: with requests arriving at random at the rate seen
	// before the stop, a balancer still sending leaves such a silence once
	// in e^8 (about 3000) windows.
	sparseFactor = 8
	// missFactor is how many of its usual intervals a prober may stay
	// silent before it counts as gone: a prober still there probes within
	// one interval (and a little jitter); one silent for two has stopped
	// probing, as a balancer does for an upstream it no longer has.
	missFactor = 2
	// maxProbers bounds the probers remembered; past it, the one silent the
	// longest is forgotten.
	maxProbers = 8
	// maxAgentKey is how much of a prober's user agent tells it apart.
	maxAgentKey = 100
	// drainTick is how often the drain looks at the traffic.
	drainTick = 20 * time.Millisecond
)

// traffic is what the HTTP actors and the probes record for the drain. Every
// time in it is a reading of the monotonic clock: the time since epoch, a
// moment fixed at its first use (and one second before it, so that no
// reading is 0, which means never). Requests are recorded with atomics from
// the handlers; probes, rarer, under a mutex.
type traffic struct {
	epochOnce sync.Once
	epoch     time.Time

	last     atomic.Int64 // arrival of the last request that is not a probe
	gap      atomic.Int64 // moving average of the gaps between those arrivals
	probe503 atomic.Int64 // the first /readyz answered 503 during the stop

	mu      sync.Mutex
	probers []prober
}

// prober is one asker of /readyz, told apart by its address and user agent:
// a balancer's health check, the kubelet, a deploy script polling.
type prober struct {
	key      string
	last     time.Duration // its last probe
	interval time.Duration // moving average of the gaps between its probes
	lastGap  time.Duration // the gap before its last probe
	probes   int
}

// missAfter is how long after its last probe the prober counts as gone:
// missFactor times its usual interval, the average of its gaps or the last
// one when longer (a balancer's checks after a burst of startup polls from
// the same address, a check interval that grows once the instance fails). A
// prober seen once, such as a deploy script that asked once whether the
// instance was ready, tells no interval and is no balancer: it has gone at
// once.
func (p *prober) missAfter() time.Duration {
	if p.probes < 2 {
		return 0
	}
	return missFactor * max(p.interval, p.lastGap)
}

// now returns the monotonic clock's reading.
func (t *traffic) now() time.Duration { return t.at(time.Now()) }

// at returns the reading of the moment tm, which must carry a monotonic
// clock reading (time.Now does) for the drain to use only that clock.
func (t *traffic) at(tm time.Time) time.Duration {
	t.epochOnce.Do(func() { t.epoch = time.Now().Add(-time.Second) })
	return tm.Sub(t.epoch)
}

// request records the arrival of a request that is not a probe.
func (t *traffic) request() { t.requestAt(t.now()) }

func (t *traffic) requestAt(now time.Duration) {
	prev := time.Duration(t.last.Swap(int64(now)))
	if prev == 0 || now <= prev {
		return
	}
	gap := now - prev
	if old := time.Duration(t.gap.Load()); old == 0 {
		t.gap.Store(int64(gap))
	} else {
		// A lost update under contention only makes the average a little
		// less precise.
		t.gap.Store(int64(old + (gap-old)/8))
	}
}

// probeRequest records the request r to /readyz and whether it was
// answered 503 because the group is stopping; its prober is told apart by
// r's address and user agent.
func (t *traffic) probeRequest(r *http.Request, stopping bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	agent := r.UserAgent()
	agent = agent[:min(len(agent), maxAgentKey)] // the key stays small whatever a client sends
	t.probedAt(host+" "+agent, t.now(), stopping)
}

// probed records a probe that tells nothing of its prober (a call of
// Group.Ready from a health service): all such probes count as one prober's.
// The time it was given is not used, since the drain reads only its own
// monotonic clock; the parameter stays for the callers written when it read
// wall-clock nanoseconds.
func (t *traffic) probed(_ int64, stopping bool) { t.probedAt("", t.now(), stopping) }

func (t *traffic) probedAt(key string, now time.Duration, stopping bool) {
	if stopping {
		t.probe503.CompareAndSwap(0, int64(now))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i := 0
	for i < len(t.probers) && t.probers[i].key != key {
		i++
	}
	if i == len(t.probers) {
		if len(t.probers) < maxProbers {
			t.probers = append(t.probers, prober{key: key})
		} else {
			i = 0
			for j := range t.probers {
				if t.probers[j].last < t.probers[i].last {
					i = j
				}
			}
			t.probers[i] = prober{key: key}
		}
	}
	p := &t.probers[i]
	if p.probes > 0 && now > p.last {
		gap := now - p.last
		p.lastGap = gap
		if p.probes == 1 {
			p.interval = gap
		} else {
			p.interval += (gap - p.interval) / 4
		}
	}
	p.last = max(p.last, now)
	p.probes++
}

// present returns the keys of the probers that have not gone at now, having
// last probed at or after since: gone once silent for missAfter.
func (t *traffic) present(now, since time.Duration) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var keys []string
	for _, p := range t.probers {
		if now-max(p.last, since) < p.missAfter() {
			keys = append(keys, p.key)
		}
	}
	return keys
}

// stillThere reports whether any prober of keys has not gone at now, time
// before since not counting as silence.
func (t *traffic) stillThere(keys []string, now, since time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.probers {
		for _, k := range keys {
			if p.key == k && now-max(p.last, since) < p.missAfter() {
				return true
			}
		}
	}
	return false
}

// stallGap is a gap between two looks at the traffic long enough to say the
// process was not running (starved of CPU, stopped): time it did not see
// does not count as quiet, since requests may be waiting in the backlog.
const stallGap = 100 * time.Millisecond

// drainPlan is the drain rule for one stop, fixed at its start. Its times
// are readings of the traffic's monotonic clock.
type drainPlan struct {
	cfg        Config
	start      time.Duration
	window     time.Duration // quiet window
	proberSeen bool          // a prober was there at the stop
	probers    []string      // the keys of those probers

	looked time.Duration // the previous look (0: none yet)
	woke   time.Duration // the end of the last stall
}

// plan fixes the quiet window and the probers counted on, from the traffic
// seen from runBegin until the stop. Both times come from time.Now.
func (t *traffic) plan(cfg Config, runBegin, stop time.Time) drainPlan {
	return t.planAt(cfg, t.at(runBegin), t.at(stop))
}

// planAt is plan on clock readings. The quiet window is learned from the
// gaps between requests while they flowed; the silence since the last one,
// which a balancer that removed the instance before the stop made, counts
// as quiet but does not stretch the window. With fewer than two requests no
// gap was seen, and the time from the start to the first request (or to the
// stop) stands for one.
func (t *traffic) planAt(cfg Config, runBegin, stop time.Duration) drainPlan {
	gap := time.Duration(t.gap.Load())
	if gap == 0 {
		first := stop
		if last := time.Duration(t.last.Load()); last != 0 {
			first = last
		}
		gap = max(first-runBegin, 0)
	}
	window := min(max(sparseFactor*gap, cfg.DrainQuiet), cfg.DrainDelay)
	probers := t.present(stop, 0)
	return drainPlan{
		cfg:        cfg,
		start:      stop,
		window:     window,
		proberSeen: len(probers) > 0,
		probers:    probers,
	}
}

// over returns why the drain is over at now (from time.Now), or "" while it
// goes on.
func (d *drainPlan) over(t *traffic, now time.Time) string {
	return d.overAt(t, t.at(now))
}

// overAt is over on a clock reading. After DRAIN_MIN, the drain waits for
// the probers there at the stop until one of them has been answered 503 or
// every one has stopped probing, and for the traffic to have been quiet for
// the window.
func (d *drainPlan) overAt(t *traffic, now time.Duration) string {
	if d.looked != 0 && now-d.looked > stallGap {
		d.woke = now
	}
	d.looked = now
	took := now - d.start
	switch {
	case took >= d.cfg.DrainDelay && d.cfg.DrainMin >= d.cfg.DrainDelay:
		return "fixed drain"
	case took >= d.cfg.DrainDelay:
		return "longest drain (DRAIN_DELAY) reached"
	case took < d.cfg.DrainMin:
		return ""
	case d.proberSeen && t.probe503.Load() == 0 && t.stillThere(d.probers, now, d.woke):
		return "" // a prober still probing has not yet seen the stop
	}
	last := max(d.start, d.woke)
	if l := time.Duration(t.last.Load()); l != 0 {
		last = max(l, d.woke)
	}
	if now-last >= d.window {
		return "traffic stopped"
	}
	return ""
}
