package logging

import (
	"errors"
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// ErrStalled is returned by a logger's Sync when whoever reads the
// process's stdout has stopped reading: one write to it has been blocked
// for two seconds. A reader that is only slow is waited for, however long
// its backlog takes, since each write completes. With Config.Buffer set,
// the queued events are then still queued; without it, a write is blocked,
// and Sync gives up waiting for it, so that a process whose stdout is
// stalled can still exit.
//
// Once a stop with a deadline (lifecycle's Group.Run, admin's commands) has
// given up on stdout, Sync returns ErrStalled at once until a write
// completes again: the program's own Sync after Run cannot hold the process
// past SHUTDOWN_TIMEOUT.
var ErrStalled = errors.New("logging: stdout is not being read; queued events are not written yet")

// stallWait is how long one write may stay blocked before Sync calls the
// reader stopped.
const stallWait = 2 * time.Second

// syncTick is how often Sync looks at a writer's progress while it waits.
const syncTick = 5 * time.Millisecond

// progress is what a writer tells Sync: how many writes completed, since
// when the write in progress (if any) is blocked, and whether a stop has
// given up on it. Its methods are called with the writer's lock held.
type progress struct {
	writes uint64    // writes completed
	since  time.Time // start of the write in progress; zero when none
	gaveUp bool      // a SyncBy gave up, and no write completed since
	atGive uint64    // writes when it gave up
}

// stalled reports whether the write in progress has been blocked for
// stallWait at now, counted from begin at the earliest (when the Sync
// began: a reader that resumes is seen), or a stop gave up on the writer
// and nothing was written since.
func (p *progress) stalled(now, begin time.Time) bool {
	if p.gaveUp && p.writes == p.atGive {
		return true
	}
	return !p.since.IsZero() && now.Sub(later(p.since, begin)) >= stallWait
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitFor waits until idle reports true (called with mu held), until the
// writer has stalled (ErrStalled) or until deadline passes (ErrStalled, and
// the writer is given up on). A zero deadline means none.
func waitFor(mu *sync.Mutex, p *progress, idle func() bool, deadline time.Time) error {
	begin := time.Now()
	tick := time.NewTicker(syncTick)
	defer tick.Stop()
	for {
		mu.Lock()
		now := time.Now()
		switch {
		case idle():
			mu.Unlock()
			return nil
		case !deadline.IsZero() && !now.Before(deadline):
			p.gaveUp, p.atGive = true, p.writes
			mu.Unlock()
			return ErrStalled
		case p.stalled(now, begin):
			mu.Unlock()
			return ErrStalled
		}
		mu.Unlock()
		<-tick.C
	}
}

// queue is the writer of a logger with Config.Buffer above zero: Write
// copies the event into a queue of at most max events and returns at once;
// a goroutine, started when the first event is queued and ended when the
// queue is empty again, writes them to out in order. When the queue is
// full, Write drops the event and counts it; after each batch it writes,
// the goroutine writes one event that reports the count dropped since the
// last report, so that every event is either written or counted in a
// report that is written.
type queue struct {
	out    zapcore.WriteSyncer
	max    int
	report func(dropped int) []byte

	mu      sync.Mutex
	pending [][]byte
	free    [][]byte
	dropped int
	running bool // the goroutine runs
	p       progress
}

func newQueue(out zapcore.WriteSyncer, max int) *queue {
	return &queue{out: out, max: max}
}

// Write queues a copy of p, or drops it when the queue is full. It never
// blocks on out and never fails.
func (q *queue) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) >= q.max {
		q.dropped++
		return len(p), nil
	}
	var b []byte
	if n := len(q.free); n > 0 {
		b, q.free = q.free[n-1][:0], q.free[:n-1]
	}
	q.pending = append(q.pending, append(b, p...))
	if !q.running {
		q.running = true
		go q.run()
	}
	return len(p), nil
}

// run writes the queue, and after each batch the report of what was
// dropped meanwhile, until both are empty, and ends.
func (q *queue) run() {
	var batch [][]byte
	for {
		q.mu.Lock()
		for _, b := range batch {
			if cap(b) <= 64<<10 && len(q.free) < q.max {
				q.free = append(q.free, b)
			}
		}
		batch, q.pending = q.pending, batch[:0]
		n := q.dropped
		q.dropped = 0
		if len(batch) == 0 && n == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		for _, b := range batch {
			q.write(b)
		}
		if n > 0 && q.report != nil {
			q.write(q.report(n))
		}
	}
}

// write writes one event to out, recording the progress for Sync.
func (q *queue) write(b []byte) {
	q.mu.Lock()
	q.p.since = time.Now()
	q.mu.Unlock()
	_, _ = q.out.Write(b)
	q.mu.Lock()
	q.p.since = time.Time{}
	q.p.writes++
	q.p.gaveUp = false
	q.mu.Unlock()
}

// Sync waits until the queued events, and the report of those dropped, are
// written, as long as the reader keeps reading, and then syncs out. It
// returns ErrStalled when one write stays blocked for two seconds.
func (q *queue) Sync() error { return q.SyncBy(time.Time{}) }

// SyncBy is Sync that also gives up at deadline (zero: none). A SyncBy that
// gives up makes every later Sync return ErrStalled at once until a write
// completes.
func (q *queue) SyncBy(deadline time.Time) error {
	if err := waitFor(&q.mu, &q.p, func() bool { return !q.running }, deadline); err != nil {
		return err
	}
	return q.out.Sync()
}

// locked serialises the writes of a logger without Config.Buffer, as
// zapcore.Lock does, except that its Sync gives up on a write blocked for
// two seconds: a write blocked on a stalled stdout must not hold the
// process's last Sync, and so its exit, for ever.
type locked struct {
	mu  sync.Mutex // held for the whole of a write
	out zapcore.WriteSyncer

	pmu sync.Mutex // guards p
	p   progress
}

func (l *locked) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pmu.Lock()
	l.p.since = time.Now()
	l.pmu.Unlock()
	n, err := l.out.Write(b)
	l.pmu.Lock()
	l.p.since = time.Time{}
	l.p.writes++
	l.p.gaveUp = false
	l.pmu.Unlock()
	return n, err
}

// Sync syncs out once no write is in progress, or returns ErrStalled when
// one has been blocked for two seconds.
func (l *locked) Sync() error { return l.SyncBy(time.Time{}) }

// SyncBy is Sync that also gives up at deadline (zero: none).
func (l *locked) SyncBy(deadline time.Time) error {
	if err := waitFor(&l.pmu, &l.p, func() bool { return l.p.since.IsZero() }, deadline); err != nil {
		return err
	}
	if !l.mu.TryLock() {
		// A write began meanwhile: it is progress, and Sync would only
		// wait for it.
		return nil
	}
	defer l.mu.Unlock()
	return l.out.Sync()
}

// syncerBy is a writer whose Sync can be given a deadline.
type syncerBy interface {
	SyncBy(deadline time.Time) error
}
