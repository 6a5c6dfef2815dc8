package stop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

type coded int

func (c coded) Error() string { return fmt.Sprintf("coded %d", int(c)) }
func (c coded) ExitCode() int { return int(c) }

func TestCode(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("x"), 1},
		{&PanicError{Actor: "a", Value: 1}, 1},
		{coded(ExitUsage), 64},
		{fmt.Errorf("w: %w", coded(ExitConfig)), 78},
		{coded(0), 1},
		{coded(256), 1},
		{&Error{Kind: ErrTimeout, Cause: coded(78)}, 124},
		{fmt.Errorf("w: %w", &Error{Kind: ErrForced}), 130},
	} {
		if got := Code(tt.err); got != tt.want {
			t.Errorf("Code(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestSignals(t *testing.T) {
	t0 := time.Now()
	var s Signals
	if v := s.On(syscall.SIGTERM, t0, false); v != Begin {
		t.Fatalf("first = %v, want Begin", v)
	}
	for _, c := range []struct {
		sig  os.Signal
		at   time.Duration
		want Verdict
	}{
		{syscall.SIGTERM, time.Second, Ignored},          // SIGTERM never forces
		{os.Interrupt, DefaultForceGap / 2, Ignored},     // too soon
		{os.Interrupt, DefaultForceGap, Force},           // at the gap
		{syscall.SIGTERM, 10 * DefaultForceGap, Ignored}, // still never
	} {
		if v := s.On(c.sig, t0.Add(c.at), true); v != c.want {
			t.Errorf("%v at %s = %v, want %v", c.sig, c.at, v, c.want)
		}
	}
	var other Signals
	if v := other.On(os.Interrupt, t0, true); v != Noted {
		t.Errorf("first signal of a stop begun otherwise = %v, want Noted", v)
	}
	if v := other.On(os.Interrupt, t0.Add(time.Second), true); v != Force {
		t.Errorf("SIGINT after it = %v, want Force", v)
	}
}

func TestDeadline(t *testing.T) {
	var d Deadline
	if d.Done() != nil || d.Started() {
		t.Fatal("a zero Deadline must never fire")
	}
	now := time.Now()
	d.Start(now, time.Second, 200*time.Millisecond)
	defer d.Stop()
	if got := d.End(); !got.Equal(now.Add(time.Second)) {
		t.Errorf("End = %v, want %v", got, now.Add(time.Second))
	}
	// The reserve is at most a tenth of the timeout.
	if left := d.Left(now); left != 900*time.Millisecond {
		t.Errorf("Left = %s, want 900ms", left)
	}
	select {
	case <-d.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("Done did not fire")
	}
	if d.Context().Err() == nil {
		t.Error("Context not done with Done")
	}
}

func TestRunCleanups(t *testing.T) {
	var order []string
	mk := func(name string, err error) Cleanup {
		return Cleanup{Name: name, Fn: func(context.Context) error { order = append(order, name); return err }}
	}
	boom := errors.New("boom")
	list := []Cleanup{mk("a", nil), mk("b", boom), {Name: "c", Fn: func(context.Context) error { panic("c!") }}}
	wait := func(_ string, fin <-chan struct{}) error { <-fin; return nil }
	done, stuck, skipped, err := RunCleanups(context.Background(), list, wait)
	if err != nil || stuck != "" || skipped != nil {
		t.Fatalf("RunCleanups = %v %q %v", err, stuck, skipped)
	}
	if !slices.Equal(order, []string{"b", "a"}) || len(done) != 3 {
		t.Fatalf("order %v, done %v", order, done)
	}
	if p, ok := Panicked(done[0].Err); !ok || p.Actor != "cleanup c" {
		t.Errorf("c's result = %v, want a PanicError", done[0].Err)
	}
	if !errors.Is(done[1].Err, boom) || done[2].Err != nil {
		t.Errorf("results = %v", done)
	}

	hang := make(chan struct{})
	defer close(hang)
	list = []Cleanup{mk("first", nil), {Name: "hangs", Fn: func(context.Context) error { <-hang; return nil }}, mk("last", nil)}
	cut := errors.New("cut")
	wait = func(name string, fin <-chan struct{}) error {
		if name == "hangs" {
			return cut
		}
		<-fin
		return nil
	}
	done, stuck, skipped, err = RunCleanups(context.Background(), list, wait)
	if err != cut || stuck != "hangs" || !slices.Equal(skipped, []string{"first"}) || len(done) != 1 {
		t.Errorf("RunCleanups = %v, stuck %q, skipped %v, done %v", err, stuck, skipped, done)
	}
}

func TestErrorNamesWhatBegan(t *testing.T) {
	cause := errors.New("boom")
	began := (&Error{Kind: ErrTimeout, Timeout: time.Second, Stuck: []string{"w"}, Cause: cause, Began: true}).Error()
	during := (&Error{Kind: ErrTimeout, Timeout: time.Second, Stuck: []string{"w"}, Cause: cause}).Error()
	if !strings.Contains(began, "began with: boom") || strings.Contains(during, "began with") || !strings.Contains(during, "during the stop: boom") {
		t.Errorf("began: %q\nduring: %q", began, during)
	}
}

func TestSignalNames(t *testing.T) {
	for _, c := range []struct {
		sig  os.Signal
		name string
		code int
	}{
		{syscall.SIGINT, "SIGINT", 130},
		{syscall.SIGTERM, "SIGTERM", 143},
		{syscall.SIGHUP, syscall.SIGHUP.String(), 129},
	} {
		if got := SignalName(c.sig); got != c.name {
			t.Errorf("SignalName(%v) = %q, want %q", c.sig, got, c.name)
		}
		if got := SignalCode(c.sig); got != c.code {
			t.Errorf("SignalCode(%v) = %d, want %d", c.sig, got, c.code)
		}
	}
	var s Signals
	if s.ForceGap() != DefaultForceGap {
		t.Errorf("ForceGap = %s, want %s", s.ForceGap(), DefaultForceGap)
	}
}
