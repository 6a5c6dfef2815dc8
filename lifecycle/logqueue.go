package lifecycle

import (
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// logQueueSize is how many entries of the group may wait to be written.
const logQueueSize = 256

// logQueue takes the group's own log entries off the stop path: a core that
// queues every entry, and one goroutine of Run that writes them to the
// logger's real core. A stdout nobody reads then blocks that goroutine, never
// the stop.
type logQueue struct {
	c       chan logJob
	stop    chan struct{}
	done    chan struct{}
	closed  atomic.Bool
	dropped atomic.Int64
	once    sync.Once
}

type logJob struct {
	core   zapcore.Core
	ent    zapcore.Entry
	fields []zapcore.Field
}

// startLogQueue returns a logger that writes through log's core by way of a
// new queue, and the queue. The caller must call close.
func startLogQueue(log *zap.Logger) (*zap.Logger, *logQueue) {
	q := &logQueue{c: make(chan logJob, logQueueSize), stop: make(chan struct{}), done: make(chan struct{})}
	go q.write()
	queued := log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return &queuedCore{inner: c, q: q} }))
	return queued, q
}

func (q *logQueue) write() {
	defer close(q.done)
	for {
		select {
		case j := <-q.c:
			j.writeNow()
		case <-q.stop:
			for {
				select {
				case j := <-q.c:
					j.writeNow()
				default:
					return
				}
			}
		}
	}
}

func (j logJob) writeNow() {
	if ce := j.core.Check(j.ent, nil); ce != nil {
		ce.Write(j.fields...)
	}
}

// close stops the queue and waits until every entry queued is written or
// deadline passes (the stop keeps a reserve for it); it reports whether the writer
// has finished. When it has not, its goroutine ends once stdout takes what it
// writes, or with the process.
func (q *logQueue) close(deadline time.Time) bool {
	q.once.Do(func() {
		q.closed.Store(true)
		close(q.stop)
	})
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-q.done:
		return true
	case <-t.C:
		return false
	}
}

// queuedCore is a zapcore.Core that queues its entries for the writer of a
// logQueue. After the queue is closed, it writes directly: only goroutines
// that outlive Run (a handler, an abandoned check) still log then.
type queuedCore struct {
	inner zapcore.Core
	q     *logQueue
}

func (c *queuedCore) Enabled(l zapcore.Level) bool { return c.inner.Enabled(l) }

func (c *queuedCore) With(fields []zapcore.Field) zapcore.Core {
	return &queuedCore{inner: c.inner.With(fields), q: c.q}
}

func (c *queuedCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.inner.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *queuedCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	j := logJob{core: c.inner, ent: ent, fields: fields}
	if c.q.closed.Load() {
		j.writeNow()
		return nil
	}
	select {
	case c.q.c <- j:
	default:
		c.q.dropped.Add(1)
	}
	return nil
}

// Sync does nothing: the entries are the queue's until its writer has
// written them, and the application syncs its own logger.
func (c *queuedCore) Sync() error { return nil }
