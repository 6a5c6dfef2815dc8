package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// worker is the worker process type: it ships orders, one job at a time.
// With MANAGEMENT_PORT set it serves /livez and /readyz there for probes.
func (s *service) worker(ctx context.Context, c *admin.Call, g *lifecycle.Group) error {
	st, err := s.open(ctx, c)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	w := &worker{
		store: st,
		cfg:   &s.cfg,
		log:   c.Log,
		id:    fmt.Sprintf("%s/%d", host, os.Getpid()),
	}
	if err := g.Check("database", 800*time.Millisecond, st.Ping); err != nil {
		return err
	}
	return g.Go("jobs", w.run)
}

type worker struct {
	store *store
	cfg   *Config
	log   *zap.Logger
	id    string // locked_by: host/pid
}

// run takes jobs until ctx is done. The group cancels ctx at a stop; the
// job in hand then still finishes (within its lease), and no new one is
// taken.
func (w *worker) run(ctx context.Context) error {
	if err := waitForSchema(ctx, w.store, w.log); err != nil {
		return err
	}
	w.log.Info("worker started", zap.String("worker", w.id), zap.Duration("lease", w.cfg.JobLease))
	idle := time.NewTimer(w.cfg.PollInterval)
	idle.Stop()
	defer idle.Stop()
	var done int
	for {
		if ctx.Err() != nil {
			w.log.Info("worker stopped", zap.String("worker", w.id), zap.Int("jobs_done", done))
			return ctx.Err()
		}
		// The claim is not cut short by a stop: a claim that has begun
		// commits, and its job is then the job in hand.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		j, ok, err := w.store.Claim(cctx, w.id, w.cfg.JobLease, w.cfg.MaxAttempts)
		cancel()
		switch {
		case err != nil:
			w.log.Error("claim failed; retrying", zap.Error(err))
		case ok:
			if w.process(ctx, j) {
				done++
			}
			continue
		}
		idle.Reset(w.cfg.PollInterval)
		select {
		case <-ctx.Done():
		case <-idle.C:
		}
	}
}

// process ships j's order and reports whether the job is done. It runs to
// the end even when ctx is done (a stop finishes the job in hand), but never
// past the lease: after it, another worker may have the job, and this
// worker's effect would be rolled back anyway.
func (w *worker) process(ctx context.Context, j job) bool {
	start := time.Now()
	log := w.log.With(zap.Int64("job", j.ID), zap.Int64("order", j.OrderID), zap.Int("attempt", j.Attempt))
	jctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.JobLease)
	defer cancel()
	jctx = logging.NewContext(jctx, log)

	ref, err := bookCarrier(jctx, j, w.cfg.CarrierLatency)
	if err == nil {
		err = w.store.CompleteShipment(jctx, j, ref)
	}
	switch {
	case err == nil:
		log.Debug("order shipped", zap.String("carrier_ref", ref), zap.Duration("duration", time.Since(start)))
		return true
	case errors.Is(err, errLeaseLost):
		log.Warn("job taken over by another worker", zap.Error(err))
	default:
		log.Error("job failed; released for another attempt", zap.Error(err))
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if rerr := w.store.Release(rctx, j, err, w.cfg.MaxAttempts); rerr != nil {
			log.Error("release failed; the job is taken again when its lease runs out", zap.Error(rerr))
		}
	}
	return false
}

// bookCarrier stands for the call to the carrier's API that books a
// shipment. It takes latency and returns the carrier's reference.
func bookCarrier(ctx context.Context, j job, latency time.Duration) (string, error) {
	if latency > 0 {
		t := time.NewTimer(latency)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("carrier: no answer before the lease ran out: %w", ctx.Err())
		case <-t.C:
		}
	}
	return fmt.Sprintf("CR-%d-%d", j.OrderID, j.Attempt), nil
}
