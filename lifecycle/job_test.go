package lifecycle_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/lifecycle"
)

// A job that finishes does not stop the group; the actors run on until the
// stop, and Run returns nil.
func TestJob_finishesAlone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g := lifecycle.New(lifecycle.Config{ShutdownTimeout: 5 * time.Second})
	jobDone := make(chan struct{})
	workerSawJob := make(chan bool, 1)
	g.Job("backfill", func(ctx context.Context) error {
		close(jobDone)
		return nil
	})
	g.Go("worker", func(ctx context.Context) error {
		select {
		case <-jobDone:
		case <-ctx.Done():
			workerSawJob <- false
			return ctx.Err()
		}
		// The job has returned; the group must still be running a while
		// later: nothing has cancelled this worker.
		select {
		case <-ctx.Done():
			workerSawJob <- false
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		workerSawJob <- true
		cancel() // the stop
		<-ctx.Done()
		return ctx.Err()
	})
	errc := make(chan error, 1)
	go func() { errc <- g.Run(ctx) }()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s")
	}
	if !<-workerSawJob {
		t.Error("the worker was stopped when the job returned")
	}
}

// A job that fails stops the group with its error; a job still running at
// the stop is interrupted like an actor.
func TestJob_failsAndIsInterrupted(t *testing.T) {
	t.Parallel()
	boom := errors.New("backfill failed")
	g := lifecycle.New(lifecycle.Config{ShutdownTimeout: 5 * time.Second})
	g.Job("backfill", func(ctx context.Context) error { return boom })
	interrupted := make(chan struct{})
	g.Job("long", func(ctx context.Context) error {
		<-ctx.Done()
		close(interrupted)
		return ctx.Err()
	})
	errc := make(chan error, 1)
	go func() { errc <- g.Run(context.Background()) }()
	select {
	case err := <-errc:
		if !errors.Is(err, boom) {
			t.Errorf("Run = %v, want the job's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s")
	}
	select {
	case <-interrupted:
	default:
		t.Error("the running job was not interrupted")
	}
	if err := lifecycle.New(lifecycle.Config{}).Job("x", nil); err == nil {
		t.Error("Job with a nil function: no error")
	}
}
