package benchmarks

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"testing"
	"time"
)

// This file is the shared helper for paired, interleaved micro-benchmarks
// timed by the benchmark thread's CPU clock: on a shared machine another
// process's burst inflates the wall time of whatever runs at that moment,
// but not the CPU time of this thread, and interleaving short turns of the
// variants spreads what is left (cache and frequency effects) over all of
// them alike. It leaves out the GC's background workers, which run on other
// threads, so it slightly favours the variant that allocates more; the
// allocations are reported beside it. benchmarks/run.sh reads the metrics.

// variant is one side of a paired benchmark: a name for the metrics and
// one operation.
type variant struct {
	name string
	op   func()
}

// pairTurn is the CPU time one variant's turn aims at: long enough that the
// clock's resolution (the kernel's tick accounting is finer than 1 µs on
// Linux) does not matter, short enough that one round of all variants sees
// the same machine.
const pairTurn = 2 * time.Millisecond

// paired runs the variants in interleaved rounds, one round per b.Loop
// iteration: each variant runs a turn of the same number of ops per round,
// in an order that rotates from round to round, with the goroutine locked to
// its thread and each turn timed by the thread's CPU clock (by the wall
// clock where there is none). It reports for every variant NAME-ns/op (the
// median over rounds) and NAME-allocs/op, and for every variant after the
// first x-NAME: the median over rounds of the first variant's time divided
// by NAME's in the same round, and x-NAME-ci, the half width of the 95 %
// confidence interval of that median (from the ranks of the per-round
// ratios) as a fraction of it. The first variant is twelvekit's; below 1 it is
// cheaper.
func paired(b *testing.B, vs ...variant) {
	b.Helper()
	clock := cpuNow
	if _, ok := clock(); !ok {
		clock = wallNow
	}
	pairedClock(b, clock, vs...)
}

// wallNow is the wall clock as a duration since the first call, for
// variants whose work runs on other goroutines (and so other threads) than
// the one timing them.
func wallNow() (time.Duration, bool) { return time.Since(wallStart), true }

var wallStart = time.Now()

// pairedClock is paired with the given clock.
func pairedClock(b *testing.B, clock func() (time.Duration, bool), vs ...variant) {
	b.Helper()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// Calibrate: ops per turn so that the slowest variant's turn is about
	// pairTurn.
	slowest := time.Duration(1)
	for _, v := range vs {
		v.op() // warm: first-call costs, caches, pools
		n := 0
		t0, _ := clock()
		var d time.Duration
		for d < pairTurn/4 {
			v.op()
			n++
			t1, _ := clock()
			d = t1 - t0
		}
		slowest = max(slowest, d/time.Duration(n))
	}
	ops := max(1, int(pairTurn/slowest))
	per := make([][]float64, len(vs))
	round := 0
	for b.Loop() {
		for k := range vs {
			i := (round + k) % len(vs)
			t0, _ := clock()
			for range ops {
				vs[i].op()
			}
			t1, _ := clock()
			per[i] = append(per[i], float64(t1-t0)/float64(ops))
		}
		round++
	}
	b.StopTimer()
	for i, v := range vs {
		b.ReportMetric(median(per[i]), v.name+"-ns/op")
		b.ReportMetric(testing.AllocsPerRun(20, v.op), v.name+"-allocs/op")
		if i == 0 {
			continue
		}
		ratios := make([]float64, len(per[0]))
		for r := range ratios {
			ratios[r] = per[0][r] / per[i][r]
		}
		b.ReportMetric(median(ratios), "x-"+v.name)
		b.ReportMetric(medianCI(ratios), "x-"+v.name+"-ci")
	}
}

// median returns the median of xs, or NaN for none.
func median(xs []float64) float64 { return quantile(xs, 0.5) }

// quantile returns the q quantile of xs (linear between the two nearest
// ranks), or NaN for none. It does not modify xs.
func quantile(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	pos := q * float64(len(s)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s)-1)
	return s[lo] + (s[hi]-s[lo])*(pos-float64(lo))
}

// medianCI returns the half width of the distribution-free 95 % confidence
// interval of the median of xs (the order statistics n/2 ± 0.98·√n), as a
// fraction of the median; NaN for fewer than 6 values.
func medianCI(xs []float64) float64 {
	n := len(xs)
	if n < 6 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	half := 0.98 * math.Sqrt(float64(n))
	lo := max(0, int(math.Floor(float64(n)/2-half)))
	hi := min(n-1, int(math.Ceil(float64(n)/2+half)))
	return (s[hi] - s[lo]) / 2 / median(s)
}

// mustOp wraps an operation that returns an error into a variant op that
// fails the benchmark, so a broken side cannot look fast.
func mustOp(b *testing.B, name string, f func() error) variant {
	return variant{name, func() {
		if err := f(); err != nil {
			b.Fatal(fmt.Errorf("%s: %w", name, err))
		}
	}}
}
