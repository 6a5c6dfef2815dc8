package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/internal/testkit"
)

// TestStore_leaseTakeover checks the queue's fencing in-process: a job whose
// lease ran out is claimed again, the first worker's completion is refused
// and rolled back, and the order is shipped once.
func TestStore_leaseTakeover(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, db database) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		st := db.open(t)
		if applied, err := st.Migrate(ctx); err != nil || len(applied) != len(migrations) {
			t.Fatalf("Migrate: %d applied, %v; want %d, nil", len(applied), err, len(migrations))
		}
		if applied, err := st.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate: %d applied, %v; want 0, nil", len(applied), err)
		}
		o, err := st.PlaceOrder(ctx, "A-1", 2)
		if err != nil {
			t.Fatal(err)
		}

		first, ok, err := st.Claim(ctx, "first", time.Millisecond, 5)
		if err != nil || !ok || first.OrderID != o.ID || first.Attempt != 1 {
			t.Fatalf("Claim: %+v, %t, %v; want attempt 1 of order %d", first, ok, err, o.ID)
		}
		var second job
		testkit.Eventually(t, 10*time.Second, "the job claimed again after its lease", func() bool {
			second, ok, err = st.Claim(ctx, "second", time.Minute, 5)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		})
		if second.ID != first.ID || second.Attempt != 2 {
			t.Fatalf("second claim %+v, want attempt 2 of job %d", second, first.ID)
		}
		if _, ok, err := st.Claim(ctx, "third", time.Minute, 5); ok || err != nil {
			t.Fatalf("third Claim: %t, %v; want no job while the second lease holds", ok, err)
		}
		if err := st.CompleteShipment(ctx, first, "CR-first"); !errors.Is(err, errLeaseLost) {
			t.Fatalf("completing the lost claim: %v, want errLeaseLost", err)
		}
		if err := st.CompleteShipment(ctx, second, "CR-second"); err != nil {
			t.Fatalf("completing the current claim: %v", err)
		}
		got, err := st.Order(ctx, o.ID)
		if err != nil || got.Status != "shipped" || got.CarrierRef != "CR-second" {
			t.Fatalf("Order: %+v, %v; want shipped with CR-second", got, err)
		}
		var shipments int
		if err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM shipments`).Scan(&shipments); err != nil || shipments != 1 {
			t.Fatalf("%d shipments (%v), want 1", shipments, err)
		}
	})
}

// TestStore_release checks that a failed attempt is queued again, and
// failed for good after the last attempt.
func TestStore_release(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st := sqliteDatabase(t).open(t)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PlaceOrder(ctx, "A-1", 1); err != nil {
		t.Fatal(err)
	}
	const maxAttempts = 2
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		j, ok, err := st.Claim(ctx, "w", time.Minute, maxAttempts)
		if err != nil || !ok || j.Attempt != attempt {
			t.Fatalf("Claim %d: %+v, %t, %v", attempt, j, ok, err)
		}
		if err := st.Release(ctx, j, errors.New("carrier down"), maxAttempts); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok, err := st.Claim(ctx, "w", time.Minute, maxAttempts); ok || err != nil {
		t.Fatalf("Claim after the last attempt: %t, %v; want no job", ok, err)
	}
	counts, err := st.JobCounts(ctx)
	if err != nil || counts["failed"] != 1 {
		t.Fatalf("JobCounts: %v, %v; want 1 failed", counts, err)
	}
}
