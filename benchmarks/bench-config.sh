#!/bin/sh
# bench-config.sh measures config.Load against caarlos0/env, go-envconfig,
# envconfig and a hand-written loader (BenchmarkLoad), config.Describe
# (BenchmarkDescribe), and what config.Load adds to caarlos0/env on the same
# struct in paired turns timed by the thread's CPU clock, with a map and with
# the process environment (BenchmarkLoadPaired; BenchmarkLoadPairedPeerStruct
# gives caarlos0/env its own struct with plain strings for the secrets), and
# on 10 to 300 fields (BenchmarkLoadScaling). It summarises the runs with benchstat: the medians
# of every sub-benchmark, twelvekit compared with each peer (the peer is the
# base; "vs base" is twelvekit's difference to it), then the paired ratios
# (x-cpu, x-allocs: twelvekit over caarlos0/env; below 1 is cheaper).
#
# Usage: ./bench-config.sh [output file]   (default /tmp/config-bench.txt)
# COUNT sets the number of runs (default 6).
set -eu

cd "$(dirname "$0")"
out=${1:-/tmp/config-bench.txt}
count=${COUNT:-6}
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

# The equivalent of go test -count "$count", but one pass over every
# sub-benchmark at a time: -count repeats each sub-benchmark back to back, so
# a burst of load from another process lands on one loader only; passes
# spread it over all of them.
bin=$(mktemp)
keyed=$(mktemp)
trap 'rm -f "$bin" "$keyed"' EXIT
go version
# caarlos0/env, and so config.Load, copies the whole process environment
# into a map on every call, so their cost grows with its size; the
# env=process rows replace it with one of 40 variables while they run.
echo "process environment: $(env | wc -l) variables"
go test -c -o "$bin" .
: >"$out"
i=0
while [ "$i" -lt "$count" ]; do
	"$bin" -test.run '^$' -test.bench 'BenchmarkLoad$|BenchmarkDescribe|BenchmarkLoadPaired|BenchmarkLoadScaling' -test.benchmem | tee -a "$out"
	i=$((i + 1))
done

echo
echo "== medians"
grep -v -E '^Benchmark(LoadPaired|LoadScaling)' "$out" | $benchstat /dev/stdin

echo
echo "== paired: twelvekit over caarlos0/env on the same struct (x-cpu: median turn ratio of thread CPU)"
grep -E '^(Benchmark(LoadPaired|LoadScaling)|goos|goarch|pkg|cpu)' "$out" | $benchstat -filter '.unit:(x-cpu OR x-allocs OR peer-cpu-ns OR ours-cpu-ns)' /dev/stdin

# Sub-benchmark names are plain ("Load/caarlos0"); benchstat selects
# columns by key=value names, so name the loader "lib=" in a copy.
sed -E 's#^BenchmarkLoad/([a-z0-9]+)-#BenchmarkLoad/lib=\1-#' "$out" >"$keyed"
for peer in caarlos0 sethvargo kelseyhightower handwritten; do
	echo
	echo "== twelvekit against $peer (base)"
	$benchstat -filter ".name:Load /lib:($peer OR twelvekit)" -col "/lib@($peer twelvekit)" "$keyed"
done
