//go:build unix

package logging_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/twelvekit/twelvekit/logging"
)

// slowChildEnv switches the test binary into the child of
// TestStdout_slowReaderLosesNothing: it logs SLOW_EVENTS events as fast as
// it can with LOG_BUFFER from its environment, syncs, and says on stderr
// what Sync returned.
const slowChildEnv = "LOGGING_TEST_SLOW_CHILD"

func slowChild() {
	buffer, _ := strconv.Atoi(os.Getenv("LOG_BUFFER"))
	n, _ := strconv.Atoi(os.Getenv("SLOW_EVENTS"))
	log := logging.New(logging.Config{Buffer: buffer})
	pad := strings.Repeat("p", 60)
	for i := range n {
		log.Info("event", zap.Int("i", i), zap.String("pad", pad))
	}
	// Every event is logged (queued, written or dropped): the reader may
	// begin now, so the queue has surely overflowed whatever the speed of
	// this machine.
	os.Stderr.WriteString("logged\n")
	err := log.Sync()
	os.Stderr.WriteString("synced " + errText(err) + "\n")
	os.Exit(0)
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// pacedReader reads r at about rate bytes a second.
type pacedReader struct {
	r     io.Reader
	rate  int
	begin time.Time
	n     int
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if p.begin.IsZero() {
		p.begin = time.Now()
	}
	// Read no further ahead of the pace than 4 KiB.
	ahead := time.Duration(float64(p.n) / float64(p.rate) * float64(time.Second))
	if wait := ahead - time.Since(p.begin); wait > 0 {
		time.Sleep(wait) // the pace of a slow reader, not a synchronisation
	}
	n, err := p.r.Read(b[:min(len(b), 4096)])
	p.n += n
	return n, err
}

// TestStdout_slowReaderLosesNothing: with LOG_BUFFER and a reader much
// slower than the writer, every event logged is either written or counted
// in a "dropped" report that is written, and Sync waits for the backlog
// (the reader is slow, not stopped) instead of calling stdout stalled.
func TestStdout_slowReaderLosesNothing(t *testing.T) {
	if os.Getenv(slowChildEnv) == "1" {
		slowChild()
		return
	}
	t.Parallel()
	const events = 80000
	// A queue of 60,000 events (about 8 MB) takes some 3 s to drain at
	// 3 MB/s: longer than the 2 s a stalled write is given.
	stdout, child := startPipedChild(t, "^TestStdout_slowReaderLosesNothing$",
		slowChildEnv+"=1", "LOG_BUFFER=60000", "SLOW_EVENTS="+strconv.Itoa(events))
	// The reader starts once the child has logged everything, so that
	// drops happen however fast or loaded this machine is, then reads
	// slowly while the child's Sync waits for the backlog.
	if await(child, "logged", 90*time.Second) == "" {
		t.Fatal("the child did not log its events within 90s")
	}
	var written, dropped, reports int
	sc := bufio.NewScanner(&pacedReader{r: stdout, rate: 3 << 20})
	for sc.Scan() {
		ev := decode(t, sc.Text())
		switch {
		case ev["msg"] == "event":
			written++
		case ev["dropped"] != nil:
			reports++
			n, err := strconv.Atoi(fmt.Sprint(ev["dropped"]))
			if err != nil {
				t.Fatalf("dropped = %v", ev["dropped"])
			}
			dropped += n
		default:
			t.Errorf("unexpected event %v", ev)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the child's stdout: %v", err)
	}
	waitExit(t, child, 0)
	if got := strings.TrimSpace(child.Stderr()); !strings.HasSuffix(got, "synced <nil>") {
		t.Errorf("child's Sync said %q, want <nil>: the reader was slow, never stopped", got)
	}
	if written+dropped != events {
		t.Errorf("%d written + %d reported dropped (in %d reports) = %d, want %d logged", written, dropped, reports, written+dropped, events)
	}
	if dropped == 0 || written == 0 {
		t.Errorf("%d written, %d dropped: want both, or the reader was not slow enough to test anything", written, dropped)
	}
}
