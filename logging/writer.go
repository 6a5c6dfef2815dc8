package logging

import (
	"errors"
	"sync"
	"time"

	"go.uber.org/zap/zapcore"
)

// ErrStalled is returned by a logger's Sync when the events written before
// it are still not written after two seconds: whoever reads the process's
// stdout has stopped reading. With Config.Buffer set, the queued events are
// then still queued; without it, a write is blocked, and Sync gives up
// waiting for it, so that a process whose stdout is stalled can still exit.
var ErrStalled = errors.New("logging: stdout is not being read; queued events are not written yet")

// syncWait bounds how long Sync waits for queued events, so that a process
// whose stdout is stalled still exits.
const syncWait = 2 * time.Second

// queue is the writer of a logger with Config.Buffer above zero: Write
// copies the event into a queue of at most max events and returns at once;
// a goroutine, started when the first event is queued and ended when the
// queue is empty again, writes them to out in order. When the queue is
// full, Write drops the event and counts it; once the goroutine has emptied
// the queue it writes one event that reports the count.
type queue struct {
	out    zapcore.WriteSyncer
	max    int
	report func(dropped int) []byte

	mu      sync.Mutex
	pending [][]byte
	free    [][]byte
	dropped int
	done    chan struct{} // closed when the running goroutine ends; nil when none runs
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
	if q.done == nil {
		q.done = make(chan struct{})
		go q.run(q.done)
	}
	return len(p), nil
}

// run writes the queue until it is empty, then the report of what was
// dropped, if anything was, and ends.
func (q *queue) run(done chan struct{}) {
	var batch [][]byte
	for {
		q.mu.Lock()
		for _, b := range batch {
			if cap(b) <= 64<<10 && len(q.free) < q.max {
				q.free = append(q.free, b)
			}
		}
		batch, q.pending = q.pending, batch[:0]
		if len(batch) == 0 {
			n := q.dropped
			q.dropped = 0
			if n == 0 {
				q.done = nil
				close(done)
				q.mu.Unlock()
				return
			}
			q.mu.Unlock()
			if q.report != nil {
				_, _ = q.out.Write(q.report(n))
			}
			continue
		}
		q.mu.Unlock()
		for _, b := range batch {
			_, _ = q.out.Write(b)
		}
	}
}

// Sync waits until the queued events are written, for at most syncWait,
// and then syncs out. It returns ErrStalled when they are not.
func (q *queue) Sync() error {
	q.mu.Lock()
	done := q.done
	q.mu.Unlock()
	if done != nil {
		t := time.NewTimer(syncWait)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			return ErrStalled
		}
	}
	return q.out.Sync()
}

// locked serialises the writes of a logger without Config.Buffer, as
// zapcore.Lock does, except that its Sync waits at most syncWait for a
// write in progress: a write blocked on a stalled stdout must not hold the
// process's last Sync, and so its exit, for ever.
type locked struct {
	mu  sync.Mutex
	out zapcore.WriteSyncer
}

func (l *locked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.out.Write(p)
}

// Sync syncs out once no write is in progress, or returns ErrStalled when
// one is still in progress after syncWait.
func (l *locked) Sync() error {
	if !l.mu.TryLock() {
		deadline := time.Now().Add(syncWait)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for !l.mu.TryLock() {
			if !time.Now().Before(deadline) {
				return ErrStalled
			}
			<-tick.C
		}
	}
	defer l.mu.Unlock()
	return l.out.Sync()
}
