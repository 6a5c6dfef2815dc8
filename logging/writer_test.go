package logging_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
	"github.com/twelvekit/twelvekit/logging"
)

// gate is a writer that blocks every Write until it is opened, as a pipe
// that nobody reads does.
type gate struct {
	open    chan struct{}
	once    sync.Once
	b       testkit.Buffer
	entered chan struct{}
}

func newGate() *gate {
	return &gate{open: make(chan struct{}), entered: make(chan struct{}, 1)}
}

func (g *gate) Write(p []byte) (int, error) {
	select {
	case g.entered <- struct{}{}:
	default:
	}
	<-g.open
	return g.b.Write(p)
}

func (g *gate) release() { g.once.Do(func() { close(g.open) }) }

func (g *gate) String() string { return g.b.String() }

func TestConfig_buffer(t *testing.T) {
	t.Parallel()
	g := newGate()
	defer g.release()
	log := logging.New(logging.Config{Buffer: 10}, logging.WithWriter(g), logging.WithEnvironment(nil), logging.WithClock(fixedClock))

	log.Info("first") // taken by the writing goroutine, which then blocks
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the queue's goroutine did not start writing within 10s")
	}
	returned := make(chan struct{})
	go func() {
		defer close(returned)
		for i := range 100 {
			log.Info("more", zapInt("i", i))
		}
	}()
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		t.Fatal("logging calls blocked on a stalled writer with Buffer set")
	}
	if err := log.Sync(); !errors.Is(err, logging.ErrStalled) {
		t.Errorf("Sync on a stalled writer = %v, want ErrStalled", err)
	}

	g.release()
	if err := log.Sync(); err != nil {
		t.Fatalf("Sync after the writer drained = %v", err)
	}
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(g.String()), "\n") {
		got = append(got, decode(t, line))
	}
	// first, then the 10 queued, then the report of the 90 dropped.
	if len(got) != 12 {
		t.Fatalf("got %d events, want 12:\n%s", len(got), g.String())
	}
	for i := 1; i <= 10; i++ {
		if got[i]["msg"] != "more" || got[i]["i"] != num(itoa(i-1)) {
			t.Errorf("event %d = %v, want more i=%d", i, got[i], i-1)
		}
	}
	last := got[11]
	if last["level"] != "warn" || last["dropped"] != num("90") || !strings.Contains(last["msg"].(string), "dropped") {
		t.Errorf("last event = %v, want a warn report of 90 dropped events", last)
	}
}

func TestConfig_bufferKeepsOrderWithoutDrops(t *testing.T) {
	buf := newBuffer()
	log := logging.New(logging.Config{Buffer: 1000}, logging.WithWriter(buf), logging.WithEnvironment(nil))
	for i := range 500 {
		log.Info("e", zapInt("i", i))
	}
	if err := log.Sync(); err != nil {
		t.Fatal(err)
	}
	ev := buf.events(t)
	if len(ev) != 500 {
		t.Fatalf("got %d events, want 500", len(ev))
	}
	for i, e := range ev {
		if e["i"] != num(itoa(i)) {
			t.Fatalf("event %d = %v, out of order", i, e)
		}
	}
}

// TestSync_stalledWrite checks that without Buffer, a write blocked on a
// stalled writer holds Sync for a bounded time only, so that main's last
// Sync cannot keep the process alive.
func TestSync_stalledWrite(t *testing.T) {
	t.Parallel()
	g := newGate()
	log := logging.New(logging.Config{}, logging.WithWriter(g), logging.WithEnvironment(nil), logging.WithClock(fixedClock))
	wrote := make(chan struct{})
	go func() {
		defer close(wrote)
		log.Info("blocked") // blocks in the gate until it is released
	}()
	select {
	case <-g.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the write did not reach the writer within 10s")
	}
	synced := make(chan error, 1)
	go func() { synced <- log.Sync() }()
	select {
	case err := <-synced:
		if !errors.Is(err, logging.ErrStalled) {
			t.Errorf("Sync with a write blocked = %v, want ErrStalled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Sync waited more than 10s for a blocked write")
	}
	g.release()
	<-wrote
	if err := log.Sync(); err != nil {
		t.Errorf("Sync after the write ended = %v, want nil", err)
	}
}

// TestSyncBy_givesUpThenImmediate checks the final flush of a stop: SyncBy
// on a stalled writer returns ErrStalled by its deadline, the program's own
// Sync after it returns at once, and once the writer moves again Sync waits
// for it as before; with and without Buffer.
func TestSyncBy_givesUpThenImmediate(t *testing.T) {
	for _, buffer := range []int{0, 10} {
		g := newGate()
		log := logging.New(logging.Config{Buffer: buffer}, logging.WithWriter(g), logging.WithEnvironment(nil), logging.WithClock(fixedClock))
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			log.Info("blocked")
		}()
		select {
		case <-g.entered:
		case <-time.After(10 * time.Second):
			t.Fatal("the write did not reach the writer within 10s")
		}
		by, ok := log.Core().(interface{ SyncBy(time.Time) error })
		if !ok {
			t.Fatalf("Buffer=%d: the core has no SyncBy", buffer)
		}
		begin := time.Now()
		if err := by.SyncBy(begin.Add(100 * time.Millisecond)); !errors.Is(err, logging.ErrStalled) {
			t.Errorf("Buffer=%d: SyncBy = %v, want ErrStalled", buffer, err)
		}
		if d := time.Since(begin); d > time.Second {
			t.Errorf("Buffer=%d: SyncBy took %s past a deadline of 100ms", buffer, d)
		}
		begin = time.Now()
		if err := log.Sync(); !errors.Is(err, logging.ErrStalled) {
			t.Errorf("Buffer=%d: Sync after SyncBy gave up = %v, want ErrStalled", buffer, err)
		}
		if d := time.Since(begin); d > 500*time.Millisecond {
			t.Errorf("Buffer=%d: Sync after SyncBy gave up took %s, want at once", buffer, d)
		}
		g.release()
		<-wrote
		testkit.Eventually(t, 10*time.Second, fmt.Sprintf("Buffer=%d: the event written", buffer), func() bool {
			return strings.Contains(g.String(), "blocked")
		})
		log.Info("after") // the writer moves again: Sync waits for it as before
		var err error
		if !testkit.Within(10*time.Second, func() bool { err = log.Sync(); return err == nil }) {
			t.Fatalf("Buffer=%d: Sync once the writer moved = %v, want nil", buffer, err)
		}
	}
}
