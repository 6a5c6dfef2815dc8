package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// onEachDatabase runs test as a subtest on a fresh SQLite database and a
// fresh PostgreSQL database.
func onEachDatabase(t *testing.T, test func(t *testing.T, db database)) {
	for _, tc := range []struct {
		name string
		db   func(*testing.T) database
	}{
		{"sqlite", sqliteDatabase},
		{"postgres", postgresDatabase},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			test(t, tc.db(t))
		})
	}
}

// TestRollingStop sends orders to a web process from a bounded load
// generator while the process gets SIGTERM. Like a load balancer, the
// generator polls /readyz and stops sending once it answers 503; every
// request sent until then must get a 2xx, and every one must have stored its
// order.
func TestRollingStop(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, testRollingStop)
}

func testRollingStop(t *testing.T, db database) {
	const (
		workers     = 8
		minRequests = 2000 // sent before SIGTERM
	)
	db.migrate(t)
	web := start(t, "web", db.env("PORT=0", "DRAIN_DELAY=1s", "SHUTDOWN_TIMEOUT=10s"), db.dir, "web")
	base := "http://" + web.addr()
	web.event("ready", 20*time.Second)

	load := testkit.StartLoad(t, base+"/orders", workers, 0, testkit.Post("application/json", func(worker int) string {
		return fmt.Sprintf(`{"sku":"LOAD-%d","quantity":1}`, worker)
	}))

	// The load balancer: its own connections, /readyz every 50ms; it sends
	// traffic on until it sees the 503, as a real one does, then stops the
	// load (the requests in flight finish).
	lbTransport := &http.Transport{}
	defer lbTransport.CloseIdleConnections()
	lb := &http.Client{Transport: lbTransport, Timeout: 2 * time.Second}
	var termSent, stopped atomic.Bool
	var notReady atomic.Value  // time.Time
	var readyzErr atomic.Value // string: /readyz failed before it said 503
	stopLoad := func() {
		notReady.Store(time.Now())
		load.Stop()
		stopped.Store(true)
	}
	quit := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Go(func() {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			resp, err := lb.Get(base + "/readyz")
			if err != nil {
				if termSent.Load() { // gone without a 503 first: the drain failed
					readyzErr.Store(err.Error())
					stopLoad()
					return
				}
				continue
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusServiceUnavailable && termSent.Load() {
				stopLoad()
				return
			}
		}
	})
	defer func() { close(quit); watcher.Wait() }()

	load.WaitSent(t, minRequests, 60*time.Second)
	atTerm := load.Result()
	termAt := time.Now()
	termSent.Store(true)
	web.signal(syscall.SIGTERM)
	// Stop returns once every request in flight has its answer, each
	// within 5s.
	testkit.Eventually(t, 20*time.Second, "/readyz answering 503 and the load stopped", stopped.Load)
	res := load.Stop()
	if code := web.wait(20 * time.Second); code != 0 {
		t.Errorf("web exit code %d after SIGTERM, want 0", code)
	}
	took := time.Since(termAt)

	var orders int64
	if err := db.open(t).db.QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&orders); err != nil {
		t.Fatal(err)
	}
	readyAfter, _ := notReady.Load().(time.Time)
	summary := fmt.Sprintf("shop e2e rolling stop (%s): %d requests sent, %d failed, %d of them sent after SIGTERM; /readyz 503 after %v, exit after %v; %d orders stored",
		db.kind, res.Sent(), res.Failed, res.Sent()-atTerm.Sent(), readyAfter.Sub(termAt).Round(time.Millisecond), took.Round(time.Millisecond), orders)
	t.Log(summary)
	fmt.Println(summary)
	if e, _ := readyzErr.Load().(string); e != "" {
		t.Errorf("/readyz failed before it answered 503: %s", e)
	}
	if res.Failed != 0 {
		t.Errorf("%d of %d requests failed, want 0; the first: %s", res.Failed, res.Sent(), res.First)
	}
	if res.Sent() < minRequests {
		t.Errorf("%d requests sent, want at least %d", res.Sent(), minRequests)
	}
	if orders != res.OK {
		t.Errorf("%d orders stored, want %d (one per 2xx)", orders, res.OK)
	}
	if n := web.count(`"msg":"request"`); int64(n) != res.Sent() {
		t.Errorf("%d request events logged, want %d", n, res.Sent())
	}
}

// TestNoLostJobs runs three workers on 1,200 jobs, stops one with SIGTERM
// and kills one with SIGKILL while it holds a job, starts a replacement, and
// checks that every order was shipped exactly once. Two migrates run at
// once first.
func TestNoLostJobs(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, testNoLostJobs)
}

func testNoLostJobs(t *testing.T, db database) {
	const jobs = 1200

	// Two releases racing: both succeed, the schema is applied once.
	m1 := start(t, "migrate-1", db.env(), db.dir, "migrate")
	m2 := start(t, "migrate-2", db.env(), db.dir, "migrate")
	for _, m := range []*proc{m1, m2} {
		if code := m.wait(60 * time.Second); code != 0 {
			t.Fatalf("%s: exit %d, want 0", m.name, code)
		}
	}
	applied := m1.count(`"msg":"migration applied"`) + m2.count(`"msg":"migration applied"`)
	if applied != len(migrations) {
		t.Errorf("two concurrent migrates applied %d migrations in all, want %d", applied, len(migrations))
	}

	st := db.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	err := st.tx(ctx, func(tx *sql.Tx) error {
		for i := range jobs {
			if _, err := st.placeOrder(ctx, tx, fmt.Sprintf("SKU-%d", i%7), 1+i%3); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	count := func(query string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := st.db.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	doneJobs := func() int64 { return count(`SELECT COUNT(*) FROM jobs WHERE status = 'done'`) }

	env := db.env("JOB_LEASE=2s", "POLL_INTERVAL=50ms", "CARRIER_LATENCY=2ms", "SHUTDOWN_TIMEOUT=10s", "DRAIN_DELAY=1s")
	host, _ := os.Hostname()
	workerID := func(p *proc) string { return fmt.Sprintf("%s/%d", host, p.Cmd.Process.Pid) }
	a := start(t, "worker-a", env, db.dir, "worker")
	// b's carrier is slow, so that it is nearly always holding a job.
	b := start(t, "worker-b", append(slices.Clone(env), "CARRIER_LATENCY=50ms"), db.dir, "worker")
	c := start(t, "worker-c", env, db.dir, "worker")
	for _, w := range []*proc{a, b, c} {
		w.event("worker started", 20*time.Second)
	}
	testkit.Eventually(t, 60*time.Second, "a quarter of the jobs done", func() bool { return doneJobs() >= jobs/4 })

	// SIGTERM: a finishes the job in hand and takes no new one.
	a.signal(syscall.SIGTERM)
	// SIGKILL: b dies with a job in hand, to be taken again after its lease.
	var inHand int64
	testkit.Eventually(t, 10*time.Second, "worker-b holding a job", func() bool {
		err := st.db.QueryRowContext(ctx, `SELECT id FROM jobs WHERE status = 'running' AND locked_by = $1`, workerID(b)).Scan(&inHand)
		return err == nil
	})
	b.signal(syscall.SIGKILL)
	b.wait(10 * time.Second)
	atKill := doneJobs()
	d := start(t, "worker-d", env, db.dir, "worker")

	if code := a.wait(15 * time.Second); code != 0 {
		t.Errorf("worker-a exit code %d after SIGTERM, want 0", code)
	}
	a.event("worker stopped", time.Second)
	if n := count(`SELECT COUNT(*) FROM jobs WHERE status <> 'done' AND locked_by = $1`, workerID(a)); n != 0 {
		t.Errorf("worker-a left %d jobs unfinished after SIGTERM, want 0", n)
	}

	testkit.Eventually(t, 90*time.Second, "every job done", func() bool { return doneJobs() == jobs })
	for _, w := range []*proc{c, d} {
		w.signal(syscall.SIGTERM)
	}
	for _, w := range []*proc{c, d} {
		if code := w.wait(15 * time.Second); code != 0 {
			t.Errorf("%s exit code %d after SIGTERM, want 0", w.name, code)
		}
	}

	lost := count(`SELECT COUNT(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_id = o.id)`)
	dups := count(`SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM shipments GROUP BY order_id) x`)
	notShipped := count(`SELECT COUNT(*) FROM orders WHERE status <> 'shipped'`)
	retaken := count(`SELECT COUNT(*) FROM jobs WHERE attempts > 1`)
	var attempts int
	var holder string
	if err := st.db.QueryRowContext(ctx, `SELECT attempts, locked_by FROM jobs WHERE id = $1`, inHand).Scan(&attempts, &holder); err != nil {
		t.Fatal(err)
	}
	perWorker := map[string]int64{}
	for _, w := range []*proc{a, b, c, d} {
		perWorker[strings.TrimPrefix(w.name, "worker-")] = count(`SELECT COUNT(*) FROM jobs WHERE locked_by = $1`, workerID(w))
	}
	summary := fmt.Sprintf("shop e2e no lost jobs (%s): %d jobs, 4 workers (a SIGTERM, b SIGKILL at %d done, d replacement), done per worker %v; %d lost, %d duplicated, %d taken again after a lease ran out",
		db.kind, jobs, atKill, perWorker, lost, dups, retaken)
	t.Log(summary)
	fmt.Println(summary)
	if lost != 0 || dups != 0 || notShipped != 0 {
		t.Errorf("%d orders lost, %d duplicate shipments, %d orders not shipped; want 0, 0, 0", lost, dups, notShipped)
	}
	if holder == workerID(b) {
		t.Logf("job %d, in worker-b's hands at SIGKILL, had been completed by it just before", inHand)
	} else if attempts < 2 {
		t.Errorf("job %d, in worker-b's hands at SIGKILL, was done in %d attempt(s) by %s; want it taken again", inHand, attempts, holder)
	}
}
